// A real OSC client for tests: its own liblo socket, sends to the daemon, waits for replies.
#pragma once

#include <lo/lo.h>
#include <sys/socket.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace latentjam::testing {

struct OscReply {
  using Arg = std::variant<int, float, std::string>;
  std::string address;
  std::vector<Arg> args;

  std::string text(std::size_t i) const { return std::get<std::string>(args.at(i)); }
  int integer(std::size_t i) const { return std::get<int>(args.at(i)); }
  float number(std::size_t i) const {
    const auto& a = args.at(i);
    return std::holds_alternative<float>(a) ? std::get<float>(a) : float(std::get<int>(a));
  }
  // For key/value replies such as /jam/status.reply.
  std::optional<std::variant<int, float, std::string>> value(const std::string& key) const {
    for (std::size_t i = 0; i + 1 < args.size(); i += 2)
      if (std::holds_alternative<std::string>(args[i]) && std::get<std::string>(args[i]) == key)
        return args[i + 1];
    return std::nullopt;
  }
};

class OscClient {
 public:
  explicit OscClient(int daemon_port) {
    server_ = lo_server_new(nullptr, nullptr);  // any free port
    // Room for a burst of replies while the test is still sending.
    int bytes = 4 << 20;
    setsockopt(lo_server_get_socket_fd(server_), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
    lo_server_add_method(server_, nullptr, nullptr, &OscClient::on_message, this);
    target_ = lo_address_new("127.0.0.1", std::to_string(daemon_port).c_str());
  }
  ~OscClient() {
    lo_address_free(target_);
    lo_server_free(server_);
  }
  OscClient(const OscClient&) = delete;
  OscClient& operator=(const OscClient&) = delete;

  int port() const { return lo_server_get_port(server_); }

  // Sends a message built by the caller (lo_message_add_*); takes ownership.
  void send(const std::string& address, lo_message m) {
    lo_send_message_from(target_, server_, address.c_str(), m);
    lo_message_free(m);
  }
  template <class... Args>
  void send(const std::string& address, Args... args) {
    lo_message m = lo_message_new();
    (add(m, args), ...);
    send(address, m);
  }

  // Sends one OSC bundle with this timetag holding the messages (address, message built by the
  // caller with lo_message_add_*; takes ownership), from this client's socket.
  void send_bundle(lo_timetag when, std::vector<std::pair<std::string, lo_message>> messages) {
    lo_bundle b = lo_bundle_new(when);
    for (auto& [address, m] : messages) lo_bundle_add_message(b, address.c_str(), m);
    lo_send_bundle_from(target_, server_, b);
    lo_bundle_free_recursive(b);
  }

  // Waits for the next reply whose address is `address` (others are kept for later calls).
  std::optional<OscReply> wait_for(const std::string& address,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return wait_until([&](const OscReply& r) { return r.address == address; }, timeout);
  }

  // The reply to a command: its /done or /fail, whichever comes first.
  std::optional<OscReply> wait_done_or_fail(
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    return wait_until(
        [](const OscReply& r) { return r.address == "/done" || r.address == "/fail"; }, timeout);
  }

  // Takes the first reply that matches, receiving until one arrives or the timeout passes.
  template <class Match>
  std::optional<OscReply> wait_until(Match matches, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      for (std::size_t i = 0; i < inbox_.size(); ++i) {
        if (matches(inbox_[i])) {
          OscReply r = inbox_[i];
          inbox_.erase(inbox_.begin() + static_cast<std::ptrdiff_t>(i));
          return r;
        }
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      lo_server_recv_noblock(server_, static_cast<int>(left.count()));
    }
  }

  // Asks for the status until the daemon answers: the event that says it is ready.
  bool wait_until_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      send("/jam/status");
      if (wait_for("/jam/status.reply", std::chrono::milliseconds(200))) return true;
    }
    return false;
  }

  std::vector<OscReply>& inbox() { return inbox_; }

 private:
  static void add(lo_message m, int v) { lo_message_add_int32(m, v); }
  static void add(lo_message m, float v) { lo_message_add_float(m, v); }
  static void add(lo_message m, double v) { lo_message_add_float(m, static_cast<float>(v)); }
  static void add(lo_message m, const char* v) { lo_message_add_string(m, v); }
  static void add(lo_message m, const std::string& v) { lo_message_add_string(m, v.c_str()); }

  static int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message,
                        void* user) {
    auto* self = static_cast<OscClient*>(user);
    OscReply r{path, {}};
    for (int i = 0; i < argc; ++i) {
      switch (types[i]) {
        // Copied out as bytes: liblo's lo_arg* may be only 4-byte aligned, and reading the
        // union through it is undefined behaviour (UBSan says so under the sanitizer builds).
        case 'i': {
          std::int32_t v = 0;
          std::memcpy(&v, argv[i], sizeof v);
          r.args.emplace_back(static_cast<int>(v));
          break;
        }
        case 'f': {
          float v = 0.0f;
          std::memcpy(&v, argv[i], sizeof v);
          r.args.emplace_back(v);
          break;
        }
        case 's':
          r.args.emplace_back(std::string(reinterpret_cast<const char*>(argv[i])));
          break;
        default:
          r.args.emplace_back(std::string("?"));
      }
    }
    self->inbox_.push_back(std::move(r));
    return 0;
  }

  lo_server server_;
  lo_address target_;
  std::vector<OscReply> inbox_;
};

}  // namespace latentjam::testing
