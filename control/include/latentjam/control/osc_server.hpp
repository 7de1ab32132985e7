// The OSC front door (liblo). Its thread only parses and validates, then hands the result to a sink
// that must not block (the engine pushes it onto a lock-free queue). Replies are sent from the same
// socket, so clients see answers coming from the port they talk to (scsynth style).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "latentjam/control/command.hpp"

namespace latentjam::control {

using ReplyArg = std::variant<std::int32_t, float, std::string>;

struct Reply {
  std::string address;
  std::vector<ReplyArg> args;
};

// The largest reply sent: liblo, which most clients use to receive, drops longer datagrams
// (its default receive size), and one UDP datagram can hold at most 65507 bytes anyway. A
// command whose answer would be longer answers /fail with a way to ask for less instead.
inline constexpr std::size_t kMaxReplyBytes = 32768;

// The size of the reply as one OSC message: address, type tags and arguments, each padded to
// four bytes as the OSC 1.0 encoding does.
inline std::size_t encoded_size(const Reply& reply) {
  const auto padded = [](std::size_t n) { return (n + 4) & ~std::size_t{3}; };  // with the NUL
  std::size_t size = padded(reply.address.size()) + padded(1 + reply.args.size());
  for (const auto& arg : reply.args)
    size +=
        std::holds_alternative<std::string>(arg) ? padded(std::get<std::string>(arg).size()) : 4;
  return size;
}

class OscServer {
 public:
  struct Options {
    const CommandTable* commands = nullptr;  // required: what messages are validated against
    int port = 9000;
    // liblo 0.31 binds every interface; packets from other hosts are dropped unless allowed here:
    // every host, or the hosts listed (numeric addresses as the sender's packets show them).
    bool allow_remote = false;
    std::vector<std::string> allowed_hosts;
    // Called once for each of the first 16 hosts whose packets were dropped (on liblo's thread),
    // so the daemon can say so in its log.
    std::function<void(const std::string& host)> on_first_drop;
    int receive_buffer_bytes = 4 << 20;  // absorbs bursts of slider moves without kernel drops
  };
  using Sink = std::function<void(Parsed&&)>;

  // Starts the server thread; nullptr and a reason in `error` when the port cannot be opened.
  static std::unique_ptr<OscServer> start(const Options& options, Sink sink, std::string& error);
  ~OscServer();
  OscServer(const OscServer&) = delete;
  OscServer& operator=(const OscServer&) = delete;

  int port() const;
  // Stops taking messages (the receiving thread ends) but keeps the socket, so replies can still be
  // sent: the first step of a shutdown, before the conductor drains what it has. Idempotent.
  void stop_receiving();
  // Sends a reply. Call from one thread only (the conductor).
  void send(const ReplyTo& to, const Reply& reply);
  // Messages dropped because they came from a host that is not allowed.
  std::uint64_t dropped_remote() const;

  struct Impl;  // public only so liblo's C callback can reach it; defined in the .cpp

 private:
  explicit OscServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace latentjam::control
