// A fixed set of threads for the conductor's slow stages (model loads with their slider fitting,
// bounces): the conductor hands a task over and hears back through its own queue, so it never
// waits and never starts a thread per command. The pool does not bound its queue: each caller
// bounds what it submits and knows what to answer when it refuses.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace latentjam::engine {

class WorkerPool {
 public:
  // `name` names the threads (NAME-0, NAME-1, ...; at most 15 bytes in all for the kernel).
  WorkerPool(int threads, const std::string& name);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Any thread. Tasks start in the order they were submitted. False once stop() has begun: the
  // task was not taken, and the caller answers for it.
  bool submit(std::function<void()> task);
  // Drops the tasks that have not started, waits for the running ones and joins the threads.
  // Returns how many were dropped. Idempotent.
  std::size_t stop();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace latentjam::engine
