#include "crio.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace podns::test {

namespace fs = std::filesystem;

std::vector<std::pair<std::string, bool>> crio_namespaces(const CrioPod& pod) {
  std::vector<std::pair<std::string, bool>> out{
      {"ipc", pod.host_ipc}, {"net", pod.host_network}, {"uts", false}};
  if (pod.maps) out.emplace_back("user", false);
  return out;
}

std::string pinns_form(const IdMap& map) {
  std::string out;
  for (const auto& m : map) {
    out += std::to_string(m.container_id) + "-" + std::to_string(m.host_id) + "-" +
           std::to_string(m.size) + "@";
  }
  return out;
}

std::vector<std::string> crio_args(const std::string& dir, const std::string& name,
                                   const CrioPod& pod) {
  std::vector<std::string> args{"-d", dir, "-f", name};
  for (const auto& [key, value] : pod.sysctls) args.insert(args.end(), {"-s", key + "=" + value});
  for (const auto& [type, host] : crio_namespaces(pod)) args.push_back("--" + type + (host ? "=host" : ""));
  if (pod.maps) {
    args.push_back("--uid-mapping=" + pinns_form(pod.maps->uid));
    args.push_back("--gid-mapping=" + pinns_form(pod.maps->gid));
  }
  return args;
}

std::string pin_of(const std::string& dir, const std::string& type, const std::string& name) {
  return dir + "/" + type + "ns/" + name;
}

void crio_prepare(const std::string& dir, const std::string& name, const CrioPod& pod) {
  if (!pod.maps) return;
  for (const auto& [type, host] : crio_namespaces(pod)) {
    std::string path = pin_of(dir, type, name);
    fs::create_directories(fs::path(path).parent_path());
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    ASSERT_GE(fd, 0) << path;
    ::close(fd);
    ASSERT_EQ(::chown(path.c_str(), pod.maps->uid[0].host_id, pod.maps->gid[0].host_id), 0);
  }
}

void crio_remove(const std::string& dir, const std::string& name, const CrioPod& pod) {
  for (const auto& [type, host] : crio_namespaces(pod)) {
    std::string path = pin_of(dir, type, name);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    if (::umount2(path.c_str(), MNT_DETACH) != 0) {
      EXPECT_EQ(errno, EINVAL) << path;
    }
    fs::remove_all(path);
  }
}

}  // namespace podns::test
