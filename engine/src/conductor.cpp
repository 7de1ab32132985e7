#include "latentjam/engine/conductor.hpp"

#include <chrono>

#include "latentjam/control/command_table.hpp"
#include "latentjam/engine/log.hpp"

namespace latentjam::engine {

using control::Command;
using control::CommandId;
using control::Reply;
using control::ReplyArg;

Conductor::Conductor(Parts parts) : parts_(std::move(parts)), tempo_(parts_.config.tempo_bpm) {}

Conductor::~Conductor() = default;

Status Conductor::prepare() {
  const Config& config = parts_.config;
  for (const auto& name : config.voices) {
    auto decoder = models::make_builtin_decoder(name);
    if (!decoder)
      return fail("voice \"" + name +
                  "\" has no built-in decoder (built-in: kick, snare, hat, "
                  "loop); load one with /jam/model/load");
    if (voices_.size() >= static_cast<std::size_t>(Mixer::kMaxVoices))
      return fail("too many voices (at most 16)");
    VoiceState v;
    v.name = name;
    v.index = static_cast<int>(voices_.size());
    v.decoder = std::move(decoder);
    voices_.push_back(std::move(v));
  }
  focus_ = voice_index(config.focus);
  if (focus_ < 0) return fail("focus voice \"" + config.focus + "\" is not one of the voices");
  return Ok{};
}

int Conductor::voice_index(const std::string& name) const {
  for (const auto& v : voices_)
    if (v.name == name) return v.index;
  return -1;
}

void Conductor::post(control::Parsed&& message) {
  inbox_.enqueue(std::move(message));
}

void Conductor::run() {
  running_ = true;
  control::Parsed message;
  while (running_.load()) {
    if (inbox_.wait_dequeue_timed(message, std::chrono::milliseconds(20)))
      execute(std::move(message));
    parts_.mixer.collect_garbage();  // sounds the audio thread is done with are freed here
  }
  while (inbox_.try_dequeue(message)) execute(std::move(message));
}

void Conductor::stop() {
  running_ = false;
}

void Conductor::drain() {
  control::Parsed message;
  while (inbox_.try_dequeue(message)) execute(std::move(message));
  parts_.mixer.collect_garbage();
}

void Conductor::reply(const control::ReplyTo& to, const Reply& message) {
  if (!parts_.send) return;
  if (!to.port.empty()) parts_.send(to, message);
  for (const auto& s : subscribers_)
    if (!(s == to)) parts_.send(s, message);
}

Reply Conductor::done(const Command& cmd, std::vector<ReplyArg> args) {
  Reply r{"/done", {cmd.address}};
  for (auto& a : args) r.args.push_back(std::move(a));
  return r;
}

const std::map<CommandId, Conductor::Handler>& Conductor::handlers() {
  static const std::map<CommandId, Handler> table = {
      {CommandId::Status, &Conductor::on_status},
      {CommandId::Focus, &Conductor::on_focus},
      {CommandId::Random, &Conductor::on_random},
      {CommandId::Trigger, &Conductor::on_trigger},
      {CommandId::Tempo, &Conductor::on_tempo},
      {CommandId::Quantize, &Conductor::on_quantize},
      {CommandId::Latent, &Conductor::on_latent},
      {CommandId::LatentSet, &Conductor::on_latent_set},
      {CommandId::Subscribe, &Conductor::on_subscribe},
      {CommandId::Help, &Conductor::on_help},
  };
  return table;
}

void Conductor::execute(control::Parsed&& message) {
  if (auto* rejected = std::get_if<control::Rejected>(&message)) {
    reply(rejected->reply, {"/fail", {rejected->address, rejected->reason}});
    return;
  }
  const Command& cmd = std::get<Command>(message);
  current_received_ns_ = cmd.received_ns ? cmd.received_ns : RenderPipeline::now_ns();
  auto it = handlers().find(cmd.id);
  if (it == handlers().end()) {
    reply(cmd.reply, {"/fail", {cmd.address, std::string("this build has no handler for it")}});
    return;
  }
  Outcome outcome = (this->*(it->second))(cmd);
  if (outcome.ok()) {
    reply(cmd.reply, outcome.value());
  } else {
    reply(cmd.reply, {"/fail", {cmd.address, outcome.error()}});
  }
}

Result<Conductor::VoiceState*> Conductor::voice_arg(const Command& cmd, std::size_t param) {
  if (!cmd.has(param)) return &voices_[static_cast<std::size_t>(focus_)];
  const std::string name = cmd.text(param);
  int i = voice_index(name);
  if (i < 0) {
    std::string known;
    for (const auto& v : voices_) known += (known.empty() ? "" : ", ") + v.name;
    return fail("unknown voice \"" + name + "\" (voices: " + known + ")");
  }
  return &voices_[static_cast<std::size_t>(i)];
}

models::RenderContext Conductor::render_context() const {
  return {double(parts_.mixer.sample_rate()), tempo_};
}

std::uint64_t Conductor::render(VoiceState& voice, models::Latent latent) {
  voice.latent = std::move(latent);
  voice.sound_id = next_sound_id_++;
  parts_.pipeline.submit({voice.index, voice.sound_id, voice.latent, voice.decoder,
                          render_context(), current_received_ns_});
  return voice.sound_id;
}

void Conductor::reset_sliders(VoiceState& voice) {
  voice.anchor = voice.latent;
  voice.sliders.fill(0.5f);
}

std::string Conductor::compute_device() const {
  for (const auto& v : voices_)
    if (v.decoder->info().device == "cuda") return "cuda";
  return "cpu";
}

}  // namespace latentjam::engine

namespace latentjam::engine {
std::int32_t Conductor::examples_count() const {
  return 0;
}
}  // namespace latentjam::engine
