// /jam/train and /jam/train/cancel: a voice's model trained on the performer's own folder of
// sounds by latentjam-train, a child process at idle priority (trainer_process.hpp), so the daemon
// keeps playing. Its progress is pushed to the sender and the subscribers; at the end the voice
// loads the model exactly as /jam/model/load does. docs/osc.md, "Training", lists the pushes.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/log.hpp"

namespace latentjam::engine {

using control::Command;
using control::Reply;

namespace {

namespace fs = std::filesystem;

// Parameter positions in the command table: voice, folder, then the options.

// The folder must be there and readable now: a typo gets its reason at once, not from the trainer.
Result<std::string> readable_folder(const std::string& folder) {
  if (folder.empty()) return fail("the folder is empty: give the folder that holds the sounds");
  std::error_code ec;
  const fs::path path = fs::absolute(folder, ec).lexically_normal();
  const auto status = fs::status(path, ec);
  if (!fs::exists(status)) return fail("folder " + path.string() + " does not exist");
  if (!fs::is_directory(status))
    return fail(path.string() + " is a file, not a folder: give the folder that holds the sounds");
  if (access(path.c_str(), R_OK | X_OK) != 0)
    return fail("folder " + path.string() + " is not readable: " + std::strerror(errno));
  return path.string();
}

// A new folder for this training's output, e.g. <session>/models/kick-3: earlier models stay.
Result<std::string> new_output_folder(const std::string& session_dir, const std::string& voice) {
  const fs::path models = fs::path(session_dir) / "models";
  std::error_code ec;
  fs::create_directories(models, ec);
  if (ec) return fail("cannot create " + models.string() + ": " + ec.message());
  for (int n = 1; n <= 100000; ++n) {
    const fs::path dir = models / (voice + "-" + std::to_string(n));
    if (fs::create_directory(dir, ec)) return fs::absolute(dir).lexically_normal().string();
    if (ec) return fail("cannot create " + dir.string() + ": " + ec.message());
  }
  return fail("too many models in " + models.string());
}

std::string progress_text(long step, long steps) {
  return std::to_string(step) + "/" + std::to_string(steps);
}

}  // namespace

Conductor::Outcome Conductor::on_train(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  if (auto running = trainings_.find(v.index); running != trainings_.end())
    return fail("voice " + v.name + " is already training (step " +
                progress_text(running->second.step, running->second.steps) +
                "); /jam/train/cancel s:" + v.name + " stops it");
  auto folder = readable_folder(cmd.text("folder"));
  if (!folder) return fail(folder.error());

  std::string from;
  if (cmd.has("from")) {
    from = cmd.text("from");
    if (from == "current") {
      if (v.model.rfind("builtin:", 0) == 0)
        return fail("from current: voice " + v.name + " plays " + v.model +
                    ", not a TorchScript model to fine-tune; load one first or give its path");
      from = v.model;
    } else {
      std::error_code ec;
      from = fs::absolute(from, ec).lexically_normal().string();
      if (!fs::is_regular_file(from, ec)) return fail("from: no model file " + from);
    }
  }

  const std::string program =
      find_trainer(parts_.config.train_program, std::getenv("LATENTJAM_TRAIN"), executable_dir());
  if (access(program.c_str(), X_OK) != 0)
    return fail("the trainer " + program + " cannot run (" + std::strerror(errno) +
                "): build the latentjam-train target next to latentjam, or name it in [train] "
                "program or LATENTJAM_TRAIN");

  auto out_dir = new_output_folder(parts_.config.session_dir, v.name);
  if (!out_dir) return fail(out_dir.error());
  TrainerProcess::Options options;
  options.program = program;
  options.args = {folder.value(), "--out", out_dir.value(), "--progress-lines", "--idle"};
  if (cmd.has("steps"))
    options.args.insert(options.args.end(), {"--steps", std::to_string(cmd.integer("steps"))});
  if (cmd.has("minutes")) {
    char minutes[32];
    std::snprintf(minutes, sizeof minutes, "%g", static_cast<double>(cmd.number("minutes")));
    options.args.insert(options.args.end(), {"--max-minutes", minutes});
  }
  if (!from.empty()) options.args.insert(options.args.end(), {"--from", from});
  if (cmd.has("seed"))
    options.args.insert(options.args.end(), {"--seed", std::to_string(cmd.integer("seed"))});
  options.log_path = out_dir.value() + "/trainer.log";

  const int index = v.index;
  const std::uint64_t serial = next_training_++;
  // The reader thread reports through the conductor's queue, so the state has one owner.
  auto started = TrainerProcess::start(
      options,
      [this, index, serial](train::Event event) {
        call_soon(
            [this, index, serial, e = std::move(event)] { on_trainer_event(index, serial, e); });
      },
      [this, index, serial](TrainerExit exit) {
        call_soon([this, index, serial, exit] { on_trainer_exit(index, serial, exit); });
      });
  if (!started) {
    std::error_code ec;
    fs::remove_all(out_dir.value(), ec);  // ours, made above, and holding nothing of value
    return fail(started.error());
  }
  Training& t = trainings_[index];
  t.serial = serial;
  t.out_dir = out_dir.value();
  t.requester = cmd.reply;
  t.steps = cmd.has("steps") ? cmd.integer("steps") : 0;
  t.process = std::move(started.value());
  log::info("training a model for ", v.name, " on ", folder.value(), " into ", t.out_dir,
            " (latentjam-train pid ", t.process->pid(), ")");
  return done(cmd, {v.name, t.out_dir});
}

Conductor::Outcome Conductor::on_train_cancel(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  auto running = trainings_.find((*voice)->index);
  if (running == trainings_.end()) return fail("voice " + (*voice)->name + " is not training");
  running->second.cancelled = true;
  running->second.process->cancel();  // the exit arrives later, as /jam/train/fail ... cancelled
  log::info("cancelling the training of ", (*voice)->name);
  return done(cmd, {(*voice)->name});
}

void Conductor::on_trainer_event(int voice, std::uint64_t serial, const train::Event& event) {
  auto it = trainings_.find(voice);
  if (it == trainings_.end() || it->second.serial != serial) return;
  Training& t = it->second;
  const std::string& name = voices_[static_cast<std::size_t>(voice)].name;
  switch (event.kind) {
    case train::Event::Kind::Stage:
      log::info("training ", name, ": ", event.text);
      reply(t.requester, {"/jam/train/stage", {name, event.text}});
      break;
    case train::Event::Kind::Progress: {
      const train::Progress& p = event.progress;
      t.step = p.step;
      t.steps = p.steps;
      reply(t.requester,
            {"/jam/train/progress",
             {name, static_cast<std::int32_t>(p.step), static_cast<std::int32_t>(p.steps),
              static_cast<float>(p.loss), static_cast<float>(p.spectral),
              static_cast<float>(p.envelope), static_cast<float>(p.kl),
              static_cast<float>(p.left_s), static_cast<std::int32_t>(p.epoch)}});
      break;
    }
    case train::Event::Kind::Done:
      t.model = event.text;
      break;
    case train::Event::Kind::Error:
      t.error = event.text;
      log::warn("training ", name, ": ", event.text);
      break;
  }
}

void Conductor::on_trainer_exit(int voice, std::uint64_t serial, TrainerExit exit) {
  auto it = trainings_.find(voice);
  if (it == trainings_.end() || it->second.serial != serial) return;
  // Joins the reader, which has nothing left to do but return.
  Training t = std::move(it->second);
  trainings_.erase(it);
  t.process.reset();
  const std::string name = voices_[static_cast<std::size_t>(voice)].name;
  const std::string log_hint = "; its log: " + t.out_dir + "/trainer.log";
  if (t.cancelled) return finish_training(t.requester, name, "cancelled");
  if (!t.error.empty()) return finish_training(t.requester, name, t.error);
  if (t.model.empty())
    return finish_training(
        t.requester, name,
        "latentjam-train " + (exit.ok() ? std::string("ended without a model") : exit.describe()) +
            log_hint);
  if (!exit.ok())
    return finish_training(t.requester, name, "latentjam-train " + exit.describe() + log_hint);
  // Whatever /jam/model/load takes; a relative path is the trainer's, whose folder is ours.
  std::error_code ec;
  const std::string model = t.model.rfind("builtin:", 0) == 0
                                ? t.model
                                : fs::absolute(t.model, ec).lexically_normal().string();
  log::info("training ", name, ": model ", model, "; loading it");
  load_model(voice, model, [this, to = t.requester, name, model](Result<std::string> device) {
    if (!device.ok())
      return finish_training(to, name,
                             "the trained model " + model + " does not load: " + device.error());
    // Sent once the voice plays it: a client can trigger the new sound straight away.
    reply(to, {"/jam/train/done", {name, model}});
  });
}

void Conductor::finish_training(const control::ReplyTo& requester, const std::string& voice,
                                const std::string& failure) {
  log::warn("training ", voice, " failed: ", failure);
  reply(requester, {"/jam/train/fail", {voice, failure}});
}

void Conductor::stop_trainings() {
  // Every child gets its SIGTERM first, so they end side by side; clearing then waits for each to
  // be reaped (SIGKILL after TrainerProcess::kKillAfter) and its reader to return.
  for (auto& [voice, t] : trainings_) {
    log::info("stopping the training of ", voices_[static_cast<std::size_t>(voice)].name);
    t.cancelled = true;
    t.process->cancel();
  }
  trainings_.clear();
}

}  // namespace latentjam::engine
