// A real browser-side client for tests: a WebSocket (civetweb's client) that sends OSC packets as
// binary messages and collects the OSC messages the daemon sends back; and a plain HTTP GET.
#pragma once

#include <civetweb.h>
#include <lo/lo.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "osc_client.hpp"

namespace latentjam::testing {

inline void init_civetweb() {
  static const bool once = [] {
    mg_init_library(0);
    return true;
  }();
  (void)once;
}

// One OSC message as bytes (liblo's encoder).
inline std::vector<char> osc_bytes(const std::string& address, lo_message m) {
  std::vector<char> bytes(lo_message_length(m, address.c_str()));
  std::size_t size = bytes.size();
  lo_message_serialise(m, address.c_str(), bytes.data(), &size);
  lo_message_free(m);
  bytes.resize(size);
  return bytes;
}

class WebClient {
 public:
  // Connects to ws://host:port/osc; connected() says whether it worked, error() why not.
  WebClient(const std::string& host, int port) {
    init_civetweb();
    char error[256] = {0};
    conn_ = mg_connect_websocket_client(host.c_str(), port, 0, error, sizeof error, "/osc", nullptr,
                                        &WebClient::on_data, &WebClient::on_close, this);
    if (!conn_) error_ = error;
  }
  ~WebClient() { close(); }
  WebClient(const WebClient&) = delete;
  WebClient& operator=(const WebClient&) = delete;

  bool connected() const { return conn_ != nullptr; }
  const std::string& error() const { return error_; }

  void close() {
    if (conn_) mg_close_connection(conn_);
    conn_ = nullptr;
  }

  void send_bytes(const std::vector<char>& bytes, int opcode = MG_WEBSOCKET_OPCODE_BINARY) {
    mg_websocket_client_write(conn_, opcode, bytes.data(), bytes.size());
  }
  void send(const std::string& address, lo_message m) { send_bytes(osc_bytes(address, m)); }
  template <class... Args>
  void send(const std::string& address, Args... args) {
    lo_message m = lo_message_new();
    (add(m, args), ...);
    send(address, m);
  }

  // The first message (received and not taken yet) that `match` accepts, waiting up to `timeout`.
  std::optional<OscReply> wait_for(const std::function<bool(const OscReply&)>& match,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    std::optional<OscReply> found;
    changed_.wait_for(lock, timeout, [&] {
      for (auto it = received_.begin(); it != received_.end(); ++it)
        if (match(*it)) {
          found = *it;
          received_.erase(it);
          return true;
        }
      return false;
    });
    return found;
  }
  // The /done or /fail answering `address`.
  std::optional<OscReply> answer(const std::string& address,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_for(
        [&](const OscReply& r) {
          return (r.address == "/done" || r.address == "/fail") && !r.args.empty() &&
                 std::holds_alternative<std::string>(r.args[0]) && r.text(0) == address;
        },
        timeout);
  }
  std::optional<OscReply> message(const std::string& address,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return wait_for([&](const OscReply& r) { return r.address == address; }, timeout);
  }
  bool closed_by_server() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  static void add(lo_message m, int v) { lo_message_add_int32(m, v); }
  static void add(lo_message m, float v) { lo_message_add_float(m, v); }
  static void add(lo_message m, const char* v) { lo_message_add_string(m, v); }
  static void add(lo_message m, const std::string& v) { lo_message_add_string(m, v.c_str()); }

  static int on_data(mg_connection*, int bits, char* data, std::size_t size, void* user) {
    auto* self = static_cast<WebClient*>(user);
    if ((bits & 0x0f) != MG_WEBSOCKET_OPCODE_BINARY) return 1;
    std::vector<char> copy(data, data + size);
    int result = 0;
    lo_message msg = lo_message_deserialise(copy.data(), copy.size(), &result);
    if (!msg) return 1;
    OscReply reply;
    reply.address = copy.data();
    const char* types = lo_message_get_types(msg);
    lo_arg** argv = lo_message_get_argv(msg);
    for (int i = 0; i < lo_message_get_argc(msg); ++i) {
      if (types[i] == 'i') {
        std::int32_t v;
        std::memcpy(&v, argv[i], sizeof v);
        reply.args.emplace_back(int(v));
      } else if (types[i] == 'f') {
        float v;
        std::memcpy(&v, argv[i], sizeof v);
        reply.args.emplace_back(v);
      } else if (types[i] == 's') {
        reply.args.emplace_back(std::string(reinterpret_cast<const char*>(argv[i])));
      }
    }
    lo_message_free(msg);
    {
      std::lock_guard lock(self->mutex_);
      self->received_.push_back(std::move(reply));
    }
    self->changed_.notify_all();
    return 1;
  }
  static void on_close(const mg_connection*, void* user) {
    auto* self = static_cast<WebClient*>(user);
    {
      std::lock_guard lock(self->mutex_);
      self->closed_ = true;
    }
    self->changed_.notify_all();
  }

  mg_connection* conn_ = nullptr;
  std::string error_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<OscReply> received_;
  bool closed_ = false;
};

struct HttpResponse {
  int status = 0;  // 0: no connection
  std::string body;
};

// GET http://host:port/path.
inline HttpResponse http_get(const std::string& host, int port, const std::string& path) {
  init_civetweb();
  char error[256] = {0};
  mg_connection* conn = mg_connect_client(host.c_str(), port, 0, error, sizeof error);
  if (!conn) return {};
  mg_printf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path.c_str(),
            host.c_str());
  HttpResponse response;
  if (mg_get_response(conn, error, sizeof error, 10000) >= 0) {
    response.status = mg_get_response_info(conn)->status_code;
    char buffer[4096];
    for (int n; (n = mg_read(conn, buffer, sizeof buffer)) > 0;) response.body.append(buffer, n);
  }
  mg_close_connection(conn);
  return response;
}

}  // namespace latentjam::testing
