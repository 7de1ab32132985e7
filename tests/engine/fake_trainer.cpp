// A stand-in for latentjam-train in the daemon's /jam/train tests: same command line, same
// progress lines (latentjam/train/progress.hpp), but no model is fitted, so the daemon's side
// (spawning, reading, cancelling, reporting, reaping) is tested in milliseconds and every way the
// trainer can end is reachable on purpose. daemon_train_test.cpp also runs the real trainer.
//
// What it does is read from FOLDER/mode, one line:
//   ok MODEL        stages, 5 progress lines, then "done model=MODEL", exit 0
//   flood N MODEL   N progress lines as fast as it can, then done
//   error MESSAGE   a stage, then "error MESSAGE", exit 1
//   exit N          exit N without a word
//   signal N        kill itself with signal N
//   hang            a stage and a progress line, then wait for a signal (SIGTERM ends it)
//   stubborn        as hang, but SIGTERM is ignored: only SIGKILL ends it
// It writes its arguments (OUT/args.txt, one a line), its pid (OUT/pid) and its scheduling policy
// (OUT/sched: "idle" for SCHED_IDLE) first, so a test can check how it was started.
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "latentjam/train/progress.hpp"

namespace {

void line(const std::string& text) {
  std::printf("%s\n", text.c_str());
  std::fflush(stdout);  // a pipe is block-buffered: each event must go now
}

latentjam::train::Progress progress(long step, long steps) {
  latentjam::train::Progress p;
  p.step = step;
  p.steps = steps;
  p.epoch = step / 2;
  p.loss = 1.0 / double(step + 1);
  p.spectral = 0.5 / double(step + 1);
  p.envelope = 0.25;
  p.kl = 0.125;
  p.elapsed_s = 0.1 * double(step);
  p.left_s = 0.1 * double(steps - step);
  return p;
}

[[noreturn]] void wait_for_a_signal() {
  while (true) pause();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace latentjam::train;
  if (argc < 4) {
    std::fprintf(stderr, "usage: fake_trainer FOLDER --out DIR ...\n");
    return 2;
  }
  const std::string folder = argv[1];
  std::string out;
  for (int i = 2; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--out") out = argv[i + 1];
  if (out.empty()) return 2;
  {
    std::ofstream args(out + "/args.txt");
    for (int i = 1; i < argc; ++i) args << argv[i] << "\n";
    std::ofstream(out + "/pid") << getpid() << "\n";
    std::ofstream(out + "/sched") << (sched_getscheduler(0) == SCHED_IDLE ? "idle" : "other")
                                  << "\n";
  }
  std::ifstream mode_file(folder + "/mode");
  std::string mode_line;
  std::getline(mode_file, mode_line);
  std::istringstream in(mode_line);
  std::string mode;
  in >> mode;
  std::fprintf(stderr, "fake trainer: mode %s\n", mode_line.c_str());

  if (mode == "ok") {
    std::string model;
    in >> model;
    line(format_stage("loading"));
    line("4 sounds in " + folder);  // not an event: the daemon must ignore it
    line(format_stage("training"));
    for (long s = 1; s <= 5; ++s) line(format_progress(progress(s, 5)));
    line(format_stage("exporting"));
    line(format_done(model));
    return 0;
  }
  if (mode == "flood") {
    long n = 0;
    std::string model;
    in >> n >> model;
    line(format_stage("training"));
    for (long s = 1; s <= n; ++s) std::printf("%s\n", format_progress(progress(s, n)).c_str());
    line(format_done(model));
    return 0;
  }
  if (mode == "error") {
    std::string message;
    std::getline(in >> std::ws, message);
    line(format_stage("loading"));
    line(format_error(message));
    return 1;
  }
  if (mode == "exit") {
    int code = 0;
    in >> code;
    return code;
  }
  if (mode == "signal") {
    int number = 0;
    in >> number;
    kill(getpid(), number);
    wait_for_a_signal();
  }
  if (mode == "hang" || mode == "stubborn") {
    if (mode == "stubborn") signal(SIGTERM, SIG_IGN);
    alarm(120);  // a test that crashed before stopping it leaves nothing running for long
    line(format_stage("training"));
    line(format_progress(progress(1, 100)));
    wait_for_a_signal();
  }
  line(format_error("fake trainer: unknown mode \"" + mode_line + "\""));
  return 1;
}
