// A voice's model: loading one (from /jam/model/load, the configuration or a finished training),
// and bouncing its current sound to a WAV file.
#include <sndfile.h>

#include <filesystem>
#include <utility>

#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/log.hpp"
#include "latentjam/engine/session_models.hpp"
#include "latentjam/engine/torch_plugin.hpp"
#include "latentjam/mappings/dataset.hpp"

namespace latentjam::engine {

using control::Command;

namespace {

// Loads asked for and not yet committed, all voices together (docs/osc.md, "Read your writes").
constexpr std::size_t kMaxModelLoads = 64;

Result<models::DecoderPtr> load_decoder(const std::string& path, bool loop, double sample_rate) {
  if (path.rfind("builtin:", 0) == 0) {
    auto decoder = models::make_builtin_decoder(path.substr(8));
    if (!decoder)
      return fail("no built-in decoder \"" + path.substr(8) + "\" (kick, snare, hat, loop)");
    return decoder;
  }
  auto torch = torch_plugin();
  if (!torch.ok()) return fail(torch.error());
  models::TorchLoadOptions options;
  options.sample_rate_hint = sample_rate;
  options.kind = loop ? models::SoundKind::Loop : models::SoundKind::OneShot;
  return torch.value()->load_decoder(path, options);
}

// A bounce's slow stage: decodes the latent and writes DIR/NAME.wav; any thread.
Result<std::string> write_bounce(const models::Decoder& decoder, const models::Latent& latent,
                                 const models::RenderContext& context, const std::string& dir,
                                 const std::string& name) {
  auto audio = decoder.decode({&latent, 1}, context);
  if (!audio.ok()) return fail("decode failed: " + audio.error());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = dir + "/" + name + ".wav";
  SF_INFO info{};
  info.samplerate = static_cast<int>(context.sample_rate);
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) return fail("cannot write " + path + ": " + sf_strerror(nullptr));
  const auto& samples = audio.value().front();
  sf_write_float(file, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(file);
  return path;
}

// The name /jam/status gives a voice's model: "builtin:NAME" as is, a file by its absolute path.
std::string model_name(const std::string& path) {
  if (path.rfind("builtin:", 0) == 0) return path;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

}  // namespace

void Conductor::load_model(int index, const std::string& path,
                           std::function<void(Result<std::string>)> then) {
  // A client repeating /jam/model/load must not grow memory or work without bound.
  if (model_loads_waiting_ >= kMaxModelLoads)
    return then(fail("too many model loads waiting (" + std::to_string(kMaxModelLoads) + ")"));
  auto& queue = model_loads_[index];
  queue.push_back({path, std::move(then)});
  ++model_loads_waiting_;
  // One load per voice at a time, so the voice ends up with the model asked for last.
  if (queue.size() == 1) start_model_load(index);
}

void Conductor::start_model_load(int index) {
  const VoiceState& voice = voices_[static_cast<std::size_t>(index)];
  const bool loop = voice.decoder->info().kind == models::SoundKind::Loop;
  const double rate = parts_.mixer.sample_rate();
  const std::string path = model_loads_[index].front().path;
  // Loading (and warming up) a TorchScript model and fitting its sliders take a while: both run on
  // the pool, and the voice keeps its previous model, and keeps playing, until the new one is
  // ready.
  const bool taken = workers_.submit([this, index, path, loop, rate] {
    auto staged = std::make_shared<StagedModel>();
    staged->decoder = load_decoder(path, loop, rate);
    if (staged->decoder.ok()) staged->sliders = fit_sliders(*staged->decoder.value());
    call_soon([this, index, staged] { commit_model(index, std::move(*staged)); });
  });
  if (taken) return;
  // Only at shutdown: this voice's loads are answered now, as the daemon will not run them.
  auto unstarted = std::exchange(model_loads_[index], {});
  model_loads_waiting_ -= unstarted.size();
  for (auto& load : unstarted) load.then(fail("the daemon is stopping"));
}

void Conductor::commit_model(int index, StagedModel staged) {
  auto& queue = model_loads_[index];
  if (queue.empty()) return;  // answered already (shutdown)
  ModelLoad load = std::move(queue.front());
  queue.pop_front();
  --model_loads_waiting_;
  VoiceState& v = voices_[static_cast<std::size_t>(index)];
  if (!staged.decoder.ok()) {
    log::warn("model for ", v.name, " not loaded: ", staged.decoder.error());
    load.then(fail(staged.decoder.error()));
  } else {
    const bool same_shape =
        staged.decoder.value()->info().latent_size == v.decoder->info().latent_size;
    v.decoder = staged.decoder.value();
    v.model = model_name(load.path);
    set_sliders(v, std::move(staged.sliders));
    retrain(v);  // prompts after this /done wait for the mapping of the new model's examples
    if (v.sound_id != 0 || !same_shape)
      render(v, same_shape ? v.latent : v.decoder->sample_prior(seeds_() & 0x7fffffffULL));
    reset_sliders(v);
    log::info("voice ", v.name, " now plays ", v.model, " on ", v.decoder->info().device);
    // A restart plays what the voices played last: the examples belong to that latent space.
    std::map<std::string, std::string> played;
    for (const VoiceState& voice : voices_) played[voice.name] = voice.model;
    if (Status saved = write_session_models(parts_.config.session_dir, played); !saved.ok())
      log::warn("the session will not remember ", v.name, "'s model: ", saved.error());
    load.then(v.decoder->info().device);
  }
  if (!queue.empty()) start_model_load(index);
}

void Conductor::load_configured_models() {
  for (const auto& [name, path] : parts_.config.models) {
    const int index = voice_index(name);
    if (index < 0) continue;  // validate_config() rejects these
    VoiceState& v = voices_[static_cast<std::size_t>(index)];
    const bool loop = v.decoder->info().kind == models::SoundKind::Loop;
    auto loaded = load_decoder(path, loop, parts_.mixer.sample_rate());
    if (!loaded.ok()) {
      // A rig must still play when a model file went missing: the voice keeps its built-in
      // decoder, and the log and every subscriber say so.
      model_warnings_.push_back("[models] " + name + " = \"" + path + "\" did not load (" +
                                loaded.error() + "); " + name + " plays " + v.model);
      log::warn(model_warnings_.back());
      continue;
    }
    v.decoder = std::move(loaded.value());
    v.model = model_name(path);
    // At start, before any command is served: nothing waits for it.
    set_sliders(v, fit_sliders(*v.decoder));
    log::info("voice ", name, " plays ", v.model, " on ", v.decoder->info().device);
  }
}

Conductor::Outcome Conductor::on_model_load(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  load_model((*voice)->index, cmd.text("path"),
             [this, to = cmd.reply, address = cmd.address,
              name = (*voice)->name](Result<std::string> device) {
               if (!device.ok())
                 reply(to, {"/fail", {address, device.error()}});
               else
                 reply(to, {"/done", {address, name, device.value()}});
             });
  return deferred();  // the load's commit answers, or the bound has answered already
}

Conductor::Outcome Conductor::on_bounce(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound to bounce yet");
  const std::string name = cmd.text("name");
  if (Status s = mappings::validate_session_name(name); !s.ok()) return fail(s.error());
  // The decode and the file write run on the pool; the commands after this one wait for its
  // answer, so a bounce writes the sound it was asked for and replies stay in order.
  const bool taken = stage(cmd, [this, decoder = v.decoder, latent = v.latent,
                                 context = render_context(), dir = parts_.config.export_dir, name,
                                 to = cmd.reply, address = cmd.address] {
    auto written =
        std::make_shared<Result<std::string>>(write_bounce(*decoder, latent, context, dir, name));
    return std::function<void()>([this, written, to, address] {
      if (written->ok())
        reply(to, {"/done", {address, written->value()}});
      else
        reply(to, {"/fail", {address, written->error()}});
    });
  });
  if (!taken) return fail("the daemon is stopping");
  return deferred();
}

}  // namespace latentjam::engine
