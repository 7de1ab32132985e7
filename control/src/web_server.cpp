#include "latentjam/control/web_server.hpp"

#include <civetweb.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "latentjam/control/osc_packet.hpp"
#include "latentjam/control/parse.hpp"
#include "remote_gate.hpp"

namespace latentjam::control {

namespace {

constexpr const char* kSocketPath = "/osc";

std::once_flag g_library_once;

}  // namespace

struct WebServer::Impl {
  Options options;
  Sink sink;
  std::unique_ptr<detail::RemoteGate> gate;
  mg_context* context = nullptr;
  int port = 0;
  std::atomic<bool> receiving{true};

  // Open WebSockets by number. A write holds the lock, so civetweb's close handler (which takes
  // it too) cannot free a connection while it is being written to.
  mutable std::mutex connections_mutex;
  std::map<std::uint32_t, mg_connection*> connections;
  std::uint32_t next_id = 1;

  // Replies waiting for the writer thread.
  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<std::pair<std::uint32_t, std::vector<unsigned char>>> queue;
  bool stopping = false;
  std::atomic<std::uint64_t> dropped_replies{0};
  std::thread writer;

  void write_loop() {
    for (;;) {
      std::pair<std::uint32_t, std::vector<unsigned char>> item;
      {
        std::unique_lock lock(queue_mutex);
        queue_changed.wait(lock, [this] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and everything queued was sent
        item = std::move(queue.front());
        queue.pop_front();
      }
      std::lock_guard lock(connections_mutex);
      auto it = connections.find(item.first);
      if (it == connections.end()) continue;  // that browser has gone
      mg_websocket_write(it->second, MG_WEBSOCKET_OPCODE_BINARY,
                         reinterpret_cast<const char*>(item.second.data()), item.second.size());
    }
  }

  static Impl* of(const mg_connection* conn) {
    return static_cast<Impl*>(mg_get_user_data(mg_get_context(conn)));
  }
  static std::uint32_t id_of(const mg_connection* conn) {
    return static_cast<std::uint32_t>(
        reinterpret_cast<std::uintptr_t>(mg_get_user_connection_data(conn)));
  }
  static ReplyTo reply_to(std::uint32_t id) { return {kWebSocketHost, std::to_string(id)}; }
};

namespace {

// Every request, page or WebSocket upgrade, passes the same gate as OSC.
int on_begin_request(mg_connection* conn) {
  auto* impl = WebServer::Impl::of(conn);
  const mg_request_info* info = mg_get_request_info(conn);
  if (impl->gate->admit(info->remote_addr)) return 0;
  mg_send_http_error(conn, 403, "%s",
                     "latentjam accepts browsers on this machine only; start it with "
                     "--allow-remote or --allow HOST");
  return 403;
}

// civetweb's complaints (a bad request, a socket error) go to the daemon's log, not stderr.
int on_log(const mg_connection* conn, const char* message) {
  auto* impl = conn ? WebServer::Impl::of(conn) : nullptr;
  if (impl && impl->options.on_log && message) impl->options.on_log(message);
  return 1;
}

int on_file_request(mg_connection* conn, void* cbdata) {
  mg_send_mime_file(conn, static_cast<const std::string*>(cbdata)->c_str(), nullptr);
  return 200;
}

int on_socket_connect(const mg_connection*, void*) {
  return 0;
}

void on_socket_ready(mg_connection* conn, void*) {
  auto* impl = WebServer::Impl::of(conn);
  std::lock_guard lock(impl->connections_mutex);
  const std::uint32_t id = impl->next_id++;
  if (impl->next_id == 0) impl->next_id = 1;
  impl->connections[id] = conn;
  mg_set_user_connection_data(conn, reinterpret_cast<void*>(static_cast<std::uintptr_t>(id)));
}

int on_socket_data(mg_connection* conn, int bits, char* data, std::size_t size, void*) {
  auto* impl = WebServer::Impl::of(conn);
  const int opcode = bits & 0x0f;
  if (opcode == MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE) return 0;
  if (opcode >= 0x8) return 1;  // ping and pong: civetweb answers pings itself
  if (!impl->receiving.load()) return 1;
  const ReplyTo from = WebServer::Impl::reply_to(WebServer::Impl::id_of(conn));
  if (opcode != MG_WEBSOCKET_OPCODE_BINARY) {
    impl->sink(Rejected{"/", from,
                        "send each OSC packet as one binary WebSocket message (this was text)"});
    return 1;
  }
  for (auto& parsed : parse_osc_packet(*impl->options.commands, data, size, from))
    impl->sink(std::move(parsed));
  return 1;
}

void on_socket_close(const mg_connection* conn, void*) {
  auto* impl = WebServer::Impl::of(conn);
  const std::uint32_t id = WebServer::Impl::id_of(conn);
  {
    std::lock_guard lock(impl->connections_mutex);
    impl->connections.erase(id);
  }
  // A closed tab stops being a subscriber at once rather than filling a slot until it is evicted.
  if (id != 0 && impl->receiving.load())
    impl->sink(parse_message(*impl->options.commands, "/jam/unsubscribe", {},
                             WebServer::Impl::reply_to(id)));
}

}  // namespace

WebServer::WebServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<WebServer> WebServer::start(const Options& options, Sink sink, std::string& error) {
  std::call_once(g_library_once,
                 [] { mg_init_library(MG_FEATURES_WEBSOCKET | MG_FEATURES_FILES); });
  if (!options.commands) {
    error = "web: no command table";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sink = std::move(sink);
  impl->gate = std::make_unique<detail::RemoteGate>(options.allow_remote, options.allowed_hosts,
                                                    options.on_first_drop);
  std::error_code ec;
  if (!std::filesystem::is_directory(options.document_root, ec)) {
    error = "web: the page's folder " + options.document_root + " is not a directory";
    return nullptr;
  }
  const std::string ports = impl->gate->opens_to_others()
                                ? std::to_string(options.port)
                                : "127.0.0.1:" + std::to_string(options.port);
  const char* config[] = {"listening_ports", ports.c_str(), "document_root",
                          options.document_root.c_str(), "num_threads", "8",
                          "enable_directory_listing", "no", "enable_keep_alive", "yes",
                          // Pings keep a phone's idle socket open through Wi-Fi power saving.
                          "enable_websocket_ping_pong", "yes", "websocket_timeout_ms", "10000",
                          "request_timeout_ms", "10000", nullptr};
  mg_callbacks callbacks{};
  callbacks.begin_request = on_begin_request;
  callbacks.log_message = on_log;
  mg_init_data init{&callbacks, impl.get(), config};
  char text[256] = {0};
  unsigned code = 0;
  mg_error_data error_data{&code, text, sizeof text};
  impl->context = mg_start2(&init, &error_data);
  if (!impl->context) {
    error = "web: cannot serve on tcp port " + std::to_string(options.port) + ": " +
            (text[0] ? std::string(text) : std::string("unknown error"));
    return nullptr;
  }
  mg_server_port bound[4];
  const int n = mg_get_server_ports(impl->context, 4, bound);
  impl->port = n > 0 ? bound[0].port : options.port;
  for (const auto& [url, path] : impl->options.files)
    mg_set_request_handler(impl->context, url.c_str(), on_file_request,
                           const_cast<std::string*>(&path));
  mg_set_websocket_handler(impl->context, kSocketPath, on_socket_connect, on_socket_ready,
                           on_socket_data, on_socket_close, nullptr);
  impl->writer = std::thread([raw = impl.get()] {
    pthread_setname_np(pthread_self(), "lj-web-writer");
    raw->write_loop();
  });
  return std::unique_ptr<WebServer>(new WebServer(std::move(impl)));
}

WebServer::~WebServer() {
  stop_receiving();
  {
    std::lock_guard lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_changed.notify_all();
  if (impl_->writer.joinable()) impl_->writer.join();
  mg_stop(impl_->context);  // closes the sockets; their close handlers run before it returns
}

int WebServer::port() const {
  return impl_->port;
}

void WebServer::stop_receiving() {
  impl_->receiving.store(false);
}

void WebServer::send(const ReplyTo& to, const Reply& reply) {
  if (!is_web_client(to)) return;
  std::uint32_t id = 0;
  try {
    id = static_cast<std::uint32_t>(std::stoul(to.port));
  } catch (const std::exception&) {
    return;
  }
  auto bytes = encode_osc_message(reply);
  {
    std::lock_guard lock(impl_->queue_mutex);
    if (impl_->queue.size() >= kMaxQueued) {
      impl_->dropped_replies.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    impl_->queue.emplace_back(id, std::move(bytes));
  }
  impl_->queue_changed.notify_one();
}

std::uint64_t WebServer::dropped_remote() const {
  return impl_->gate->dropped();
}
std::uint64_t WebServer::dropped_replies() const {
  return impl_->dropped_replies.load();
}
std::size_t WebServer::clients() const {
  std::lock_guard lock(impl_->connections_mutex);
  return impl_->connections.size();
}

}  // namespace latentjam::control
