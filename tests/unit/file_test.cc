// podns::file: what each utility promises, on real files in a directory of
// the test's own.
#include "podns/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>

#include "testenv.h"

namespace podns {
namespace {

class File : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void put(const std::string& name, const std::string& text) const {
    std::ofstream(path(name)) << text;
  }
  std::vector<std::string> sorted_names() const {
    auto names = file::list_dir(dir_);
    EXPECT_TRUE(names) << names.error().message();
    std::vector<std::string> out = names ? *names : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    return out;
  }
  test::TempDir tmp_;
  const std::string& dir_ = tmp_.path();
};

TEST_F(File, MakeDirsMakesEveryMissingComponentWithTheModeAndLeavesExistingOnesAlone) {
  ASSERT_EQ(::mkdir(path("a").c_str(), 0755), 0);
  ::umask(022);
  auto made = file::make_dirs(path("a//b/c/"), 0711);
  ASSERT_TRUE(made) << made.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(path("a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0711u);
  ASSERT_EQ(::stat(path("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u) << "an existing directory keeps its mode";
  EXPECT_TRUE(file::make_dirs(path("a/b/c"), 0700)) << "all there: nothing to do";
}

TEST_F(File, MakeDirsRefusesARelativePathAndNamesAComponentThatIsAFile) {
  auto relative = file::make_dirs("run/podns", 0700);
  ASSERT_FALSE(relative);
  EXPECT_EQ(relative.error().errno_value(), EINVAL);
  put("f", "x");
  auto under_file = file::make_dirs(path("f/g"), 0700);
  ASSERT_FALSE(under_file);
  EXPECT_EQ(under_file.error().errno_value(), ENOTDIR);
  EXPECT_NE(under_file.error().message().find(path("f/g")), std::string::npos)
      << under_file.error().message();
}

TEST_F(File, OpenIfExistsGivesNothingForAbsentAndAnErrorNamingThePathOtherwise) {
  auto absent = file::open_if_exists(path("none"), O_RDONLY);
  ASSERT_TRUE(absent) << absent.error().message();
  EXPECT_FALSE(*absent);

  put("f", "x");
  auto present = file::open_if_exists(path("f"), O_RDONLY);
  ASSERT_TRUE(present && *present);
  EXPECT_TRUE((::fcntl((*present)->get(), F_GETFD) & FD_CLOEXEC) != 0) << "always O_CLOEXEC";

  auto dir_fd = file::open_if_exists(dir_, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir_fd && *dir_fd);
  auto not_dir = file::open_if_exists(**dir_fd, dir_, "f", O_RDONLY | O_DIRECTORY);
  ASSERT_FALSE(not_dir);
  EXPECT_EQ(not_dir.error().errno_value(), ENOTDIR);
  EXPECT_NE(not_dir.error().message().find(path("f")), std::string::npos)
      << not_dir.error().message();
  auto under = file::open_if_exists(**dir_fd, dir_, "none", O_RDONLY);
  ASSERT_TRUE(under);
  EXPECT_FALSE(*under);
}

TEST_F(File, ReadFileReadsAWholeFileAndRefusesOneAboveTheBoundOrNotRegular) {
  put("f", std::string(10000, 'x'));
  auto whole = file::read_file(path("f"), 10000);
  ASSERT_TRUE(whole) << whole.error().message();
  EXPECT_EQ(whole->size(), 10000u);

  auto big = file::read_file(path("f"), 9999);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().errno_value(), EFBIG);

  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  auto fifo = file::read_file(path("fifo"), 100);  // must not block
  ASSERT_FALSE(fifo);
  EXPECT_EQ(fifo.error().errno_value(), EINVAL);
}

TEST_F(File, ReadAllStopsAtTheBoundEvenWhenTheSizeIsNotKnownAhead) {
  // /dev/zero never ends and says its size is 0.
  auto zero = file::open_if_exists("/dev/zero", O_RDONLY);
  ASSERT_TRUE(zero && *zero);
  auto endless = file::read_all(**zero, "/dev/zero", 100000);
  ASSERT_FALSE(endless);
  EXPECT_EQ(endless.error().errno_value(), EFBIG);
  EXPECT_NE(endless.error().message().find("/dev/zero"), std::string::npos);
}

TEST_F(File, WriteAtomicReplacesWithTheModeAndLeavesNoTemporaryFile) {
  put("f", "old");
  for (bool sync : {true, false}) {
    auto w = file::write_atomic(path("f"), sync ? "new" : "newer", 0640, sync);
    ASSERT_TRUE(w) << w.error().message();
  }
  auto text = file::read_file(path("f"), 100);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "newer");
  struct stat st {};
  ASSERT_EQ(::stat(path("f").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(sorted_names(), std::vector<std::string>{"f"});
}

TEST_F(File, WriteAtomicIntoAMissingDirectoryFailsAndMakesNothing) {
  auto w = file::write_atomic(path("none/f"), "x", 0600);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().errno_value(), ENOENT);
  EXPECT_TRUE(sorted_names().empty());
}

TEST_F(File, CreateTempMakesDistinctHiddenNamesAfterTheFileAndNeverOpensAnExistingOne) {
  auto dir = file::open_if_exists(dir_, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir && *dir);
  auto a = file::create_temp(**dir, dir_, "config.json");
  auto b = file::create_temp(**dir, dir_, "config.json");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->name, b->name);
  EXPECT_TRUE(a->name.starts_with(".config.json.podns-")) << a->name;
  EXPECT_EQ(a->name.size(), std::string(".config.json.podns-").size() + 16);
  struct stat st {};
  ASSERT_EQ(::fstat(a->fd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(sorted_names().size(), 2u);
}

TEST_F(File, ReadDirGivesEveryEntryWithItsTypeButNotTheDots) {
  put("f", "x");
  ASSERT_EQ(::mkdir(path("d").c_str(), 0700), 0);
  auto dir = file::open_if_exists(dir_, O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(dir && *dir);
  auto entries = file::read_dir(std::move(**dir), dir_);
  ASSERT_TRUE(entries) << entries.error().message();
  ASSERT_EQ(entries->size(), 2u);
  std::sort(entries->begin(), entries->end(),
            [](const auto& x, const auto& y) { return x.name < y.name; });
  EXPECT_EQ((*entries)[0].name, "d");
  EXPECT_EQ((*entries)[0].type, DT_DIR);
  EXPECT_EQ((*entries)[1].name, "f");
  EXPECT_EQ((*entries)[1].type, DT_REG);

  auto missing = file::list_dir(path("none"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().errno_value(), ENOENT);
}

}  // namespace
}  // namespace podns
