// Which hosts may talk to the daemon, shared by the UDP and the browser doors: this machine
// always; other hosts only when allowed (every one, or those listed). Refusals are counted, and
// the first from each host (up to 16 hosts) is reported so the log says why a surface is silent.
// Thread-safe. Private to control/.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace latentjam::control::detail {

class RemoteGate {
 public:
  RemoteGate(bool allow_remote, std::vector<std::string> allowed,
             std::function<void(const std::string&)> on_first_drop)
      : allow_remote_(allow_remote),
        allowed_(std::move(allowed)),
        on_first_drop_(std::move(on_first_drop)) {}

  static bool is_loopback(const std::string& h) {
    return h.rfind("127.", 0) == 0 || h == "::1" || h == "localhost" ||
           h.rfind("::ffff:127.", 0) == 0;
  }

  // Whether a message or request from `host` (numeric, as the socket shows it) may pass.
  bool admit(const std::string& host) {
    if (allow_remote_ || is_loopback(host) ||
        std::find(allowed_.begin(), allowed_.end(), host) != allowed_.end())
      return true;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    bool first = false;
    {
      std::lock_guard lock(hosts_mutex_);
      if (hosts_.size() < 16) first = hosts_.insert(host.empty() ? "?" : host).second;
    }
    if (first && on_first_drop_) on_first_drop_(host.empty() ? "?" : host);
    return false;
  }

  // Whether anything but this machine can ever pass (the server then listens on every interface).
  bool opens_to_others() const { return allow_remote_ || !allowed_.empty(); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  const bool allow_remote_;
  const std::vector<std::string> allowed_;
  const std::function<void(const std::string&)> on_first_drop_;
  std::atomic<std::uint64_t> dropped_{0};
  std::mutex hosts_mutex_;
  std::set<std::string> hosts_;
};

}  // namespace latentjam::control::detail
