#include "latentjam/engine/training_worker.hpp"

#include <pthread.h>

#include <chrono>

namespace latentjam::engine {

TrainingWorker::TrainingWorker(std::function<void(TrainingResult&&)> on_trained)
    : on_trained_(std::move(on_trained)), thread_([this] {
        pthread_setname_np(pthread_self(), "lj-train");
        run();
      }) {}

TrainingWorker::~TrainingWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  thread_.join();
}

void TrainingWorker::train(TrainingRequest request) {
  {
    std::lock_guard lock(mutex_);
    const int voice = request.voice;
    pending_[voice] = std::move(request);
  }
  wake_.notify_one();
}

bool TrainingWorker::evaluate(EvaluationRequest request) {
  {
    std::lock_guard lock(mutex_);
    if (evaluations_.size() >= kMaxWaitingEvaluations) return false;
    evaluations_.push_back(std::move(request));
  }
  wake_.notify_one();
  return true;
}

void TrainingWorker::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !pending_.empty() || !evaluations_.empty(); });
    if (stopping_) return;
    if (!pending_.empty()) {
      TrainingRequest request = std::move(pending_.begin()->second);
      pending_.erase(pending_.begin());
      lock.unlock();
      const auto start = std::chrono::steady_clock::now();
      TrainingResult result;
      result.voice = request.voice;
      result.generation = request.generation;
      result.examples = request.examples.size();
      result.mapping = mappings::train_mapping(request.examples, request.options);
      result.milliseconds =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
      on_trained_(std::move(result));
      lock.lock();
      continue;
    }
    EvaluationRequest request = std::move(evaluations_.front());
    evaluations_.pop_front();
    lock.unlock();
    auto errors = mappings::leave_one_out(request.examples, request.options, &cancel_);
    auto conflicts = mappings::find_conflicts(request.examples);
    request.done(std::move(errors), std::move(conflicts));
    lock.lock();
  }
}

}  // namespace latentjam::engine
