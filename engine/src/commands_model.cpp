// A voice's model: loading one (from /jam/model/load, the configuration or a finished training),
// and bouncing its current sound to a WAV file.
#include <sndfile.h>

#include <filesystem>

#include "latentjam/engine/conductor.hpp"
#include "latentjam/engine/log.hpp"
#include "latentjam/engine/torch_plugin.hpp"
#include "latentjam/mappings/dataset.hpp"

namespace latentjam::engine {

using control::Command;

namespace {

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
  const VoiceState& voice = voices_[static_cast<std::size_t>(index)];
  const bool loop = voice.decoder->info().kind == models::SoundKind::Loop;
  const double rate = parts_.mixer.sample_rate();
  // Loading (and warming up) a TorchScript model takes a while: it happens on its own thread and
  // the voice keeps its previous model, and keeps playing, until the new one is ready.
  loaders_.emplace_back([this, index, path, loop, rate, then = std::move(then)] {
    auto loaded = load_decoder(path, loop, rate);
    auto shared = std::make_shared<decltype(loaded)>(std::move(loaded));
    call_soon([this, index, path, then, shared] {
      VoiceState& v = voices_[static_cast<std::size_t>(index)];
      if (!shared->ok()) {
        log::warn("model for ", v.name, " not loaded: ", shared->error());
        then(fail(shared->error()));
        return;
      }
      const bool same_shape = shared->value()->info().latent_size == v.decoder->info().latent_size;
      v.decoder = shared->value();
      v.model = model_name(path);
      fit_sliders(v);
      retrain(v);  // prompts after this /done wait for the mapping of the new model's examples
      if (v.sound_id != 0 || !same_shape)
        render(v, same_shape ? v.latent : v.decoder->sample_prior(seeds_() & 0x7fffffffULL));
      reset_sliders(v);
      log::info("voice ", v.name, " now plays ", v.model, " on ", v.decoder->info().device);
      then(v.decoder->info().device);
    });
  });
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
    fit_sliders(v);
    log::info("voice ", name, " plays ", v.model, " on ", v.decoder->info().device);
  }
}

Conductor::Outcome Conductor::on_model_load(const Command& cmd) {
  auto voice = voice_arg(cmd, 0);
  if (!voice) return fail(voice.error());
  load_model((*voice)->index, cmd.text(1),
             [this, to = cmd.reply, address = cmd.address,
              name = (*voice)->name](Result<std::string> device) {
               if (!device.ok())
                 reply(to, {"/fail", {address, device.error()}});
               else
                 reply(to, {"/done", {address, name, device.value()}});
             });
  return deferred();  // the loader answers
}

Conductor::Outcome Conductor::on_bounce(const Command& cmd) {
  auto voice = voice_arg(cmd, 1);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound to bounce yet");
  const std::string name = cmd.text(0);
  if (Status s = mappings::validate_session_name(name); !s.ok()) return fail(s.error());
  auto audio = v.decoder->decode({&v.latent, 1}, render_context());
  if (!audio.ok()) return fail("decode failed: " + audio.error());
  std::error_code ec;
  std::filesystem::create_directories(parts_.config.export_dir, ec);
  const std::string path = parts_.config.export_dir + "/" + name + ".wav";
  SF_INFO info{};
  info.samplerate = static_cast<int>(parts_.mixer.sample_rate());
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_24;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!file) return fail("cannot write " + path + ": " + sf_strerror(nullptr));
  const auto& samples = audio.value().front();
  sf_write_float(file, samples.data(), static_cast<sf_count_t>(samples.size()));
  sf_close(file);
  return done(cmd, {path});
}

}  // namespace latentjam::engine
