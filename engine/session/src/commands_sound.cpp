// Handlers for the commands that make and play sounds and report the engine's state.
#include <algorithm>
#include <cmath>
#include <limits>

#include "latentjam/control/command_table.hpp"
#include "latentjam/engine/conductor.hpp"

namespace latentjam::engine {

using control::Command;
using control::Reply;

std::pair<float, float> Conductor::render_latency_p50_p99() {
  for (double ms : parts_.pipeline.take_latencies_ms()) recent_render_ms_.push_back(ms);
  if (recent_render_ms_.size() > 2000)
    recent_render_ms_.erase(recent_render_ms_.begin(), recent_render_ms_.end() - 2000);
  if (recent_render_ms_.empty()) return {0.0f, 0.0f};
  std::vector<double> sorted = recent_render_ms_;
  std::sort(sorted.begin(), sorted.end());
  auto at = [&](double q) {
    return static_cast<float>(sorted[static_cast<std::size_t>(q * double(sorted.size() - 1))]);
  };
  return {at(0.5), at(0.99)};
}

Conductor::Outcome Conductor::on_status(const Command&) {
  AudioStats audio = parts_.device ? parts_.device->stats() : AudioStats{};
  const auto [render_p50, render_p99] = render_latency_p50_p99();
  const RenderStats render = parts_.pipeline.stats();
  std::int32_t examples = examples_count();
  Reply status{"/jam/status.reply",
               {std::string("examples"),
                examples,
                std::string("focus"),
                voices_[static_cast<std::size_t>(focus_)].name,
                std::string("tempo"),
                static_cast<float>(tempo_),
                std::string("beat"),
                static_cast<float>(parts_.mixer.beat()),
                std::string("xruns"),
                static_cast<std::int32_t>(audio.xruns),
                std::string("load"),
                static_cast<float>(audio.load_mean),
                std::string("load_peak"),
                static_cast<float>(audio.load_peak),
                std::string("device"),
                compute_device(),
                std::string("sample_rate"),
                static_cast<std::int32_t>(parts_.mixer.sample_rate()),
                std::string("buffer"),
                static_cast<std::int32_t>(parts_.device ? parts_.device->buffer_frames() : 0),
                std::string("audio"),
                parts_.device ? parts_.device->name() : std::string("offline"),
                std::string("decodes"),
                static_cast<std::int32_t>(render.decoded),
                std::string("superseded"),
                static_cast<std::int32_t>(render.superseded),
                std::string("render_p50_ms"),
                render_p50,
                std::string("render_p99_ms"),
                render_p99,
                std::string("link"),
                static_cast<std::int32_t>(parts_.mixer.following_link()),
                std::string("link_peers"),
                static_cast<std::int32_t>(parts_.link ? parts_.link->peers() : 0),
                std::string("dropped"),
                static_cast<std::int32_t>(render.dropped),
                std::string("encoder"),
                encoder_warning_.empty() ? encoder_->name()
                                         : encoder_->name() + " (fallback: no word vectors)",
                std::string("mapping"),
                parts_.config.mapping_kind,
                std::string("dropped_remote"),
                static_cast<std::int32_t>(parts_.dropped_remote ? parts_.dropped_remote() : 0)}};
  // Arrival to first sample of the hits played so far, and how many took the fast lane.
  const HitLatency hits = parts_.mixer.hit_latency();
  for (auto&& [key, value] : std::initializer_list<std::pair<const char*, control::ReplyArg>>{
           {"hits", static_cast<std::int32_t>(hits.count)},
           {"hits_fast", static_cast<std::int32_t>(fast_hits_.load())},
           {"hit_p50_ms", static_cast<float>(hits.p50_ms)},
           {"hit_p99_ms", static_cast<float>(hits.p99_ms)},
           {"hit_max_ms", static_cast<float>(hits.max_ms)}}) {
    status.args.emplace_back(std::string(key));
    status.args.push_back(value);
  }
  // The sound each voice's audio actually has (its latest hand-off), e.g. "sound.kick" 42.
  for (const auto& v : voices_) {
    status.args.emplace_back("sound." + v.name);
    status.args.emplace_back(static_cast<std::int32_t>(parts_.pipeline.last_delivered(v.index)));
    status.args.emplace_back("model." + v.name);
    status.args.emplace_back(v.model);
    status.args.emplace_back("hit." + v.name);
    status.args.emplace_back(static_cast<std::int32_t>(parts_.mixer.last_hit(v.index)));
  }
  for (const auto& [voice, t] : trainings_) {
    status.args.emplace_back("train." + voices_[static_cast<std::size_t>(voice)].name);
    status.args.emplace_back(std::to_string(t.step) + "/" + std::to_string(t.steps));
  }
  return status;
}

Conductor::Outcome Conductor::on_focus(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  set_focus((*voice)->index);
  refresh_widgets(cmd.reply);
  return done(cmd, {(*voice)->name});
}

Conductor::Outcome Conductor::on_random(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const std::uint64_t seed =
      cmd.has("seed") ? static_cast<std::uint64_t>(cmd.integer("seed")) : seeds_() & 0x7fffffffULL;
  VoiceState& v = **voice;
  std::uint64_t id = render(v, v.decoder->sample_prior(seed));
  reset_sliders(v);
  return done(cmd, {static_cast<std::int32_t>(id)});
}

Conductor::Outcome Conductor::on_trigger(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound yet: send /jam/random first");
  AudioMessage m{AudioMessage::Kind::Trigger, v.index, cmd.number("velocity", 1.0f), nullptr,
                 v.sound_id};
  m.received_ns = cmd.received_ns;
  if (!parts_.mixer.post(m)) return fail("audio queue is full");
  return done(cmd, {v.name});
}

Conductor::Outcome Conductor::on_tempo(const Command& cmd) {
  tempo_ = cmd.number("bpm");
  feedback({"/jam/tempo", {static_cast<float>(tempo_)}}, cmd.reply);
  // Link's app API takes a lock, so the tempo goes to the session from here, never from audio.
  if (parts_.link && parts_.link->enabled()) parts_.link->set_tempo(tempo_);
  if (!parts_.mixer.post({AudioMessage::Kind::Tempo, 0, static_cast<float>(tempo_)}))
    return fail("audio queue is full");
  // Loops are rendered at the session tempo: render them again.
  for (auto& v : voices_)
    if (v.sound_id != 0 && v.decoder->info().kind == models::SoundKind::Loop) render(v, v.latent);
  return done(cmd, {static_cast<float>(tempo_)});
}

Conductor::Outcome Conductor::on_quantize(const Command& cmd) {
  if (!parts_.mixer.post({AudioMessage::Kind::Quantize, 0, cmd.number("beats")}))
    return fail("audio queue is full");
  return done(cmd, {cmd.number("beats")});
}

Conductor::Outcome Conductor::on_latent(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  const VoiceState& v = **voice;
  if (v.sound_id == 0) return fail("voice " + v.name + " has no sound yet");
  Reply r{"/jam/latent.reply", {v.name}};
  for (float x : v.latent) r.args.emplace_back(x);
  return r;
}

Conductor::Outcome Conductor::on_latent_set(const Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  VoiceState& v = **voice;
  std::vector<float> latent = cmd.numbers("latent");
  const std::size_t size = v.decoder->info().latent_size;
  if (latent.size() != size)
    return fail("voice " + v.name + " needs " + std::to_string(size) + " floats, got " +
                std::to_string(latent.size()));
  std::uint64_t id = render(v, std::move(latent));
  reset_sliders(v);
  return done(cmd, {static_cast<std::int32_t>(id)});
}

Conductor::Outcome Conductor::on_subscribe(const Command& cmd) {
  control::ReplyTo to = cmd.reply;
  if (cmd.has("port")) to.port = std::to_string(cmd.integer("port"));
  bool known = false;
  for (const auto& s : subscribers_) known = known || s == to;
  if (!known) {
    // Full: the subscriber heard from least recently makes room (it is told), so throwaway
    // subscriptions cannot lock a surface out until the daemon restarts.
    if (subscribers_.size() >= kMaxSubscribers) drop_quietest_subscriber();
    subscribers_.push_back(to);
  }
  // A repeated subscribe replaces the options: a surface that reconnects says what it wants now.
  subscriptions_[{to.host, to.port}] = {cmd.reply, cmd.integer("echo", 0) != 0,
                                        RenderPipeline::now_ns()};
  // Loud, not just logged: a surface that subscribes learns at once that prompts cannot work well.
  if (!encoder_warning_.empty() && parts_.send)
    parts_.send(to, {"/jam/warning", {encoder_warning_}});
  // Likewise a configured model that did not load: the voice plays its built-in sound instead.
  for (const auto& warning : model_warnings_)
    if (parts_.send) parts_.send(to, {"/jam/warning", {warning}});
  // The state dump (scsynth's /notify, Open Stage Control's sync): every widget's value, then the
  // /done, so a surface that has its /done shows the session as it is.
  send_state(to);
  return done(cmd, {static_cast<std::int32_t>(std::stoi(to.port))});
}

void Conductor::drop_quietest_subscriber() {
  auto quietest = subscribers_.begin();
  std::int64_t heard = std::numeric_limits<std::int64_t>::max();
  for (auto it = subscribers_.begin(); it != subscribers_.end(); ++it) {
    const auto sub = subscriptions_.find({it->host, it->port});
    const std::int64_t t = sub == subscriptions_.end() ? 0 : sub->second.heard_ns;
    if (t < heard) {
      heard = t;
      quietest = it;
    }
  }
  if (quietest == subscribers_.end()) return;
  if (parts_.send)
    parts_.send(*quietest, {"/jam/warning",
                            {std::string("unsubscribed: ") + std::to_string(kMaxSubscribers) +
                             " subscribers, and this one was heard from least recently; send "
                             "/jam/subscribe again"}});
  subscriptions_.erase({quietest->host, quietest->port});
  subscribers_.erase(quietest);
}

Conductor::Outcome Conductor::on_unsubscribe(const Command& cmd) {
  control::ReplyTo to = cmd.reply;
  if (cmd.has("port")) to.port = std::to_string(cmd.integer("port"));
  const auto before = subscribers_.size();
  std::erase_if(subscribers_, [&](const control::ReplyTo& s) { return s == to; });
  if (subscribers_.size() == before) return fail(to.host + ":" + to.port + " is not subscribed");
  subscriptions_.erase({to.host, to.port});
  return done(cmd, {static_cast<std::int32_t>(std::stoi(to.port))});
}

Conductor::Outcome Conductor::on_help(const Command&) {
  Reply r{"/jam/help.reply", {}};
  for (const auto& spec : command_table().specs()) {
    r.args.emplace_back(std::string(spec.address));
    r.args.emplace_back(control::signature(spec));
  }
  return r;
}

}  // namespace latentjam::engine

namespace latentjam::engine {

Conductor::Outcome Conductor::on_play(const control::Command& cmd) {
  if (!parts_.mixer.post({AudioMessage::Kind::Play, 0, 0.0f})) return fail("audio queue is full");
  playing_ = true;
  feedback({"/jam/playing", {1.0f}});
  return done(cmd);
}

Conductor::Outcome Conductor::on_stop(const control::Command& cmd) {
  if (!parts_.mixer.post({AudioMessage::Kind::Stop, 0, 0.0f})) return fail("audio queue is full");
  playing_ = false;
  feedback({"/jam/playing", {0.0f}});
  return done(cmd);
}

}  // namespace latentjam::engine

namespace latentjam::engine {

Conductor::Outcome Conductor::on_link(const control::Command& cmd) {
  if (!parts_.link) return fail("this engine has no Link session");
  const bool on = cmd.integer("enabled") != 0;
  parts_.link->enable(on);
  if (on) parts_.link->set_tempo(tempo_);  // a first peer brings its tempo; others keep theirs
  return done(cmd, {static_cast<std::int32_t>(on)});
}

void Conductor::follow_link_tempo() {
  if (!parts_.link || !parts_.link->enabled()) return;
  const double theirs = parts_.link->tempo();
  if (std::fabs(theirs - tempo_) <= tempo_ * 0.005) return;
  // Another peer changed the tempo: loops are rendered at the session tempo, so render them again.
  tempo_ = theirs;
  parts_.mixer.post({AudioMessage::Kind::Tempo, 0, static_cast<float>(tempo_)});
  for (auto& v : voices_)
    if (v.sound_id != 0 && v.decoder->info().kind == models::SoundKind::Loop) render(v, v.latent);
  feedback({"/jam/tempo", {static_cast<float>(tempo_)}});
}

}  // namespace latentjam::engine

namespace latentjam::engine {

Conductor::Outcome Conductor::on_gain(const control::Command& cmd) {
  auto voice = voice_arg(cmd);
  if (!voice) return fail(voice.error());
  if (!parts_.mixer.post({AudioMessage::Kind::VoiceGain, (*voice)->index, cmd.number("gain")}))
    return fail("audio queue is full");
  (*voice)->gain = cmd.number("gain");
  feedback({"/jam/gain", {(*voice)->name, (*voice)->gain}}, cmd.reply, gain_key(**voice));
  return done(cmd, {(*voice)->name, cmd.number("gain")});
}

}  // namespace latentjam::engine

namespace latentjam::engine {

Conductor::Outcome Conductor::on_morph(const control::Command& cmd) {
  if (!parts_.mixer.post({AudioMessage::Kind::Morph, 0, cmd.number("bars")}))
    return fail("audio queue is full");
  return done(cmd, {cmd.number("bars")});
}

}  // namespace latentjam::engine
