// The whole daemon: configuration, audio, OSC, conductor and workers, wired and run until a signal.
#pragma once

namespace latentjam::engine {

// Runs latentjam with the given command line; returns the process exit code.
int run_daemon(int argc, char** argv);

}  // namespace latentjam::engine
