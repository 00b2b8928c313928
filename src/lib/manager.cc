// Opening a manager and reading sandboxes. Creation, removal and recovery
// live in create.cc, remove.cc and recover.cc.
#include "podns/manager_impl.h"

#include "podns/host_ranges.h"
#include "podns/pin.h"
#include "podns/secure_path.h"

namespace podns {

Result<void> validate_config(const Config& config) {
  PODNS_CHECK(check_path_syntax(config.root, "pin root"));
  PODNS_CHECK(check_path_syntax(config.state_dir, "state directory"));
  PODNS_CHECK(check_path_syntax(config.cni_conf_dir, "CNI configuration directory"));
  PODNS_CHECK(check_path_syntax(config.ip_netns_dir, "ip netns directory"));
  PODNS_CHECK(cni::validate_options(config.cni));
  PODNS_CHECK(host_ranges::check_pool(config.auto_pool));
  return {};
}

Result<Manager> Manager::open(Config config) {
  PODNS_CHECK(validate_config(config));
  PODNS_TRY(store, Store::open(config.state_dir));
  return Manager(std::make_unique<Impl>(std::move(config), std::move(store)));
}

Manager::Manager(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Manager::Manager(Manager&& other) noexcept = default;
Manager& Manager::operator=(Manager&& other) noexcept = default;
Manager::~Manager() = default;

Result<Sandbox> Manager::create(const CreateOptions& opts) { return impl_->create(opts); }
Result<Sandbox> Manager::inspect(const std::string& id) { return impl_->inspect(id); }
Result<std::vector<Sandbox>> Manager::list() { return impl_->list(); }
Result<Sandbox> Manager::stop(const std::string& id) { return impl_->stop(id); }
Result<void> Manager::check(const std::string& id) { return impl_->check(id); }
Result<void> Manager::remove(const std::string& id) { return impl_->remove(id); }
Result<std::vector<Error>> Manager::force_remove(const std::string& id) {
  return impl_->force_remove(id);
}
Result<std::vector<RecoverAction>> Manager::recover() { return impl_->recover(); }
const Config& Manager::config() const { return impl_->config(); }

Result<const Fd*> Manager::Impl::root() {
  if (!root_) {
    PODNS_TRY(lock, store_.lock_root());
    PODNS_TRY(fd, pin::open_root(config_.root));
    root_ = std::move(fd);
  }
  return &root_;
}

Result<Sandbox> Manager::Impl::inspect(const std::string& id) {
  PODNS_CHECK(validate_id(id));
  PODNS_TRY(found, store_.get(id));
  if (!found) return plain_error(ENOENT, "no sandbox " + id);
  return std::move(*found);
}

Result<std::vector<Sandbox>> Manager::Impl::list() { return store_.list(); }

}  // namespace podns
