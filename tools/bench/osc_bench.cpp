// End-to-end benchmark of the daemon over OSC, with SuperCollider's scsynth measured in the same
// run as the peer. Prints a Markdown table (BENCHMARKS.md). Run by tools/bench/run_osc_bench.sh,
// which starts a JACK dummy server for both.
//
//   osc_bench LATENTJAM_BINARY [--scsynth PATH] [--rounds N] [--word-vectors]
#include <lo/lo.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * double(v.size() - 1))];
}

pid_t spawn(std::vector<std::string> args, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    FILE* f = std::fopen(log.c_str(), "w");
    dup2(fileno(f), 1);
    dup2(fileno(f), 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void stop(pid_t pid) {
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
}

// A blocking request/reply client on its own socket.
struct Client {
  lo_server server = lo_server_new(nullptr, nullptr);
  lo_address target;
  std::string last;
  std::vector<std::string> texts;
  float number = 0;
  explicit Client(int port) : target(lo_address_new("127.0.0.1", std::to_string(port).c_str())) {
    lo_server_add_method(server, nullptr, nullptr, &Client::on, this);
    int bytes = 4 << 20;  // room for a burst of answers
    setsockopt(lo_server_get_socket_fd(server), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  }
  ~Client() {
    lo_address_free(target);
    lo_server_free(server);
  }
  static int on(const char* path, const char* types, lo_arg** argv, int argc, lo_message, void* u) {
    auto* c = static_cast<Client*>(u);
    c->last = path;
    c->texts.clear();
    for (int i = 0; i < argc; ++i) {
      if (types[i] == 's')
        c->texts.emplace_back(&argv[i]->s);
      else if (types[i] == 'f')
        c->texts.push_back(std::to_string(argv[i]->f));
      else if (types[i] == 'i')
        c->texts.push_back(std::to_string(argv[i]->i));
    }
    return 0;
  }
  // Sends and waits for a reply whose address starts with `expect`.
  bool call(lo_message m, const char* path, const std::string& expect, int timeout_ms = 2000) {
    lo_send_message_from(target, server, path, m);
    lo_message_free(m);
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (Clock::now() < deadline) {
      last.clear();
      lo_server_recv_noblock(server, 50);
      if (last.rfind(expect, 0) == 0) return true;
    }
    return false;
  }
  std::string value(const std::string& key) const {
    for (std::size_t i = 0; i + 1 < texts.size(); i += 2)
      if (texts[i] == key) return texts[i + 1];
    return "";
  }
};

int free_port() {
  lo_server s = lo_server_new(nullptr, nullptr);
  int p = lo_server_get_port(s);
  lo_server_free(s);
  return p;
}

std::vector<double> round_trips(Client& c, const char* path, const std::string& reply, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    auto t = Clock::now();
    if (c.call(lo_message_new(), path, reply)) out.push_back(ms_since(t));
  }
  return out;
}

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: osc_bench LATENTJAM [--scsynth PATH] [--rounds N] [--word-vectors]\n");
    return 2;
  }
  std::string binary = argv[1], scsynth;
  int rounds = 2000;
  std::string encoder = "hashing";
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--scsynth" && i + 1 < argc)
      scsynth = argv[++i];
    else if (a == "--rounds" && i + 1 < argc)
      rounds = std::atoi(argv[++i]);
    else if (a == "--word-vectors")
      encoder = "word-vectors";
  }
  const auto dir =
      std::filesystem::temp_directory_path() / ("latentjam-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);

  // 1. Start to ready: exec until the first /jam/status answer, five times.
  std::vector<double> ready;
  for (int r = 0; r < 5; ++r) {
    int port = free_port();
    std::filesystem::remove_all(dir / "s");
    Client c(port);
    auto t = Clock::now();
    pid_t pid = spawn({binary, "--osc-port", std::to_string(port), "--audio", "jack",
                       "--session-dir", (dir / "s").string(), "--text-encoder", encoder},
                      (dir / "ready.log").string());
    bool ok = false;
    while (!ok && ms_since(t) < 10000)
      ok = c.call(lo_message_new(), "/jam/status", "/jam/status.reply", 2);
    if (ok) ready.push_back(ms_since(t));
    stop(pid);
  }

  // 2. Status round trip, latentjam and scsynth side by side.
  int port = free_port();
  std::filesystem::remove_all(dir / "s");
  pid_t pid = spawn({binary, "--osc-port", std::to_string(port), "--audio", "jack", "--session-dir",
                     (dir / "s").string(), "--text-encoder", encoder},
                    (dir / "daemon.log").string());
  Client lj(port);
  while (!lj.call(lo_message_new(), "/jam/status", "/jam/status.reply", 50)) {
  }
  auto lj_rt = round_trips(lj, "/jam/status", "/jam/status.reply", rounds);
  std::vector<double> sc_rt;
  if (!scsynth.empty()) {
    int sc_port = free_port();
    pid_t sc =
        spawn({scsynth, "-u", std::to_string(sc_port), "-R", "0", "-D", "0", "-i", "0", "-o", "2"},
              (dir / "scsynth.log").string());
    Client sc_client(sc_port);
    auto t = Clock::now();
    while (ms_since(t) < 10000 &&
           !sc_client.call(lo_message_new(), "/status", "/status.reply", 50)) {
    }
    sc_rt = round_trips(sc_client, "/status", "/status.reply", rounds);
    stop(sc);
  }

  // 3. Prompt received -> rendered buffer handed to the audio thread, built-in decoder.
  auto cmd_s = [&](const char* path, const char* a, const char* b) {
    lo_message m = lo_message_new();
    lo_message_add_string(m, a);
    if (b) lo_message_add_string(m, b);
    return lj.call(m, path, "/done");
  };
  auto cmd_si = [&](const char* path, const char* a, int b) {
    lo_message m = lo_message_new();
    lo_message_add_string(m, a);
    lo_message_add_int32(m, b);
    return lj.call(m, path, "/done");
  };
  cmd_si("/jam/random", "kick", 1);
  cmd_s("/jam/label", "boomy", "kick");
  cmd_si("/jam/random", "kick", 2);
  cmd_s("/jam/label", "clicky", "kick");
  const char* prompts[] = {"boomy", "clicky", "between boomy and clicky", "very boomy",
                           "a bit clicky"};
  for (int i = 0; i < 500; ++i) {
    cmd_s("/jam/prompt", prompts[i % 5], "kick");
    std::this_thread::sleep_for(std::chrono::milliseconds(4));  // a performer's pace, not a flood
  }
  lj.call(lo_message_new(), "/jam/status", "/jam/status.reply");
  const std::string p50 = lj.value("render_p50_ms"), p99 = lj.value("render_p99_ms");

  // 4. Ingest: 20 000 slider moves sent at 20 000 per second (DESIGN.md's target), 20 labels
  // among them; a second thread counts the answers. Committed commands (labels) must all be
  // answered.
  constexpr int kFlood = 20000, kLabels = 20;
  std::atomic<int> answered{0}, labels_answered{0};
  std::atomic<bool> receiving{true};
  std::thread receiver([&] {
    while (receiving.load()) {
      lj.last.clear();
      lo_server_recv_noblock(lj.server, 20);
      if (lj.last == "/done") {
        answered++;
        if (!lj.texts.empty() && lj.texts[0] == "/jam/label") labels_answered++;
      }
    }
  });
  const auto flood_start = Clock::now();
  for (int i = 0; i < kFlood; ++i) {
    if (i % 100 == 0)  // paced in steps of 100 messages = 5 ms
      std::this_thread::sleep_until(flood_start + std::chrono::microseconds(50 * i));
    lo_message m = lo_message_new();
    lo_message_add_float(m, float(i % 100) / 99.0f);
    const std::string path = "/jam/slider/" + std::to_string(1 + i % 8);
    lo_send_message_from(lj.target, lj.server, path.c_str(), m);
    lo_message_free(m);
    if (i % (kFlood / kLabels) == 0) {
      lo_message l = lo_message_new();
      lo_message_add_string(l, ("take " + std::to_string(i)).c_str());
      lo_message_add_string(l, "kick");
      lo_send_message_from(lj.target, lj.server, "/jam/label", l);
      lo_message_free(l);
    }
  }
  const double send_ms = ms_since(flood_start);
  // Until everything is answered, or nothing more has come for a second (UDP lost the rest).
  int seen = -1;
  double answer_ms = ms_since(flood_start);
  while (answered.load() < kFlood + kLabels) {
    if (answered.load() != seen) {
      seen = answered.load();
      answer_ms = ms_since(flood_start);
    } else if (ms_since(flood_start) - answer_ms > 1000) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  receiving = false;
  receiver.join();
  const long rss = rss_kb(pid);
  stop(pid);
  std::filesystem::remove_all(dir);

  std::printf("| measure | latentjam | peer | ratio |\n|---|---|---|---|\n");
  std::printf("| start to ready, median of %zu (ms) | %.1f | | |\n", ready.size(),
              percentile(ready, 0.5));
  std::printf(
      "| OSC status round trip, median (ms) | %.3f | %s | %s |\n", percentile(lj_rt, 0.5),
      sc_rt.empty() ? "" : std::to_string(percentile(sc_rt, 0.5)).c_str(),
      sc_rt.empty() ? "" : std::to_string(percentile(lj_rt, 0.5) / percentile(sc_rt, 0.5)).c_str());
  std::printf("| OSC status round trip, p99 (ms) | %.3f | %s | %s |\n", percentile(lj_rt, 0.99),
              sc_rt.empty() ? "" : std::to_string(percentile(sc_rt, 0.99)).c_str(),
              sc_rt.empty()
                  ? ""
                  : std::to_string(percentile(lj_rt, 0.99) / percentile(sc_rt, 0.99)).c_str());
  std::printf("| prompt -> buffer handed to audio, p50 (ms), 500 prompts | %s | | |\n",
              p50.c_str());
  std::printf("| prompt -> buffer handed to audio, p99 (ms) | %s | | |\n", p99.c_str());
  std::printf("| resident memory after the run (MB), encoder %s | %.1f | | |\n", encoder.c_str(),
              rss / 1024.0);
  std::printf("| OSC ingest: %d commands sent in (ms), answered in (ms) | %.0f / %.0f | | |\n",
              kFlood + kLabels, send_ms, answer_ms);
  std::printf("| OSC ingest rate, commands answered per second | %.0f | | |\n",
              answered.load() * 1000.0 / answer_ms);
  std::printf("| commands answered / sent; labels answered / sent | %d / %d; %d / %d | | |\n",
              answered.load(), kFlood + kLabels, labels_answered.load(), kLabels);
  std::printf("\n(round trips: %zu latentjam, %zu scsynth)\n", lj_rt.size(), sc_rt.size());
  return 0;
}
