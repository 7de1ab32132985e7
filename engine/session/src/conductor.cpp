#include "latentjam/engine/conductor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "latentjam/control/command_table.hpp"
#include "latentjam/engine/log.hpp"
#include "latentjam/engine/session_midi.hpp"

namespace latentjam::engine {

using control::Command;
using control::Reply;
using control::ReplyArg;

namespace {

// Bounds on staged commands (docs/osc.md, "Read your writes"). A retrain takes milliseconds; these
// only matter if something goes badly wrong, and then the client hears about it.
constexpr std::size_t kMaxWaitingCommands = 4096;
// Bundles timetagged for later: at most this many commands waiting, at most this far ahead. A
// sequencer sends a bar or two ahead; a year ahead is a mistake, and 50 000 of them were 62 MB.
constexpr std::size_t kMaxScheduled = 1024;
constexpr std::int64_t kMaxScheduleAheadNs = 60'000'000'000;
constexpr std::int64_t kMaxWaitNs = 5'000'000'000;
// Widget pushes per address: at most one per period (50 a second), so a fader moved at 200 moves a
// second does not send 200 packets to every phone; the last value always goes out (docs/osc.md).
constexpr std::int64_t kFeedbackPeriodNs = 20'000'000;
// Rows of the example list pushed to surfaces (newest first): more than a phone shows.
constexpr int kExampleRows = 32;
constexpr int kBeatsPerBar = 4;  // the /jam/beat widget counts bars of four, as loops are

const std::string& address_of(const control::Parsed& message) {
  if (auto* rejected = std::get_if<control::Rejected>(&message)) return rejected->address;
  return std::get<Command>(message).address;
}

const control::ReplyTo& reply_to(const control::Parsed& message) {
  if (auto* rejected = std::get_if<control::Rejected>(&message)) return rejected->reply;
  return std::get<Command>(message).reply;
}

}  // namespace

Conductor::Conductor(Parts parts) : parts_(std::move(parts)), tempo_(parts_.config.tempo_bpm) {}

Conductor::~Conductor() {
  workers_.stop();   // its tasks report to this conductor: none may still run below
  stop_trainings();  // when run() did not: its children and readers must not outlive it
  trainer_.reset();  // joins the training thread before the state it reports to goes away
}

Status Conductor::prepare() {
  const Config& config = parts_.config;
  for (const auto& name : config.voices) {
    auto decoder = models::make_builtin_decoder(name);
    if (!decoder)
      return fail("voice \"" + name +
                  "\" has no built-in decoder (built-in: kick, snare, hat, loop)");
    if (voices_.size() >= static_cast<std::size_t>(Mixer::kMaxVoices))
      return fail("too many voices (at most 16)");
    VoiceState v;
    v.name = name;
    v.index = static_cast<int>(voices_.size());
    v.decoder = std::move(decoder);
    v.model = "builtin:" + name;
    set_sliders(v, fit_sliders(*v.decoder));
    voices_.push_back(std::move(v));
    voice_names_.push_back(name);
  }
  load_configured_models();
  for (const auto& name : config.choke) {
    int i = voice_index(name);
    if (i < 0) return fail("choke voice \"" + name + "\" is not one of the voices");
    parts_.mixer.post({AudioMessage::Kind::Choke, i, 1.0f});
  }
  set_focus(voice_index(config.focus));
  if (focus_ < 0) return fail("focus voice \"" + config.focus + "\" is not one of the voices");
  // What a surface shows before anything moved: the first change is compared with it.
  for (auto& [key, message] : widget_state()) widgets_[key].shown = std::move(message);

  if (Status s = open_text_encoder(); !s.ok()) return s;
  std::vector<std::string> warnings;
  auto store = mappings::SessionStore::open(config.session_dir, &warnings);
  for (const auto& w : warnings) log::warn("examples: ", w);
  if (!store.ok())
    return fail("cannot open the examples in " + config.session_dir + ": " + store.error());
  store_ = std::move(store.value());
  log::info("examples: ", store_->size(), " in ", config.session_dir);
  load_slots();
  trainer_ = std::make_unique<TrainingWorker>([this](TrainingResult&& result) {
    call_soon([this, r = std::make_shared<TrainingResult>(std::move(result))]() mutable {
      on_trained(std::move(*r));
    });
  });
  retrain_all();
  return Ok{};
}

int Conductor::voice_index(const std::string& name) const {
  for (const auto& v : voices_)
    if (v.name == name) return v.index;
  return -1;
}

void Conductor::post(control::Parsed&& message) {
  if (parts_.config.fast_hits && take_fast_lane(message)) return;
  count_in_line(message, +1);
  inbox_.enqueue(Event(std::move(message)));
}

void Conductor::count_in_line(const control::Parsed& message, int delta) {
  const auto* cmd = std::get_if<Command>(&message);
  if (!cmd || !row_of(*cmd).changes_sound) return;
  std::lock_guard lock(in_line_mutex_);
  const auto key = std::make_pair(cmd->reply.host, cmd->reply.port);
  if ((changes_in_line_[key] += delta) <= 0) changes_in_line_.erase(key);
}

bool Conductor::take_fast_lane(const control::Parsed& message) {
  const auto* cmd = std::get_if<Command>(&message);
  if (!cmd || !cmd->is("/jam/trigger") || cmd->due_ns != 0 || cmd->released) return false;
  int index = focus_shared_.load(std::memory_order_acquire);
  if (cmd->has("voice")) {
    const auto it = std::find(voice_names_.begin(), voice_names_.end(), cmd->text("voice"));
    if (it == voice_names_.end()) return false;  // the line answers /fail with the reason
    index = static_cast<int>(it - voice_names_.begin());
  }
  if (index < 0 || index >= static_cast<int>(voice_names_.size())) return false;
  std::uint64_t sound = 0;
  {
    // In this order, under the lock the conductor takes when it has run a change (after setting
    // the new sound id): a change of this client's still in the line sends the hit there; one
    // already run has its new sound id read here.
    std::lock_guard lock(in_line_mutex_);
    if (changes_in_line_.count({cmd->reply.host, cmd->reply.port})) return false;
    sound = sound_ids_[static_cast<std::size_t>(index)].load();
  }
  if (sound == 0) return false;  // no sound yet: the line says so
  AudioMessage hit{AudioMessage::Kind::Trigger, index, cmd->number("velocity", 1.0f), nullptr,
                   sound};
  hit.received_ns = cmd->received_ns;
  if (!parts_.mixer.post_hit(hit)) return false;  // full: the line tries, or answers /fail
  fast_hits_.fetch_add(1, std::memory_order_relaxed);
  // The answer is not urgent: it takes its place in the line like any other.
  call_soon([this, to = cmd->reply, address = cmd->address, name = voice_names_[index]] {
    note_heard(to);
    reply(to, {"/done", {address, name}});
  });
  return true;
}

void Conductor::set_focus(int index) {
  focus_ = index;
  focus_shared_.store(index, std::memory_order_release);
}

void Conductor::set_sound_id(VoiceState& voice, std::uint64_t id) {
  voice.sound_id = id;
  sound_ids_[static_cast<std::size_t>(voice.index)].store(id, std::memory_order_release);
}

void Conductor::call_soon(std::function<void()> task) {
  inbox_.enqueue(Event(std::move(task)));
}

void Conductor::run() {
  running_ = true;
  Event event;
  auto handle = [this](Event& e) {
    if (auto* parsed = std::get_if<control::Parsed>(&e)) {
      execute(std::move(*parsed));
    } else {
      std::get<std::function<void()>>(e)();  // e.g. a published mapping: staged commands may run
      resume_waiting();
    }
  };
  while (running_.load()) {
    // Wakes for a coalesced widget push as soon as its period ends, not at the next 20 ms tick.
    std::int64_t wait_ns = 20'000'000;
    if (auto due = flush_feedback()) wait_ns = std::clamp<std::int64_t>(*due, 1'000'000, wait_ns);
    if (auto due = run_due()) wait_ns = std::clamp<std::int64_t>(*due, 100'000, wait_ns);
    if (inbox_.wait_dequeue_timed(event, std::chrono::nanoseconds(wait_ns))) handle(event);
    if (!waiting_.empty()) resume_waiting();  // bounds the wait even when nothing arrives
    parts_.mixer.collect_garbage();           // sounds the audio thread is done with are freed here
    follow_link_tempo();
    feedback_beat();
  }
  while (inbox_.try_dequeue(event)) handle(event);
  // A running load or bounce finishes and commits below; those not started are answered.
  workers_.stop();
  while (inbox_.try_dequeue(event)) handle(event);
  stop_trainings();
  fail_unfinished_stages();
  for (const auto& w : waiting_)
    reply(reply_to(w.message),
          {"/fail", {address_of(w.message), std::string("the daemon is stopping")}});
  waiting_.clear();
  for (const auto& [due, message] : scheduled_)
    reply(reply_to(message),
          {"/fail", {address_of(message), std::string("the daemon is stopping")}});
  scheduled_.clear();
}

void Conductor::stop() {
  running_ = false;
}

void Conductor::notify(Reply message) {
  call_soon([this, m = std::move(message)] { push(m); });
}

void Conductor::midi_learned(const control::MidiLearned& learned) {
  call_soon([this, learned] {
    push({"/jam/midi/learned", {learned.target, learned.source}});
    std::vector<std::string> warnings;
    auto saved = read_session_midi(parts_.config.session_dir, warnings);
    remember_binding(saved, learned.binding);
    if (Status s = write_session_midi(parts_.config.session_dir, saved); !s.ok()) {
      log::warn("MIDI learn of ", learned.target, " not saved: ", s.error());
      push({"/jam/warning", {"MIDI learn of " + learned.target + " not saved: " + s.error()}});
    }
  });
}

void Conductor::reply(const control::ReplyTo& to, const Reply& message) {
  if (!parts_.send) return;
  if (!to.port.empty()) parts_.send(to, message);
  for (const auto& s : subscribers_)
    if (!(s == to)) parts_.send(s, message);
}

void Conductor::push(const Reply& message) {
  if (!parts_.send) return;
  for (const auto& s : subscribers_) parts_.send(s, message);
}

void Conductor::feedback(const Reply& message, const control::ReplyTo& sender,
                         const std::string& key) {
  // Kept even with no subscriber: a surface that subscribes later starts from the state dump, and
  // the next change must compare with the state, not with what an old subscriber was told.
  Widget& w = widgets_[key.empty() ? message.address : key];
  if (w.shown.address == message.address && w.shown.args == message.args) return;
  w.shown = message;
  w.sender = sender;
  const std::int64_t now = RenderPipeline::now_ns();
  if (w.sent_ns != 0 && now - w.sent_ns < kFeedbackPeriodNs) {
    w.pending = true;  // flush_feedback() sends the latest value at the end of the period
    return;
  }
  w.pending = false;
  w.sent_ns = now;
  send_widget(w);
}

void Conductor::send_widget(const Widget& w) {
  if (!parts_.send) return;
  for (const auto& s : subscribers_) {
    const auto it = subscriptions_.find({s.host, s.port});
    const bool echo = it != subscriptions_.end() && it->second.echo;
    // The sender's widget already shows the move; sending it back would fight the finger on it.
    const bool moved_it =
        !w.sender.port.empty() &&
        (s == w.sender || (it != subscriptions_.end() && it->second.from == w.sender));
    if (echo || !moved_it) parts_.send(s, w.shown);
  }
}

std::optional<std::int64_t> Conductor::flush_feedback() {
  std::optional<std::int64_t> next;
  const std::int64_t now = RenderPipeline::now_ns();
  for (auto& [key, w] : widgets_) {
    if (!w.pending) continue;
    const std::int64_t left = w.sent_ns + kFeedbackPeriodNs - now;
    if (left > 0) {
      next = next ? std::min(*next, left) : left;
      continue;
    }
    w.pending = false;
    w.sent_ns = now;
    send_widget(w);
  }
  return next;
}

void Conductor::refresh_widgets(const control::ReplyTo& sender) {
  // The sliders, XY pad, words and example rows show the focused voice: they jump to its state for
  // everyone, the sender of a focus change included. Widgets that already show their state are
  // not sent again (feedback() compares).
  for (const auto& [key, message] : widget_state())
    feedback(message, message.address == "/jam/focus" ? sender : control::ReplyTo{}, key);
}

void Conductor::feedback_beat() {
  // Called on every turn of the conductor's loop: only the beat widget, nothing else computed.
  if (subscribers_.empty()) return;  // the state dump computes it afresh for a new subscriber
  feedback(beat_widget());
}

Reply Conductor::beat_widget() const {
  // Bar and beat (from 1) of the transport: as text for a label widget, then as numbers.
  const auto whole = static_cast<std::int64_t>(std::floor(std::max(0.0, parts_.mixer.beat())));
  const auto bar = static_cast<std::int32_t>(whole / kBeatsPerBar + 1);
  const auto beat = static_cast<std::int32_t>(whole % kBeatsPerBar + 1);
  return {"/jam/beat", {std::to_string(bar) + "." + std::to_string(beat), bar, beat}};
}

void Conductor::note_heard(const control::ReplyTo& from) {
  if (subscriptions_.empty()) return;
  const std::int64_t now = RenderPipeline::now_ns();
  for (auto& [key, sub] : subscriptions_)
    if ((key.first == from.host && key.second == from.port) || sub.from == from) sub.heard_ns = now;
}

std::vector<std::pair<std::string, Reply>> Conductor::widget_state() const {
  const VoiceState& focused = voices_[static_cast<std::size_t>(focus_)];
  std::vector<std::pair<std::string, Reply>> state;
  state.push_back({"/jam/tempo", {"/jam/tempo", {static_cast<float>(tempo_)}}});
  state.push_back({"/jam/focus", {"/jam/focus", {focused.name}}});
  for (std::size_t i = 0; i < focused.sliders.size(); ++i) {
    const std::string address = "/jam/slider/" + std::to_string(i + 1);
    state.push_back({address, {address, {focused.sliders[i]}}});
  }
  state.push_back({"/jam/xy", {"/jam/xy", {focused.sliders[0], focused.sliders[1]}}});
  for (const auto& v : voices_) state.push_back({gain_key(v), {"/jam/gain", {v.name, v.gain}}});
  state.push_back({"/jam/playing", {"/jam/playing", {playing_ ? 1.0f : 0.0f}}});
  state.push_back({"/jam/label/text", {"/jam/label/text", {focused.label_text}}});
  state.push_back({"/jam/prompt/text", {"/jam/prompt/text", {focused.prompt_text}}});
  // The example list, one message per row, newest first, rows past the end emptied so a surface
  // that showed a longer list clears them.
  const std::vector<mappings::Example> examples =
      store_ ? store_->examples(focused.name) : std::vector<mappings::Example>{};
  state.push_back({"/jam/examples/count",
                   {"/jam/examples/count", {static_cast<std::int32_t>(examples.size())}}});
  for (int row = 1; row <= kExampleRows; ++row) {
    const std::string address = "/jam/examples/row/" + std::to_string(row);
    const auto n = static_cast<std::size_t>(row);
    if (n <= examples.size()) {
      const auto& e = examples[examples.size() - n];
      state.push_back({address, {address, {e.text, static_cast<std::int32_t>(e.id)}}});
    } else {
      state.push_back({address, {address, {std::string(), std::int32_t{0}}}});
    }
  }
  state.push_back({"/jam/beat", beat_widget()});
  return state;
}

void Conductor::send_state(const control::ReplyTo& to) {
  if (!parts_.send) return;
  for (const auto& [key, message] : widget_state()) parts_.send(to, message);
}

Reply Conductor::done(const Command& cmd, std::vector<ReplyArg> args) {
  Reply r{"/done", {cmd.address}};
  for (auto& a : args) r.args.push_back(std::move(a));
  return r;
}

const Conductor::CommandRow& Conductor::row_of(const Command& cmd) {
  if (!cmd.spec) throw std::logic_error("a command without its table row: " + cmd.address);
  return command_rows().at(command_table().index_of(*cmd.spec));
}

bool Conductor::skips_the_line(const control::Parsed& message) {
  const auto* cmd = std::get_if<Command>(&message);
  return cmd && row_of(*cmd).skips_the_line;
}

void Conductor::schedule(control::Parsed&& message) {
  const auto& cmd = std::get<Command>(message);
  const std::int64_t ahead = cmd.due_ns - RenderPipeline::now_ns();
  if (ahead > kMaxScheduleAheadNs) {
    reply(cmd.reply,
          {"/fail",
           {cmd.address, "its bundle is timetagged " + std::to_string(ahead / 1'000'000'000) +
                             " s ahead; latentjam schedules at most " +
                             std::to_string(kMaxScheduleAheadNs / 1'000'000'000) + " s ahead"}});
    finished(message);
    return;
  }
  if (scheduled_.size() >= kMaxScheduled) {
    reply(cmd.reply, {"/fail",
                      {cmd.address, "too many commands scheduled by bundle timetags (" +
                                        std::to_string(kMaxScheduled) + ")"}});
    finished(message);
    return;
  }
  const std::int64_t due = cmd.due_ns;
  scheduled_.emplace(due, std::move(message));  // after those due at the same time: their order
}

std::optional<std::int64_t> Conductor::run_due() {
  while (!scheduled_.empty()) {
    const std::int64_t left = scheduled_.begin()->first - RenderPipeline::now_ns();
    if (left > 0) return left;
    control::Parsed message = std::move(scheduled_.begin()->second);
    scheduled_.erase(scheduled_.begin());
    auto& cmd = std::get<Command>(message);
    cmd.due_ns = 0;  // its time has come: runs (and its latency counts) as if it arrived now
    cmd.received_ns = RenderPipeline::now_ns();
    execute(std::move(message));
  }
  return std::nullopt;
}

void Conductor::execute(control::Parsed&& message) {
  if (const auto* cmd = std::get_if<Command>(&message);
      cmd && cmd->due_ns > RenderPipeline::now_ns()) {
    schedule(std::move(message));
    return;
  }
  if (line_is_held() && !skips_the_line(message)) {
    if (waiting_.size() >= kMaxWaitingCommands) {
      reply(reply_to(message),
            {"/fail",
             {address_of(message), std::string("too many commands waiting for a retrain (") +
                                       std::to_string(kMaxWaitingCommands) + "); slow down"}});
      finished(message);
      return;
    }
    waiting_.push_back({std::move(message), RenderPipeline::now_ns()});
    return;
  }
  if (!dispatch(message)) waiting_.push_back({std::move(message), RenderPipeline::now_ns()});
}

bool Conductor::dispatch(const control::Parsed& message) {
  const bool answered = dispatch_once(message);
  if (answered) finished(message);
  return answered;
}

bool Conductor::dispatch_once(const control::Parsed& message) {
  if (auto* rejected = std::get_if<control::Rejected>(&message)) {
    reply(rejected->reply, {"/fail", {rejected->address, rejected->reason}});
    return true;
  }
  const Command& cmd = std::get<Command>(message);
  note_heard(cmd.reply);
  if (cmd.released) return true;  // a surface button let go: nothing to do, nothing to say
  current_received_ns_ = cmd.received_ns ? cmd.received_ns : RenderPipeline::now_ns();
  staged_voice_ = -1;
  Outcome outcome = fail("");
  try {
    outcome = (this->*(row_of(cmd).handler))(cmd);
  } catch (const std::exception& e) {
    // A handler asking for an argument its row does not have (std::logic_error), or memory
    // running out: the client hears why, the daemon plays on.
    log::error("internal error in ", cmd.address, ": ", e.what());
    outcome = fail(std::string("internal error: ") + e.what());
  }
  if (staged_voice_ >= 0) {
    staged_voice_ = -1;
    return false;
  }
  if (outcome.ok()) {
    if (!outcome.value().address.empty()) reply(cmd.reply, outcome.value());
  } else {
    reply(cmd.reply, {"/fail", {cmd.address, outcome.error()}});
  }
  return true;
}

void Conductor::resume_waiting() {
  const std::int64_t now = RenderPipeline::now_ns();
  while (!waiting_.empty() && !in_stage_) {
    Waiting& head = waiting_.front();
    // Time spent behind a slow stage is not time waiting for a mapping.
    if (now - std::max(head.arrived_ns, line_freed_ns_) > kMaxWaitNs) {
      // Never answer from a stale mapping: say so, and let the commands behind it go on.
      reply(reply_to(head.message),
            {"/fail",
             {address_of(head.message), std::string("the mapping is still training after ") +
                                            std::to_string(kMaxWaitNs / 1'000'000'000) +
                                            " s; try again"}});
      finished(head.message);
      waiting_.pop_front();
      continue;
    }
    if (!dispatch(head.message)) return;
    waiting_.pop_front();
  }
}

bool Conductor::stage(const Command& cmd, std::function<std::function<void()>()> slow) {
  const bool taken = workers_.submit([this, slow = std::move(slow)] {
    call_soon([this, commit = slow()] {
      in_stage_.reset();
      line_freed_ns_ = RenderPipeline::now_ns();
      commit();  // run() then lets the commands behind it go on
    });
  });
  if (taken) in_stage_ = InStage{cmd.reply, cmd.address};
  return taken;
}

void Conductor::fail_unfinished_stages() {
  const std::string stopping = "the daemon is stopping";
  if (in_stage_) reply(in_stage_->reply, {"/fail", {in_stage_->address, stopping}});
  in_stage_.reset();
  auto loads = std::exchange(model_loads_, {});
  model_loads_waiting_ = 0;
  for (auto& [voice, queue] : loads)
    for (auto& load : queue) load.then(fail(stopping));
}

Conductor::Outcome Conductor::wait_for_mapping(const VoiceState& voice) {
  staged_voice_ = voice.index;
  return deferred();
}

Result<Conductor::VoiceState*> Conductor::voice_arg(const Command& cmd) {
  if (!cmd.has("voice")) return &voices_[static_cast<std::size_t>(focus_)];
  const std::string name = cmd.text("voice");
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
  set_sound_id(voice, next_sound_id_++);
  parts_.pipeline.submit({voice.index, voice.sound_id, voice.latent, voice.decoder,
                          render_context(), current_received_ns_});
  return voice.sound_id;
}

void Conductor::reset_sliders(VoiceState& voice) {
  voice.anchor = voice.latent;
  voice.sliders.fill(0.5f);
  // A new sound: no label yet, and no prompt unless the caller sets it after.
  voice.label_text.clear();
  voice.prompt_text.clear();
  // Faders on a control surface follow: the new sound is the centre of every slider.
  if (voice.index == focus_) refresh_widgets();
}

std::int32_t Conductor::examples_count() const {
  return store_ ? static_cast<std::int32_t>(store_->size()) : 0;
}

std::string Conductor::compute_device() const {
  for (const auto& v : voices_)
    if (v.decoder->info().device == "cuda") return "cuda";
  return "cpu";
}

}  // namespace latentjam::engine

namespace latentjam::engine {}  // namespace latentjam::engine
