// Shaping the current sound: text variation, the eight PCA sliders and the XY pad.
#include "latentjam/engine/conductor.hpp"
#include "latentjam/mappings/directions.hpp"

namespace latentjam::engine {

using control::Command;

Conductor::Outcome Conductor::on_vary(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound to vary yet");
  if (!mapping_ready(v)) return wait_for_mapping(v);
  auto mapping = mapping_for(v);
  if (!mapping.ok()) return fail(mapping.error());
  auto latent =
      mappings::vary(v.latent, cmd.text("text"), cmd.number("amount"), *encoder_, mapping.value());
  if (!latent.ok()) return fail(latent.error());
  std::uint64_t id = render(v, std::move(latent.value()));
  reset_sliders(v);
  v.prompt_text = cmd.text("text");
  if (v.index == focus_) refresh_widgets();
  return done(cmd, answer_with_reading(id, cmd.text("text")));
}

Conductor::Outcome Conductor::on_slider(const Command& cmd) {
  VoiceState& v = voices_[static_cast<std::size_t>(focus_)];
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound yet: /jam/random first");
  if (!v.pca) return fail("voice " + v.name + " has no sliders (its model's prior is degenerate)");
  const int n = cmd.address_index();
  if (n > static_cast<int>(v.pca->components()))
    return fail("voice " + v.name + " has only " + std::to_string(v.pca->components()) +
                " sliders");
  v.sliders[static_cast<std::size_t>(n - 1)] = cmd.number("position");
  feedback({"/jam/slider/" + std::to_string(n), {cmd.number("position")}}, cmd.reply);
  // The XY pad shows sliders 1 and 2: it follows for everyone, the slider's sender included.
  if (n <= 2) feedback({"/jam/xy", {v.sliders[0], v.sliders[1]}});
  // The latest position wins in the render pipeline: a fast fader queues no backlog.
  std::uint64_t id = render(v, v.pca->apply(v.anchor, v.sliders));
  return done(cmd, {static_cast<std::int32_t>(id)});
}

Conductor::Outcome Conductor::on_xy(const Command& cmd) {
  VoiceState& v = voices_[static_cast<std::size_t>(focus_)];
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound yet: /jam/random first");
  if (!v.pca || v.pca->components() < 2) return fail("voice " + v.name + " has no XY pad");
  v.sliders[0] = cmd.number("x");
  v.sliders[1] = cmd.number("y");
  feedback({"/jam/xy", {v.sliders[0], v.sliders[1]}}, cmd.reply);
  // Faders 1 and 2 show the same positions: they follow for everyone, the pad's sender included.
  feedback({"/jam/slider/1", {v.sliders[0]}});
  feedback({"/jam/slider/2", {v.sliders[1]}});
  std::uint64_t id = render(v, v.pca->apply(v.anchor, v.sliders));
  return done(cmd, {static_cast<std::int32_t>(id)});
}

}  // namespace latentjam::engine
