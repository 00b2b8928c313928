// Manager::stop and Manager::remove: idempotent, and able to finish what an
// earlier failed or interrupted operation left.
#include <fcntl.h>

#include "podns/fault.h"
#include "podns/pin.h"
#include "podns/secure_path.h"
#include "podns/manager_impl.h"

namespace podns {

Result<void> Manager::Impl::teardown(Sandbox& s, std::vector<Error>* left) {
  auto fail = [&](Error e) -> Result<void> {
    s.state = SandboxState::unknown;
    s.reason = e.message();
    (void)store_.update(s);
    return std::unexpected(std::move(e));
  };
  if (auto detached = detach(s); !detached) {
    if (!left) return fail(std::move(detached.error()));
    Error e = std::move(detached.error())
                  .context("network " + s.net_name + " is still attached, its address not released");
    if (auto kept = keep_for_recover(s)) {
      left->push_back(Error::plain(e.errno_value(),
                                   e.message() + "; its CNI cache entry is kept: `podns recover` "
                                                 "releases the address once CNI DEL can run"));
    } else {
      left->push_back(std::move(e));
      left->push_back(std::move(kept.error()).context("keep its CNI cache entry for podns recover"));
    }
  }
  if (auto f = fault::point("rm.network"); !f) return fail(std::move(f.error()));
  if (auto gone = unpin_ip_netns(s); !gone) return fail(std::move(gone.error()));
  // The sandbox's own root, as recorded: nothing is mounted to remove.
  if (auto safe = check_secure_path(s.root, "pin root"); !safe) return fail(std::move(safe.error()));
  int raw = ::open(s.root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (raw < 0 && errno != ENOENT) return fail(sys_error("open pin root", s.root).error());
  if (raw >= 0) {
    Fd root(raw);
    if (auto gone = pin::remove_pod_dir(root, s.root, s.id, pin::expected(s)); !gone)
      return fail(std::move(gone.error()));
  }
  if (auto f = fault::point("rm.unpin"); !f) return fail(std::move(f.error()));
  PODNS_CHECK(store_.erase(s.id));
  return fault::point("rm.forget");
}

Result<Sandbox> Manager::Impl::stop(const std::string& id) {
  PODNS_CHECK(validate_id(id));
  const std::string ctx = "stop sandbox " + id;
  PODNS_TRY_CTX(lock, store_.lock(id), ctx);
  PODNS_TRY_CTX(found, store_.get(id), ctx);
  if (!found) return plain_error(ENOENT, "no sandbox " + id);
  Sandbox s = std::move(*found);
  PODNS_CHECK_CTX(fault::point("stop.begin"), ctx);
  if (s.state != SandboxState::ready && s.state != SandboxState::stopped &&
      s.state != SandboxState::notready) {
    return plain_error(EINVAL, ctx + ": sandbox is " + to_string(s.state) +
                                   "; only `podns rm` (or `podns recover`) can finish it");
  }
  // Also after a stop that failed halfway: DEL again until it is done.
  PODNS_CHECK_CTX(detach(s), ctx);
  PODNS_CHECK_CTX(fault::point("stop.network"), ctx);
  if (s.state == SandboxState::ready) {
    s.state = SandboxState::stopped;
    PODNS_CHECK_CTX(store_.update(s), ctx);
  }
  PODNS_CHECK_CTX(fault::point("stop.stopped"), ctx);
  return s;
}

Result<void> Manager::Impl::remove(const std::string& id) { return remove(id, nullptr); }

Result<std::vector<Error>> Manager::Impl::force_remove(const std::string& id) {
  std::vector<Error> left;
  PODNS_CHECK(remove(id, &left));
  return left;
}

Result<void> Manager::Impl::remove(const std::string& id, std::vector<Error>* left) {
  PODNS_CHECK(validate_id(id));
  const std::string ctx = "remove sandbox " + id;
  PODNS_TRY_CTX(lock, store_.lock(id), ctx);
  PODNS_TRY_CTX(found, store_.get(id), ctx);
  if (!found) return plain_error(ENOENT, "no sandbox " + id);
  Sandbox s = std::move(*found);

  // Intent first: a crash from here on is finished by recover or a new rm.
  s.state = SandboxState::removing;
  PODNS_CHECK_CTX(store_.update(s), ctx);
  PODNS_CHECK_CTX(fault::point("rm.begin"), ctx);
  PODNS_CHECK_CTX(teardown(s, left), ctx);
  return {};
}

}  // namespace podns
