// A thread that retrains voices' mappings and evaluates them, so that the conductor never trains
// itself. Latest wins per voice: an edit arriving while a voice trains replaces its pending
// request (a mapping is a pure function of its examples, so skipping a superseded set loses
// nothing). Results come back through a callback (the conductor posts them to its own queue).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "latentjam/mappings/dataset.hpp"
#include "latentjam/mappings/evaluation.hpp"
#include "latentjam/mappings/mapping.hpp"

namespace latentjam::engine {

struct TrainingRequest {
  int voice = 0;
  std::uint64_t generation = 0;  // increases with every edit of the voice's examples
  std::vector<mappings::TrainingExample> examples;
  mappings::MappingOptions options;
};

struct TrainingResult {
  int voice = 0;
  std::uint64_t generation = 0;
  std::size_t examples = 0;
  Result<std::shared_ptr<const mappings::Mapping>> mapping = fail("not trained");
  double milliseconds = 0.0;
};

struct EvaluationRequest {
  int voice = 0;
  std::vector<mappings::Example> examples;  // embeddings already from the current encoder
  mappings::MappingOptions options;
  std::function<void(Result<std::vector<mappings::ExampleError>>, std::vector<mappings::Conflict>)>
      done;  // called on the worker thread
};

class TrainingWorker {
 public:
  explicit TrainingWorker(std::function<void(TrainingResult&&)> on_trained);
  ~TrainingWorker();
  TrainingWorker(const TrainingWorker&) = delete;
  TrainingWorker& operator=(const TrainingWorker&) = delete;

  // At most this many evaluations wait; they are slow (one training per example) and a client
  // repeating /jam/evaluate must not grow the queue, or the wait at shutdown, without bound.
  static constexpr std::size_t kMaxWaitingEvaluations = 4;

  void train(TrainingRequest request);
  // False, and `request.done` not called, when kMaxWaitingEvaluations already wait. At
  // destruction a running evaluation stops between folds (its done gets "cancelled") and waiting
  // ones are dropped, so a shutdown waits for one mapping's training at most.
  bool evaluate(EvaluationRequest request);

 private:
  void run();

  std::function<void(TrainingResult&&)> on_trained_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<int, TrainingRequest> pending_;  // by voice
  std::deque<EvaluationRequest> evaluations_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // stops a running evaluation between folds
  std::thread thread_;
};

}  // namespace latentjam::engine
