#include "podns/podns.h"

#include <fcntl.h>

#include "podns/helper.h"
#include "podns/pin.h"
#include "podns/rollback.h"
#include "podns/sys.h"

namespace podns {
namespace {

std::string join_reasons(const std::vector<Error>& errors) {
  std::string out;
  for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e.message();
  return out;
}

std::vector<pin::Expected> expected_pins(const Sandbox& s) {
  return {{nsfs::Type::net, s.netns}, {nsfs::Type::user, s.userns}};
}

}  // namespace

Result<Manager> Manager::open(Config config) {
  PODNS_TRY(store, Store::open(config.state_dir));
  return Manager(std::move(config), std::move(store));
}

Result<const Fd*> Manager::root() {
  if (!root_) {
    PODNS_TRY(lock, store_.lock_root());
    PODNS_TRY(fd, pin::open_root(config_.root));
    root_ = std::move(fd);
  }
  return &root_;
}

Result<void> Manager::create_namespaces(const Fd& root, Sandbox& s, const CreateOptions& opts,
                                       Rollback& rollback) {
  PODNS_TRY_CTX(dir, pin::make_pod_dir(root, s.id), "make pod directory " + s.dir());
  rollback.add("remove pod directory",
               [&] { return pin::remove_pod_dir(root, s.root, s.id, expected_pins(s)); });

  PODNS_TRY_CTX(helper, Helper::spawn({opts.userns, true}), "create namespaces");
  if (s.has_userns) {
    PODNS_TRY_CTX(id, pin::pin(dir, s.dir(), nsfs::Type::user, helper.ns_path(nsfs::Type::user)),
                  "pin user namespace");
    s.userns = id;
  }
  PODNS_TRY_CTX(net, pin::pin(dir, s.dir(), nsfs::Type::net, helper.ns_path(nsfs::Type::net)),
                "pin network namespace");
  s.netns = net;
  PODNS_CHECK_CTX(helper.finish(), "stop helper");
  return {};
}

Result<Sandbox> Manager::create(const CreateOptions& opts) {
  PODNS_CHECK(validate_id(opts.id));
  if (opts.userns) {
    PODNS_CHECK_CTX(validate_id_map(opts.userns->uid), "uid map");
    PODNS_CHECK_CTX(validate_id_map(opts.userns->gid), "gid map");
  }
  const std::string ctx = "create sandbox " + opts.id;
  PODNS_TRY_CTX(lock, store_.lock(opts.id), ctx);
  PODNS_TRY_CTX(root_fd, root(), ctx);

  Sandbox s;
  s.id = opts.id;
  s.state = SandboxState::creating;
  s.root = config_.root;
  s.has_userns = opts.userns.has_value();
  if (opts.userns) {
    s.uid_map = opts.userns->uid;
    s.gid_map = opts.userns->gid;
  }
  s.created_at = now_rfc3339();

  // Intent first: the row says what is about to exist before it does.
  PODNS_CHECK_CTX(store_.insert(s), ctx);
  Rollback rollback;
  if (auto made = create_namespaces(*root_fd, s, opts, rollback); !made) {
    // Undo what was made; if an undo fails, keep the row, marked unknown,
    // so that nothing is silently forgotten.
    if (auto failures = rollback.run(); failures.empty()) {
      (void)store_.erase(s.id);
    } else {
      s.state = SandboxState::unknown;
      s.reason = made.error().message() + "; then " + join_reasons(failures);
      (void)store_.update(s);
    }
    return std::unexpected(std::move(made.error()).context(ctx));
  }
  s.state = SandboxState::ready;
  if (auto saved = store_.update(s); !saved) {
    (void)pin::remove_pod_dir(*root_fd, s.root, s.id, expected_pins(s));
    (void)store_.erase(s.id);
    return std::unexpected(std::move(saved.error()).context(ctx));
  }
  return s;
}

Result<Sandbox> Manager::inspect(const std::string& id) {
  PODNS_CHECK(validate_id(id));
  PODNS_TRY(found, store_.get(id));
  if (!found) return plain_error(ENOENT, "no sandbox " + id);
  return std::move(*found);
}

Result<std::vector<Sandbox>> Manager::list() { return store_.list(); }

Result<void> Manager::remove(const std::string& id) {
  PODNS_CHECK(validate_id(id));
  const std::string ctx = "remove sandbox " + id;
  PODNS_TRY_CTX(lock, store_.lock(id), ctx);
  PODNS_TRY_CTX(found, store_.get(id), ctx);
  if (!found) return plain_error(ENOENT, "no sandbox " + id);
  Sandbox s = std::move(*found);

  s.state = SandboxState::removing;
  PODNS_CHECK_CTX(store_.update(s), ctx);

  // The sandbox's own root, as recorded: never mount anything to remove.
  int raw = ::open(s.root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0 && errno != ENOENT) {
    auto err = sys_error("open pin root", s.root);
    s.state = SandboxState::unknown;
    s.reason = err.error().message();
    (void)store_.update(s);
    return std::unexpected(std::move(err.error()).context(ctx));
  }
  if (raw >= 0) {
    Fd root(raw);
    if (auto gone = pin::remove_pod_dir(root, s.root, s.id, expected_pins(s)); !gone) {
      s.state = SandboxState::unknown;
      s.reason = gone.error().message();
      (void)store_.update(s);
      return std::unexpected(std::move(gone.error()).context(ctx));
    }
  }
  PODNS_CHECK_CTX(store_.erase(id), ctx);
  return {};
}

}  // namespace podns
