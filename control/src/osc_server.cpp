#include "latentjam/control/osc_server.hpp"

#include <lo/lo.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "latentjam/control/parse.hpp"

namespace latentjam::control {

struct OscServer::Impl {
  Options options;
  Sink sink;
  lo_server_thread thread = nullptr;
  bool stopped = false;
  // The due times of the bundles being dispatched, innermost last (liblo's thread only): liblo's
  // own queue of future bundles is turned off (it was unbounded, and the replies of its queued
  // messages went to whoever sent last), so their messages come at once and carry the time.
  std::vector<std::int64_t>
      bundle_due;  // stop_receiving() was called (by the thread that owns the server)
  std::map<std::pair<std::string, std::string>, lo_address> addresses;  // conductor thread only
  std::atomic<std::uint64_t> dropped{0};
  std::mutex dropped_hosts_mutex;  // liblo's thread only, but kept simple
  std::set<std::string> dropped_hosts;

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

bool is_loopback(const char* host) {
  if (!host) return false;
  std::string h(host);
  return h.rfind("127.", 0) == 0 || h == "::1" || h == "localhost" ||
         h.rfind("::ffff:127.", 0) == 0;
}

// liblo hands out pointers into the packet, which need not be aligned for the type: copy the
// bytes rather than read through a misaligned lo_arg* (undefined behaviour, found by UBSan).
template <class T>
T read_arg(const lo_arg* arg) {
  T value;
  std::memcpy(&value, arg, sizeof value);
  return value;
}

std::vector<OscArg> convert_args(const char* types, lo_arg** argv, int argc) {
  std::vector<OscArg> args;
  args.reserve(static_cast<std::size_t>(argc));
  for (int i = 0; i < argc; ++i) {
    char t = types[i];
    OscArg a{t, std::int64_t{0}};
    switch (t) {
      case 'i':
        a.value = std::int64_t{read_arg<std::int32_t>(argv[i])};
        break;
      case 'h':
        a.value = read_arg<std::int64_t>(argv[i]);
        break;
      case 'f':
        a.value = double{read_arg<float>(argv[i])};
        break;
      case 'd':
        a.value = read_arg<double>(argv[i]);
        break;
      case 's':
      case 'S':
        a.value = std::string(&argv[i]->s);
        break;
      default:
        break;  // kept as an unsupported tag so the parser can name it
    }
    args.push_back(std::move(a));
  }
  return args;
}

int on_message(const char* path, const char* types, lo_arg** argv, int argc, lo_message msg,
               void* user) {
  auto* impl = static_cast<OscServer::Impl*>(user);
  lo_address source = lo_message_get_source(msg);
  const char* host = source ? lo_address_get_hostname(source) : nullptr;
  const char* port = source ? lo_address_get_port(source) : nullptr;
  if (!impl->options.allow_remote && !is_loopback(host) &&
      std::find(impl->options.allowed_hosts.begin(), impl->options.allowed_hosts.end(),
                host ? std::string(host) : std::string()) == impl->options.allowed_hosts.end()) {
    impl->dropped.fetch_add(1, std::memory_order_relaxed);
    const std::string from = host ? host : "?";
    bool first = false;
    {
      std::lock_guard lock(impl->dropped_hosts_mutex);
      if (impl->dropped_hosts.size() < 16) first = impl->dropped_hosts.insert(from).second;
    }
    if (first && impl->options.on_first_drop) impl->options.on_first_drop(from);
    return 0;
  }
  ReplyTo reply{host ? host : "", port ? port : ""};
  Parsed parsed = parse_message(path, convert_args(types, argv, argc), std::move(reply));
  if (auto* cmd = std::get_if<Command>(&parsed)) {
    cmd->received_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now().time_since_epoch())
                           .count();
    if (!impl->bundle_due.empty()) cmd->due_ns = impl->bundle_due.back();
  }
  impl->sink(std::move(parsed));
  return 0;
}

// A bundle begins: its timetag as a steady-clock time, 0 for "now" (the immediate timetag or one
// already past).
int on_bundle_start(lo_timetag time, void* user) {
  auto* impl = static_cast<OscServer::Impl*>(user);
  std::int64_t due = 0;
  if (!(time.sec == 0 && time.frac == 1)) {
    lo_timetag now;
    lo_timetag_now(&now);
    const double ahead_s = lo_timetag_diff(time, now);
    if (ahead_s > 0.0)
      due = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::steady_clock::now().time_since_epoch())
                .count() +
            static_cast<std::int64_t>(std::min(ahead_s, 1e9) * 1e9);
  }
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
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sink = std::move(sink);
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
  return impl_->dropped.load();
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
  lo_message msg = lo_message_new();
  for (const auto& arg : reply.args) {
    if (auto* i = std::get_if<std::int32_t>(&arg))
      lo_message_add_int32(msg, *i);
    else if (auto* f = std::get_if<float>(&arg))
      lo_message_add_float(msg, *f);
    else
      lo_message_add_string(msg, std::get<std::string>(arg).c_str());
  }
  lo_send_message_from(it->second, lo_server_thread_get_server(impl_->thread),
                       reply.address.c_str(), msg);
  lo_message_free(msg);
}

}  // namespace latentjam::control
