// A program built on libpodns: creates a pod with its own user namespace
// (an automatic host range) and no network, prints where its namespaces are
// pinned, and removes it. As root:   podns-example ROOT STATE_DIR
#include <podns/podns.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s ROOT STATE_DIR\n", argv[0]);
    return 2;
  }
  auto m = podns::Manager::open({.root = argv[1], .state_dir = argv[2]});
  if (!m) {
    std::fprintf(stderr, "%s\n", m.error().message().c_str());
    return 1;
  }
  auto s = m->create(
      {.id = "example", .userns = podns::UsernsChoice::automatic(65536), .network = "none"});
  if (!s) {
    std::fprintf(stderr, "%s\n", s.error().message().c_str());  // step, path, errno
    return 1;
  }
  std::printf("%s %s %s\n", s->id.c_str(), s->netns_path().c_str(), s->userns_path()->c_str());
  if (auto r = m->remove("example"); !r) {
    std::fprintf(stderr, "%s\n", r.error().message().c_str());
    return 1;
  }
  return 0;
}
