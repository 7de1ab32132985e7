// The browser surface's door (civetweb): serves the page (static files) over HTTP and speaks the
// OSC command table over a WebSocket at /osc, each binary message one OSC packet, so a phone's
// browser is one more client of the same contract (docs/browser.md). Messages reach the same sink
// as the UDP server's; a client's replies and pushes go back on its own socket.
//
// Threads: civetweb's threads read and parse (never blocking on the engine: the sink is the
// conductor's lock-free queue); one writer thread of ours sends, so a slow phone delays only
// itself and the browsers, never the conductor.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "latentjam/control/command.hpp"
#include "latentjam/control/osc_server.hpp"

namespace latentjam::control {

// The ReplyTo of a browser: host "ws", port the connection's number.
inline constexpr const char* kWebSocketHost = "ws";
inline bool is_web_client(const ReplyTo& to) {
  return to.host == kWebSocketHost;
}

class WebServer {
 public:
  struct Options {
    const CommandTable* commands = nullptr;  // required: what messages are validated against
    int port = 8080;
    std::string document_root;  // the page's folder (web/ of the source tree)
    // Extra files served at fixed URLs (the OSC library fetched at setup: /vendor/osc.min.js).
    std::map<std::string, std::string> files;
    // Bound to 127.0.0.1 unless remote hosts are allowed (every one, or those listed), as OSC.
    bool allow_remote = false;
    std::vector<std::string> allowed_hosts;
    std::function<void(const std::string& host)> on_first_drop;  // once per refused host (<= 16)
    std::function<void(const std::string& line)> on_log;         // civetweb's own messages
  };
  using Sink = std::function<void(Parsed&&)>;

  // Starts serving; nullptr and a reason in `error` when the port cannot be opened.
  static std::unique_ptr<WebServer> start(const Options& options, Sink sink, std::string& error);
  // Stops civetweb (closing every socket) and the writer. Thread-safe against send().
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  int port() const;
  // No new messages from browsers; replies can still be sent. Idempotent.
  void stop_receiving();
  // Queues a reply for a browser (is_web_client(to)); never blocks. Dropped when that browser has
  // gone, or when more than kMaxQueued messages wait (counted in dropped_replies()).
  void send(const ReplyTo& to, const Reply& reply);
  std::uint64_t dropped_remote() const;   // requests refused: their host is not allowed
  std::uint64_t dropped_replies() const;  // replies not sent: the queue was full
  std::size_t clients() const;            // open WebSockets

  static constexpr std::size_t kMaxQueued = 8192;

  struct Impl;  // public only so civetweb's C callbacks can reach it; defined in the .cpp

 private:
  explicit WebServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace latentjam::control
