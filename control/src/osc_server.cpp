#include "latentjam/control/osc_server.hpp"

#include <lo/lo.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>

#include "lo_convert.hpp"
#include "remote_gate.hpp"

namespace latentjam::control {

struct OscServer::Impl {
  Options options;
  Sink sink;
  lo_server_thread thread = nullptr;
  bool stopped = false;  // stop_receiving() was called (by the thread that owns the server)
  // The due times of the bundles being dispatched, innermost last (liblo's thread only): liblo's
  // own queue of future bundles is turned off (it was unbounded, and the replies of its queued
  // messages went to whoever sent last), so their messages come at once and carry the time.
  std::vector<std::int64_t> bundle_due;
  std::map<std::pair<std::string, std::string>, lo_address> addresses;  // conductor thread only
  std::unique_ptr<detail::RemoteGate> gate;

  ~Impl() {
    if (thread) {
      if (!stopped) lo_server_thread_stop(thread);
      lo_server_thread_free(thread);
    }
    for (auto& [key, addr] : addresses) lo_address_free(addr);
  }
};

namespace {

thread_local std::string* g_start_error = nullptr;

void on_liblo_error(int num, const char* msg, const char* where) {
  if (g_start_error)
    *g_start_error = "OSC: " + std::string(msg ? msg : "error") + " (" + std::to_string(num) +
                     (where ? std::string(", ") + where : std::string()) + ")";
}

int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg,
               void* user) {
  auto* impl = static_cast<OscServer::Impl*>(user);
  lo_address source = lo_message_get_source(msg);
  const char* host = source ? lo_address_get_hostname(source) : nullptr;
  const char* port = source ? lo_address_get_port(source) : nullptr;
  if (!impl->gate->admit(host ? host : "")) return 0;
  ReplyTo reply{host ? host : "", port ? port : ""};
  impl->sink(detail::parse_lo_message(*impl->options.commands, path, types, argv, argc,
                                      std::move(reply),
                                      impl->bundle_due.empty() ? 0 : impl->bundle_due.back()));
  return 0;
}

// A bundle begins: its timetag as a steady-clock time, 0 for "now" (the immediate timetag or one
// already past).
int on_bundle_start(lo_timetag time, void* user) {
  auto* impl = static_cast<OscServer::Impl*>(user);
  std::int64_t due = detail::due_from_timetag(time);
  // A nested bundle runs no earlier than the one around it.
  if (!impl->bundle_due.empty()) due = std::max(due, impl->bundle_due.back());
  impl->bundle_due.push_back(due);
  return 0;
}

int on_bundle_end(void* user) {
  auto* impl = static_cast<OscServer::Impl*>(user);
  if (!impl->bundle_due.empty()) impl->bundle_due.pop_back();
  return 0;
}

}  // namespace

OscServer::OscServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OscServer::~OscServer() = default;

std::unique_ptr<OscServer> OscServer::start(const Options& options, Sink sink, std::string& error) {
  if (!options.commands) {
    error = "OSC: no command table";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sink = std::move(sink);
  impl->gate = std::make_unique<detail::RemoteGate>(options.allow_remote, options.allowed_hosts,
                                                    options.on_first_drop);
  const std::string port = std::to_string(options.port);
  error.clear();
  g_start_error = &error;
  impl->thread = lo_server_thread_new_with_proto(port.c_str(), LO_UDP, on_liblo_error);
  g_start_error = nullptr;
  if (!impl->thread) {
    if (error.empty()) error = "OSC: cannot open UDP port " + port;
    return nullptr;
  }
  int fd = lo_server_get_socket_fd(lo_server_thread_get_server(impl->thread));
  if (fd >= 0 && options.receive_buffer_bytes > 0) {
    // FORCE passes net.core.rmem_max when the daemon may (root, CAP_NET_ADMIN); else the cap holds.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &options.receive_buffer_bytes,
                   sizeof(options.receive_buffer_bytes)) != 0)
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options.receive_buffer_bytes,
                 sizeof(options.receive_buffer_bytes));
  }
  lo_server_thread_add_method(impl->thread, nullptr, nullptr, on_message, impl.get());
  lo_server server = lo_server_thread_get_server(impl->thread);
  lo_server_enable_queue(server, 0, 1);  // future bundles: dispatched now, scheduled by the daemon
  lo_server_add_bundle_handlers(server, on_bundle_start, on_bundle_end, impl.get());
  if (lo_server_thread_start(impl->thread) != 0) {
    error = "OSC: cannot start the server thread";
    return nullptr;
  }
  return std::unique_ptr<OscServer>(new OscServer(std::move(impl)));
}

int OscServer::port() const {
  return lo_server_thread_get_port(impl_->thread);
}

std::uint64_t OscServer::dropped_remote() const {
  return impl_->gate->dropped();
}

void OscServer::stop_receiving() {
  if (impl_->thread && !impl_->stopped) {
    lo_server_thread_stop(impl_->thread);
    impl_->stopped = true;
  }
}

void OscServer::send(const ReplyTo& to, const Reply& reply) {
  auto key = std::make_pair(to.host, to.port);
  auto it = impl_->addresses.find(key);
  if (it == impl_->addresses.end()) {
    lo_address addr = lo_address_new(to.host.c_str(), to.port.c_str());
    if (!addr) return;
    it = impl_->addresses.emplace(key, addr).first;
  }
  lo_message msg = detail::to_lo_message(reply);
  lo_send_message_from(it->second, lo_server_thread_get_server(impl_->thread),
                       reply.address.c_str(), msg);
  lo_message_free(msg);
}

}  // namespace latentjam::control
