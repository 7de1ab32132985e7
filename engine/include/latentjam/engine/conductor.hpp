// The single writer of session state. Commands from OSC and MIDI arrive on a lock-free queue and
// are executed here one at a time, in order; each answers /done or /fail. Rendering is handed to
// the pipeline, audio changes to the mixer.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "latentjam/control/command.hpp"
#include "latentjam/control/osc_server.hpp"
#include "latentjam/engine/audio_device.hpp"
#include "latentjam/engine/config.hpp"
#include "latentjam/engine/mixer.hpp"
#include "latentjam/engine/render_pipeline.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::engine {

class Conductor {
 public:
  using Send = std::function<void(const control::ReplyTo&, const control::Reply&)>;
  struct Parts {
    const Config& config;
    Mixer& mixer;
    RenderPipeline& pipeline;
    Send send;
    const AudioDevice* device = nullptr;  // for /jam/status; may be null in tests
  };

  explicit Conductor(Parts parts);
  ~Conductor();

  // Loads decoders (and, once available, text and examples). A failure here stops the daemon.
  Status prepare();

  // Any thread; never blocks.
  void post(control::Parsed&& message);
  // The conductor thread's loop; returns after stop().
  void run();
  void stop();

  // Executes everything queued so far on the calling thread (tests without a conductor thread).
  void drain();

  int voice_index(const std::string& name) const;  // -1 when unknown

 private:
  struct VoiceState {
    std::string name;
    int index = 0;
    models::DecoderPtr decoder;
    models::Latent latent;
    std::uint64_t sound_id = 0;  // 0: no sound yet
    // Sliders and the XY pad move relative to this latent, so 0.5 is always "the current sound".
    models::Latent anchor;
    std::array<float, 8> sliders{0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
  };
  using Outcome = Result<control::Reply>;
  using Handler = Outcome (Conductor::*)(const control::Command&);

  void execute(control::Parsed&& message);
  void reply(const control::ReplyTo& to, const control::Reply& message);
  static control::Reply done(const control::Command& cmd, std::vector<control::ReplyArg> args = {});
  Result<VoiceState*> voice_arg(const control::Command& cmd, std::size_t param);
  std::uint64_t render(VoiceState& voice, models::Latent latent);
  models::RenderContext render_context() const;
  void reset_sliders(VoiceState& voice);
  std::int32_t examples_count() const;
  std::string compute_device() const;  // "cuda" when any voice decodes on a GPU

  // One handler per CommandId; handlers() maps ids to them.
  static const std::map<control::CommandId, Handler>& handlers();
  Outcome on_status(const control::Command&);
  Outcome on_focus(const control::Command&);
  Outcome on_random(const control::Command&);
  Outcome on_trigger(const control::Command&);
  Outcome on_tempo(const control::Command&);
  Outcome on_quantize(const control::Command&);
  Outcome on_latent(const control::Command&);
  Outcome on_latent_set(const control::Command&);
  Outcome on_subscribe(const control::Command&);
  Outcome on_help(const control::Command&);

  Parts parts_;
  moodycamel::BlockingConcurrentQueue<control::Parsed> inbox_;
  std::atomic<bool> running_{false};
  std::vector<VoiceState> voices_;
  int focus_ = 0;
  double tempo_;
  std::uint64_t next_sound_id_ = 1;
  std::mt19937_64 seeds_{0x6c61746e6a616dULL};
  std::vector<control::ReplyTo> subscribers_;
  std::int64_t current_received_ns_ = 0;  // arrival time of the command being executed
};

}  // namespace latentjam::engine
