// The single writer of session state. Commands from OSC and MIDI arrive on a lock-free queue and
// are executed here one at a time, in order; each answers /done or /fail. Rendering goes to the
// pipeline, training and evaluation to the training worker, audio changes to the mixer. Results
// from those threads come back through the same queue, so the state has one owner.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "latentjam/control/command.hpp"
#include "latentjam/control/command_table.hpp"
#include "latentjam/control/midi_map.hpp"
#include "latentjam/control/osc_server.hpp"
#include "latentjam/engine/audio_device.hpp"
#include "latentjam/engine/config.hpp"
#include "latentjam/engine/link_clock.hpp"
#include "latentjam/engine/mixer.hpp"
#include "latentjam/engine/render_pipeline.hpp"
#include "latentjam/engine/trainer_process.hpp"
#include "latentjam/engine/training_worker.hpp"
#include "latentjam/engine/worker_pool.hpp"
#include "latentjam/mappings/dataset.hpp"
#include "latentjam/mappings/mapping.hpp"
#include "latentjam/mappings/pca.hpp"
#include "latentjam/mappings/text_encoder.hpp"
#include "latentjam/models/decoder.hpp"

namespace latentjam::engine {

// What MIDI learn needs from the MIDI input, so the conductor does not depend on RtMidi.
class MidiLearner {
 public:
  virtual ~MidiLearner() = default;
  virtual Status learn(const std::string& target) = 0;
};

class Conductor {
 public:
  using Send = std::function<void(const control::ReplyTo&, const control::Reply&)>;
  struct Parts {
    const Config& config;
    Mixer& mixer;
    RenderPipeline& pipeline;
    Send send;
    const AudioDevice* device = nullptr;  // for /jam/status; may be null in tests
    MidiLearner* midi = nullptr;          // null when MIDI input is off
    LinkClock* link = nullptr;            // the Ableton Link session the mixer follows when on
    // OSC packets dropped because their host is not allowed, for /jam/status; any thread.
    std::function<std::uint64_t()> dropped_remote;
  };

  explicit Conductor(Parts parts);
  ~Conductor();

  // Loads decoders, the text encoder and the examples. A failure here stops the daemon.
  Status prepare();

  // Any thread; never blocks.
  void post(control::Parsed&& message);
  // Sends a state change to the subscribers, from any thread (e.g. "MIDI learned").
  void notify(control::Reply message);
  // A MIDI learn completed (from the MIDI input's thread; returns at once): subscribers are told
  // (/jam/midi/learned) and the binding is saved with the session (session_midi.hpp).
  void midi_learned(const control::MidiLearned& learned);
  // The conductor thread's loop; returns after stop().
  void run();
  void stop();

  int voice_index(const std::string& name) const;  // -1 when unknown

  using Outcome = Result<control::Reply>;
  using Handler = Outcome (Conductor::*)(const control::Command&);
  // One row of the daemon's command table (command_table.cpp): the OSC vocabulary of an address
  // and what the conductor does with it.
  struct CommandRow {
    control::CommandSpec spec;
    Handler handler = nullptr;  // runs on the conductor thread (commands_*.cpp)
    // Answered ahead of the commands waiting in line (a hit must sound now; a query edits nothing).
    bool skips_the_line = false;
    // Changes the sound a /jam/trigger from the same client would play, so such a trigger waits
    // behind it instead of taking the fast lane.
    bool changes_sound = false;
  };
  static const std::vector<CommandRow>& command_rows();

 private:
  struct VoiceState {
    std::string name;
    int index = 0;
    models::DecoderPtr decoder;
    std::string model;  // what `decoder` was loaded from: "builtin:NAME" or an absolute file path
    models::Latent latent;
    std::uint64_t sound_id = 0;  // 0: no sound yet
    // Sliders and the XY pad move relative to this latent, so 0.5 is always "the current sound".
    models::Latent anchor;
    std::array<float, 8> sliders{0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    float gain = 1.0f;  // the last /jam/gain, for the state dump a new subscriber gets
    // The words of the current sound, for the surfaces' text widgets: the label it was given and
    // the prompt (or variation) that made it; both "" for a new sound until then.
    std::string label_text;
    std::string prompt_text;
    std::optional<mappings::PcaBasis> pca;
    std::shared_ptr<const mappings::Mapping> mapping;  // immutable snapshot, replaced on retrain
    std::uint64_t generation = 0;          // retrains asked for (one per edit of the examples)
    std::uint64_t trained_generation = 0;  // the generation `mapping` was trained for
    std::string training_error;            // why the latest training failed, if it did
  };
  // A command that arrived while an earlier one waits for a retrain: everything after a staged
  // command waits behind it, so replies keep the order of the commands (scsynth's sequenced
  // commands). Drum hits and status queries skip the line.
  struct Waiting {
    control::Parsed message;
    std::int64_t arrived_ns = 0;
  };
  struct Slot {
    std::string prompt;
    std::string voice;
  };
  // A command whose slow stage runs on the pool (a bounce): every command after it waits behind
  // it, as behind a staged one, until its commit has answered on the conductor.
  struct InStage {
    control::ReplyTo reply;
    std::string address;
  };
  // A model load asked for a voice (commands_model.cpp): `then` runs on the conductor with the
  // device the model decodes on, or why it did not load.
  struct ModelLoad {
    std::string path;
    std::function<void(Result<std::string>)> then;
  };
  // What a model load's slow stage (on the pool) hands to its commit (on the conductor).
  struct StagedModel {
    Result<models::DecoderPtr> decoder = fail("not loaded");
    Result<mappings::PcaBasis> sliders = fail("not fitted");
  };
  // A latentjam-train child training a model for a voice (commands_train.cpp).
  struct Training {
    std::uint64_t serial = 0;  // events of a finished training never reach the next one
    std::string out_dir;
    control::ReplyTo requester;  // the sender of /jam/train gets the pushes too
    long step = 0;
    long steps = 0;
    std::string model;  // from the trainer's done line
    std::string error;  // from its error line
    bool cancelled = false;
    std::unique_ptr<TrainerProcess> process;
  };
  // How a subscriber wants the widget pushes (docs/osc.md, "Feedback to surfaces"). A surface's
  // moves come from the socket it sent /jam/subscribe from, which need not be the port it asked the
  // pushes to go to (TouchOSC sends and receives on different ports): both identify it.
  struct Subscription {
    control::ReplyTo from;
    bool echo = false;          // it wants its own moves back too
    std::int64_t heard_ns = 0;  // its last message: the quietest goes when a 17th subscribes
  };
  // One widget of the surfaces (a slider, the XY pad, the tempo...): what the subscribers were
  // last told or will be told at the end of the period, so floods are coalesced, not dropped.
  struct Widget {
    control::Reply shown;
    control::ReplyTo sender;  // who moved it to `shown`: not echoed to them
    std::int64_t sent_ns = 0;
    bool pending = false;  // `shown` waits for the period to end
  };
  using Event = std::variant<control::Parsed, std::function<void()>>;

  void execute(control::Parsed&& message);
  // Keeps a command for its bundle's time, or refuses it (too far ahead, too many waiting).
  void schedule(control::Parsed&& message);
  // Runs the scheduled commands that are due; the time until the next one, if any.
  std::optional<std::int64_t> run_due();
  // Runs one command; false when its handler staged it to wait for a retrain (nothing was sent).
  bool dispatch(const control::Parsed& message);
  bool dispatch_once(const control::Parsed& message);
  // Runs the waiting commands that can run now, in order; fails those waiting past the bound.
  void resume_waiting();
  // The line is held by a staged command or a slow stage: new commands queue behind it.
  bool line_is_held() const { return !waiting_.empty() || in_stage_.has_value(); }
  // Runs a command's slow stage on the pool; `commit` then runs on the conductor, and until it has,
  // the commands after this one wait. False when the pool no longer takes work (shutdown).
  bool stage(const control::Command& cmd, std::function<std::function<void()>()> slow);
  // Answers whatever the pool will not finish because the daemon is stopping.
  void fail_unfinished_stages();
  static bool skips_the_line(const control::Parsed& message);
  // For handlers whose answer needs the voice's mapping to include every acknowledged edit.
  bool mapping_ready(const VoiceState& voice) const {
    return voice.trained_generation == voice.generation;
  }
  Outcome wait_for_mapping(const VoiceState& voice);
  void call_soon(std::function<void()> task);  // runs on the conductor thread, from any thread
  void reply(const control::ReplyTo& to, const control::Reply& message);
  void push(const control::Reply& message);  // to subscribers only
  // A state change shown by a widget at `message.address`: pushed to every subscriber but the one
  // that sent it (empty `sender`: to all), at most once a period per widget, the latest value
  // winning; nothing when the widgets already show it (a surface that sends back what it receives
  // cannot start a loop). `key` tells widgets apart that share an address (the gain per voice).
  void feedback(const control::Reply& message, const control::ReplyTo& sender = {},
                const std::string& key = {});
  void send_widget(const Widget& widget);
  // Sends the widget pushes whose period has ended; the time until the next one is due, if any.
  std::optional<std::int64_t> flush_feedback();
  // Brings every widget up to date with widget_state() (unchanged ones cost nothing): after a focus
  // change, a new sound or an edit of the examples. `sender` moved the focus: no echo to it.
  void refresh_widgets(const control::ReplyTo& sender = {});
  // The transport position widget, when the beat has moved on (called from the conductor's loop).
  void feedback_beat();
  control::Reply beat_widget() const;
  // Marks a subscriber as still there (any message from it counts).
  void note_heard(const control::ReplyTo& from);
  static constexpr std::size_t kMaxSubscribers = 16;
  void drop_quietest_subscriber();
  // Every widget's state by widget key: what a surface needs to show when it (re)connects.
  std::vector<std::pair<std::string, control::Reply>> widget_state() const;
  void send_state(const control::ReplyTo& to);
  static std::string gain_key(const VoiceState& v) { return "/jam/gain " + v.name; }
  static control::Reply done(const control::Command& cmd, std::vector<control::ReplyArg> args = {});
  // For handlers that answer later, from another thread's result: execute() sends nothing now.
  static control::Reply deferred() { return {}; }
  // The voice its "voice" argument names, or the focused voice when it has none.
  Result<VoiceState*> voice_arg(const control::Command& cmd);
  std::uint64_t render(VoiceState& voice, models::Latent latent);
  models::RenderContext render_context() const;
  void reset_sliders(VoiceState& voice);
  std::int32_t examples_count() const;
  std::string compute_device() const;  // "cuda" when any voice decodes on a GPU
  std::pair<float, float> render_latency_p50_p99();

  // Text, examples and mappings (commands_examples.cpp).
  Status open_text_encoder();
  // The encoder's vector for a text, computed once: every retrain needs all of a voice's labels.
  const std::vector<float>& embed(const std::string& text);
  // The slider basis of a decoder: PCA of many prior samples, so slow enough for the pool. Touches
  // no state, so any thread may call it.
  static Result<mappings::PcaBasis> fit_sliders(const models::Decoder& decoder);
  void set_sliders(VoiceState& voice, Result<mappings::PcaBasis> basis);
  std::vector<mappings::Example> usable_examples(const VoiceState& voice);
  void retrain(VoiceState& voice);
  void retrain_all();
  void on_trained(TrainingResult&& result);
  mappings::MappingOptions mapping_options() const;
  Result<const mappings::Mapping*> mapping_for(const VoiceState& voice) const;
  void push_examples(const VoiceState& voice);
  Result<std::uint64_t> run_prompt(VoiceState& voice, const std::string& text);
  // The /done arguments of a prompt, variation or slot recall: the sound id, then how the text was
  // read (unknown words, n-gram guesses, ignored words; docs/osc.md) and any encoder fallback.
  // Subscribers also get the reading as one /jam/warning line.
  std::vector<control::ReplyArg> answer_with_reading(std::uint64_t sound_id,
                                                     const std::string& text);
  void load_slots();

  // Models (commands_model.cpp). Loads a model into a voice on the pool (the loading and the slider
  // fitting); `then` runs on the conductor with the device it decodes on, or why it did not load
  // (the voice then keeps the model it had). A voice's loads run one after another, in the order
  // asked. Past the bound on loads waiting, `then` fails at once.
  void load_model(int voice, const std::string& path,
                  std::function<void(Result<std::string>)> then);
  void start_model_load(int voice);  // the front of the voice's queue, onto the pool
  void commit_model(int voice, StagedModel staged);
  // The [models] of the configuration, at start; a model that does not load leaves the built-in
  // decoder playing, with a warning in the log and to every subscriber.
  void load_configured_models();

  // Trainings (commands_train.cpp), events posted by each training's reader thread.
  void on_trainer_event(int voice, std::uint64_t serial, const train::Event& event);
  void on_trainer_exit(int voice, std::uint64_t serial, TrainerExit exit);
  void finish_training(const control::ReplyTo& requester, const std::string& voice,
                       const std::string& failure);  // pushes /jam/train/fail
  void stop_trainings();  // terminates and reaps every child, joins every reader
  Status save_slots() const;

  // The row a command was parsed against (its spec points into command_table()).
  static const CommandRow& row_of(const control::Command& cmd);
  // The handlers, one per row of the command table.
  Outcome on_status(const control::Command&);
  Outcome on_focus(const control::Command&);
  Outcome on_random(const control::Command&);
  Outcome on_trigger(const control::Command&);
  Outcome on_tempo(const control::Command&);
  Outcome on_quantize(const control::Command&);
  Outcome on_play(const control::Command&);
  Outcome on_stop(const control::Command&);
  Outcome on_link(const control::Command&);
  Outcome on_gain(const control::Command&);
  Outcome on_morph(const control::Command&);
  void follow_link_tempo();  // adopts a tempo another Link peer set
  Outcome on_latent(const control::Command&);
  Outcome on_latent_set(const control::Command&);
  Outcome on_subscribe(const control::Command&);
  Outcome on_unsubscribe(const control::Command&);
  Outcome on_help(const control::Command&);
  Outcome on_label(const control::Command&);
  Outcome on_prompt(const control::Command&);
  Outcome on_examples(const control::Command&);
  Outcome on_example_delete(const control::Command&);
  Outcome on_example_relabel(const control::Command&);
  Outcome on_example_select(const control::Command&);
  Outcome on_undo(const control::Command&);
  Outcome on_words(const control::Command&);
  Outcome on_save(const control::Command&);
  Outcome on_load(const control::Command&);
  Outcome on_evaluate(const control::Command&);
  Outcome on_vary(const control::Command&);
  Outcome on_slider(const control::Command&);
  Outcome on_xy(const control::Command&);
  Outcome on_slot_store(const control::Command&);
  Outcome on_slot_recall(const control::Command&);
  Outcome on_midi_learn(const control::Command&);
  Outcome on_model_load(const control::Command&);
  Outcome on_train(const control::Command&);
  Outcome on_train_cancel(const control::Command&);
  Outcome on_bounce(const control::Command&);
  Outcome on_waveform(const control::Command&);
  Outcome on_example_waveform(const control::Command&);
  Outcome on_map(const control::Command&);
  Outcome answer_outline(const control::Command& cmd, models::DecoderPtr decoder,
                         models::Latent latent, control::Reply head);

  // The fast lane for drum hits (docs/architecture.md): post() sends a /jam/trigger or a MIDI
  // note straight to the mixer from the input thread, unless the same client still has a command
  // in the line that changes which sound it would hit (then the hit keeps its place behind it, so
  // "/jam/random kick" then "/jam/trigger kick" still plays the new kick). Input threads only.
  bool take_fast_lane(const control::Parsed& message);
  // Counts the commands of each client that change a voice's sound while they are in the line:
  // +1 when posted, -1 when answered (dispatched, refused or dropped).
  void count_in_line(const control::Parsed& message, int delta);
  void finished(const control::Parsed& message) { count_in_line(message, -1); }
  void set_focus(int index);
  void set_sound_id(VoiceState& voice, std::uint64_t id);

  Parts parts_;
  moodycamel::BlockingConcurrentQueue<Event> inbox_;
  // Read by the input threads for the fast lane; written by the conductor.
  std::vector<std::string> voice_names_;  // fixed once prepare() has run
  std::array<std::atomic<std::uint64_t>, Mixer::kMaxVoices> sound_ids_{};
  std::atomic<int> focus_shared_{0};
  std::mutex in_line_mutex_;
  std::map<std::pair<std::string, std::string>, int> changes_in_line_;  // by client host, port
  std::atomic<std::uint64_t> fast_hits_{0};
  std::atomic<bool> running_{false};
  std::vector<VoiceState> voices_;
  int focus_ = 0;
  double tempo_;
  bool playing_ = true;  // loops run; /jam/stop mutes them (the /jam/playing widget)
  std::uint64_t next_sound_id_ = 1;
  std::mt19937_64 seeds_{0x6c61746e6a616dULL};
  std::vector<control::ReplyTo> subscribers_;
  std::map<std::pair<std::string, std::string>, Subscription> subscriptions_;  // by host, port
  std::map<std::string, Widget> widgets_;  // by address (and voice, for the gain)
  std::int64_t current_received_ns_ = 0;   // arrival time of the command being executed
  std::unique_ptr<mappings::TextEncoder> encoder_;
  std::string encoder_warning_;  // why the encoder in use is a fallback; empty when it is not
  std::vector<std::string> model_warnings_;  // configured models that did not load
  std::unordered_map<std::string, std::vector<float>> embeddings_;  // by text, for encoder_
  std::unique_ptr<mappings::SessionStore> store_;
  std::unique_ptr<TrainingWorker> trainer_;
  std::map<int, Slot> slots_;
  std::deque<Waiting> waiting_;  // staged commands and those behind them, oldest first
  // Commands from OSC bundles timetagged for later, by due time (then arrival): run by run() when
  // due. Bounded in count and in how far ahead (docs/osc.md, "Bundles").
  std::multimap<std::int64_t, control::Parsed> scheduled_;
  int staged_voice_ = -1;            // set by wait_for_mapping() during a dispatch
  std::optional<InStage> in_stage_;  // the bounce whose slow stage runs now, if any
  std::int64_t line_freed_ns_ = 0;   // when in_stage_ last ended: waiting resumes its clock
  std::map<int, std::deque<ModelLoad>> model_loads_;  // by voice; each front is on the pool
  std::size_t model_loads_waiting_ = 0;               // in all voices' queues
  std::map<int, Training> trainings_;                 // running trainings by voice index
  std::uint64_t next_training_ = 1;
  std::vector<double> recent_render_ms_;  // request -> hand-off latencies, the last 2000
  // Last, so it is built after and stopped before everything its tasks report to (~Conductor
  // stops it first anyway).
  WorkerPool workers_{2, "lj-work"};
};

// The daemon's command table: the parser, the OSC, WebSocket and MIDI front ends and the docs
// (`--osc-help`) read it; Conductor::command_rows() holds the same rows with their handlers.
const control::CommandTable& command_table();

}  // namespace latentjam::engine
