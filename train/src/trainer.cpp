// The training loop: data, optimiser, schedule and progress. The model's maths is in
// drum_model_source.hpp; what is written after training is in outputs.cpp.
#include "latentjam/train/trainer.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "drum_model.hpp"
#include "outputs.hpp"
#include "sound_folder.hpp"

namespace latentjam::train {

namespace {

using Clock = std::chrono::steady_clock;

void emit(const TrainCallbacks& cb, Event e) {
  if (cb.on_event) cb.on_event(e);
}

void stage(const TrainCallbacks& cb, const char* name) {
  Event e;
  e.kind = Event::Kind::Stage;
  e.text = name;
  emit(cb, e);
}

bool cancelled(const TrainCallbacks& cb) {
  return cb.cancel && cb.cancel->load(std::memory_order_relaxed);
}

at::Tensor stack_hits(const std::vector<Hit>& hits) {
  at::Tensor x = torch::empty(
      {static_cast<std::int64_t>(hits.size()), static_cast<std::int64_t>(hits[0].samples.size())});
  for (std::size_t i = 0; i < hits.size(); ++i)
    std::copy(hits[i].samples.begin(), hits[i].samples.end(),
              x[static_cast<std::int64_t>(i)].data_ptr<float>());
  return x;
}

// Adam's rate: a short warm-up (50 steps, or a tenth of a short run), then a cosine down to a
// tenth.
double learning_rate(const TrainOptions& o, long step, long steps) {
  const double base = o.learning_rate > 0.0 ? o.learning_rate : (o.from.empty() ? 2e-3 : 5e-4);
  const double warm_steps = std::clamp(static_cast<double>(steps) / 10.0, 1.0, 50.0);
  const double warm = std::min(1.0, static_cast<double>(step + 1) / warm_steps);
  const double progress = static_cast<double>(step) / static_cast<double>(std::max(1L, steps));
  return base * warm * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

}  // namespace

Result<std::string> train_drum_model(const TrainOptions& o, const TrainCallbacks& cb) {
  try {
    if (o.steps < 1) return fail("steps must be at least 1");
    if (o.batch < 1) return fail("batch must be at least 1");
    at::set_num_threads(std::max(1, o.threads));
    torch::manual_seed(o.seed);

    stage(cb, "loading");
    torch::jit::Module model;
    if (!o.from.empty()) {
      auto loaded = load_drum_model(o.from);
      if (!loaded) return fail(loaded.error());
      model = std::move(loaded.value());
    } else {
      DrumModelShape shape;
      shape.latent_size = o.latent_size;
      model = make_drum_model(shape, o.seed);
    }
    const DrumModelShape shape = shape_of(model);
    auto folder = read_sound_folder(o.folder, static_cast<double>(shape.sample_rate),
                                    static_cast<std::size_t>(shape.hit_length));
    if (!folder) return fail(folder.error());
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) return fail("cannot create " + o.out_dir + ": " + ec.message());

    stage(cb, "augmenting");
    // With ten sounds or more, every tenth is kept out of training: its loss says whether the model
    // learns drums or learns these sounds by heart.
    std::vector<Hit> pool, validation;
    for (std::size_t i = 0; i < folder->hits.size(); ++i) {
      const bool held_out = folder->hits.size() >= 10 && i % 10 == 9;
      (held_out ? validation : pool).push_back(folder->hits[i]);
    }
    if (o.augment_semitones > 0.0) {
      auto more = augment_pitch(pool, o.augment_semitones, static_cast<double>(shape.sample_rate),
                                static_cast<std::size_t>(shape.hit_length));
      pool.insert(pool.end(), more.begin(), more.end());
    }
    const at::Tensor data = stack_hits(pool);
    const at::Tensor originals = stack_hits(folder->hits);
    const at::Tensor held_out = validation.empty() ? at::Tensor() : stack_hits(validation);

    stage(cb, "training");
    model.train();
    auto parameters = trainable_parameters(model);
    torch::optim::Adam optimiser(parameters, torch::optim::AdamOptions(learning_rate(o, 0, 1)));
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<std::int64_t> pick(0, data.size(0) - 1);
    const std::int64_t batch = std::min<std::int64_t>(o.batch, data.size(0));
    const long per_epoch = std::max<long>(1, static_cast<long>(data.size(0) / batch));

    std::vector<LossRow> history;
    const auto start = Clock::now();
    auto last_report = start;
    long steps = o.steps;
    for (long step = 0; step < steps; ++step) {
      if (cancelled(cb)) return fail("cancelled");
      const double lr = learning_rate(o, step, steps);
      for (auto& group : optimiser.param_groups())
        static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      std::vector<std::int64_t> rows(static_cast<std::size_t>(batch));
      for (auto& r : rows) r = pick(rng);
      at::Tensor x = data.index_select(0, torch::tensor(rows));
      // A drum flipped in polarity sounds the same: free data.
      const at::Tensor flip = (torch::rand({batch, 1}) < 0.5).to(at::kFloat) * 2.0 - 1.0;
      x = x * flip;
      const double warm =
          o.from.empty() ? std::min(1.0, static_cast<double>(step) / (0.4 * steps)) : 1.0;
      optimiser.zero_grad();
      const at::Tensor terms = model.run_method("train_loss", x, o.beta * warm).toTensor();
      terms[0].backward();
      torch::nn::utils::clip_grad_norm_(parameters, 1.0);
      optimiser.step();

      const at::Tensor t = terms.detach();
      LossRow row{step + 1,
                  t[0].item<double>(),
                  t[1].item<double>(),
                  t[2].item<double>(),
                  t[3].item<double>(),
                  std::nan("")};
      if (held_out.defined() && ((step + 1) % 50 == 0 || step + 1 == steps)) {
        torch::NoGradGuard no_grad;
        row.validation = model.run_method("eval_loss", held_out).toTensor().item<double>();
      }
      if (!std::isfinite(row.loss)) return fail("training diverged (loss is not finite)");
      history.push_back(row);

      const auto now = Clock::now();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      // A time budget turns into a step budget once the pace is known.
      if (o.max_minutes > 0.0 && step >= 4) {
        const double per_step = elapsed / static_cast<double>(step + 1);
        const long affordable = static_cast<long>(o.max_minutes * 60.0 / per_step);
        steps = std::clamp(affordable, step + 1, o.steps);
      }
      if (now - last_report >= std::chrono::seconds(1) || step + 1 == steps || step == 0) {
        last_report = now;
        Event e;
        e.kind = Event::Kind::Progress;
        e.progress = {
            step + 1,
            steps,
            (step + 1) / per_epoch,
            row.loss,
            row.spectral,
            row.envelope,
            row.kl,
            elapsed,
            elapsed / static_cast<double>(step + 1) * static_cast<double>(steps - step - 1)};
        emit(cb, e);
      }
    }
    model.eval();
    for (auto& p : parameters) p.set_requires_grad(false);

    stage(cb, "rendering");
    {
      torch::NoGradGuard no_grad;
      const at::Tensor means = model.run_method("raw_latent", originals).toTensor();
      fit_latent_whitening(model, means);
      fit_prior(model, means, o.prior_bandwidth);
    }
    if (cancelled(cb)) return fail("cancelled");
    const std::string model_path = (std::filesystem::path(o.out_dir) / "model.ts").string();
    OutputsRequest request{o.out_dir, model_path,    &folder->hits, &folder->skipped,
                           &history,  o.prior_draws, o.seed,        o.pictures};
    auto written = write_outputs(model, request, [&cb](const char* s) { stage(cb, s); });
    if (!written) return fail(written.error());
    return model_path;
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    return fail("training failed: " + what.substr(0, what.find('\n')));
  } catch (const std::exception& e) {
    return fail(std::string("training failed: ") + e.what());
  }
}

Result<std::string> upgrade_model_file(const std::string& model_file, const std::string& out_file,
                                       const std::string& prior_folder, double prior_bandwidth) {
  try {
    auto model = load_drum_model(model_file);
    if (!model) return fail(model.error());
    if (!prior_folder.empty()) {
      const DrumModelShape shape = shape_of(model.value());
      auto folder = read_sound_folder(prior_folder, static_cast<double>(shape.sample_rate),
                                      static_cast<std::size_t>(shape.hit_length));
      if (!folder) return fail(folder.error());
      torch::NoGradGuard no_grad;
      const at::Tensor means =
          model.value().run_method("raw_latent", stack_hits(folder->hits)).toTensor();
      fit_prior(model.value(), means, prior_bandwidth);
    }
    std::error_code ec;
    const std::filesystem::path out(out_file);
    if (out.has_parent_path()) std::filesystem::create_directories(out.parent_path(), ec);
    if (ec) return fail("cannot create " + out.parent_path().string() + ": " + ec.message());
    const std::string temporary = out_file + ".partial";
    model.value().save(temporary);
    std::filesystem::rename(temporary, out_file, ec);
    if (ec) return fail("cannot write " + out_file + ": " + ec.message());
    return out_file;
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    return fail("cannot upgrade " + model_file + ": " + what.substr(0, what.find('\n')));
  } catch (const std::exception& e) {
    std::string what = e.what();
    return fail("cannot upgrade " + model_file + ": " + what.substr(0, what.find('\n')));
  }
}

}  // namespace latentjam::train
