#include "podns/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace podns {
namespace {

namespace fs = std::filesystem;

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::array<char, 23> tmpl{"/tmp/podns-unit.XXXXXX"};
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl.data();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name = "config.json") const { return dir_ + "/" + name; }
  void write(const std::string& text, mode_t mode = 0644) {
    std::ofstream(path()) << text;
    ASSERT_EQ(::chmod(path().c_str(), mode), 0);
  }
  std::string read() const {
    std::ifstream in(path());
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  mode_t mode() const {
    struct stat st;
    EXPECT_EQ(::stat(path().c_str(), &st), 0);
    return st.st_mode & 07777;
  }

  std::string dir_;
};

TEST_F(AtomicFile, ReplacesTheContentsAndKeepsTheMode) {
  write("old", 0640);
  struct stat before;
  ASSERT_EQ(::stat(path().c_str(), &before), 0);
  auto r =
      atomic_file::rewrite(dir_, "config.json", [](const std::string& old) -> Result<std::string> {
        EXPECT_EQ(old, "old");
        return "new contents\n";
      });
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(read(), "new contents\n");
  EXPECT_EQ(mode(), 0640u);
  struct stat after;
  ASSERT_EQ(::stat(path().c_str(), &after), 0);
  EXPECT_NE(after.st_ino, before.st_ino) << "replaced by a rename, not written in place";
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_gid, before.st_gid);
  EXPECT_EQ(names(), (std::vector<std::string>{"config.json"}));
}

TEST_F(AtomicFile, UnusualModesAreKept) {
  write("x", 0604);
  ASSERT_TRUE(
      atomic_file::rewrite(dir_, "config.json", [](auto&) -> Result<std::string> { return "y"; }));
  EXPECT_EQ(mode(), 0604u);
}

TEST_F(AtomicFile, ATransformErrorLeavesTheOriginalAndNoTempFile) {
  write("original", 0600);
  auto r = atomic_file::rewrite(dir_, "config.json", [](auto&) -> Result<std::string> {
    return invalid_argument("config is not valid JSON");
  });
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_invalid_input());
  EXPECT_EQ(r.error().message(), "config is not valid JSON");
  EXPECT_EQ(read(), "original");
  EXPECT_EQ(names(), (std::vector<std::string>{"config.json"}));
}

TEST_F(AtomicFile, LargeContentsAreWrittenWhole) {
  write("{}");
  std::string big(5 << 20, 'x');
  ASSERT_TRUE(
      atomic_file::rewrite(dir_, "config.json", [&](auto&) -> Result<std::string> { return big; }));
  EXPECT_EQ(read(), big);
}

TEST_F(AtomicFile, MissingFileSymlinkAndDirectoryAreRefused) {
  auto same = [](auto&) -> Result<std::string> { return "new"; };
  auto missing = atomic_file::rewrite(dir_, "config.json", same);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value(), ENOENT);
  EXPECT_NE(missing.error().message().find(path()), std::string::npos);

  std::ofstream(path("target")) << "target";
  fs::create_symlink("target", path());
  auto link = atomic_file::rewrite(dir_, "config.json", same);
  ASSERT_FALSE(link);
  EXPECT_NE(link.error().message().find("symbolic link"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(path()));
  fs::remove(path());

  fs::create_directory(path());
  auto dir = atomic_file::rewrite(dir_, "config.json", same);
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().message().find("not a regular file"), std::string::npos);
  EXPECT_EQ(names(), (std::vector<std::string>{"config.json", "target"}));
}

TEST_F(AtomicFile, MissingDirectoryIsAnError) {
  auto r = atomic_file::rewrite(dir_ + "/nope", "config.json",
                                [](auto&) -> Result<std::string> { return "x"; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), ENOENT);
}

}  // namespace
}  // namespace podns
