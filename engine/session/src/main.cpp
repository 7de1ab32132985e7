#include "latentjam/engine/daemon.hpp"

int main(int argc, char** argv) {
  return latentjam::engine::run_daemon(argc, argv);
}
