#include "latentjam/control/command_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

namespace latentjam::control {
namespace {

constexpr float kNoMin = 0.0f, kNoMax = -1.0f;

ParamSpec voice_opt() {
  return {"voice", ParamType::Text, true};
}
ParamSpec text(std::string_view name) {
  return {name, ParamType::Text};
}
ParamSpec id_param() {
  return {"id", ParamType::Int, false, 1.0f, 2147483647.0f};
}
ParamSpec unit(std::string_view name) {
  return {name, ParamType::Float, false, 0.0f, 1.0f};
}

// Bounds are inclusive. Every bound here is documented through markdown_reference().
const std::vector<CommandSpec>& table() {
  static const std::vector<CommandSpec> specs = {
      {CommandId::Status,
       "/jam/status",
       {},
       "Engine state as key/value pairs.",
       "/jam/status.reply s:examples i:N s:focus s:VOICE s:tempo f:BPM s:beat f:BEATS_PLAYED "
       "s:xruns i:N s:load f:MEAN "
       "s:load_peak f:PEAK s:device s:cpu|cuda s:sample_rate i:HZ s:buffer i:FRAMES s:audio s:NAME "
       "s:decodes i:N s:superseded i:N s:render_p50_ms f:MS s:render_p99_ms f:MS s:link i:0|1 "
       "s:link_peers i:N s:dropped i:N s:encoder s:NAME s:mapping s:kernel|mlp "
       "s:dropped_remote i:N s:hits i:N s:hits_fast i:N s:hit_p50_ms f:MS s:hit_p99_ms f:MS "
       "s:hit_max_ms f:MS "
       "(s:sound.VOICE i:SOUND_ID s:model.VOICE s:builtin:NAME|PATH s:hit.VOICE i:SOUND_ID)... "
       "(s:train.VOICE s:STEP/STEPS)... for each training running",
       ButtonRule::TrailingPress},
      {CommandId::Focus,
       "/jam/focus",
       {text("voice")},
       "Focus a voice; commands without a voice act on it.",
       "/done /jam/focus s:VOICE"},
      {CommandId::Random,
       "/jam/random",
       {voice_opt(), {"seed", ParamType::Int, true, 0.0f, 2147483647.0f}},
       "New sound from the decoder's prior (seeded when a seed is given as an integer; a float is "
       "a button: 1 pressed, 0 released and ignored).",
       "/done /jam/random i:SOUND_ID",
       ButtonRule::TrailingPress},
      {CommandId::Prompt,
       "/jam/prompt",
       {text("text"), voice_opt()},
       "Jump to the latent the voice's mapping predicts for the text (prompt grammar in "
       "docs/mappings.md). Waits for a retrain in progress (see below).",
       "/done /jam/prompt i:SOUND_ID s:NOTE..."},
      {CommandId::Label,
       "/jam/label",
       {text("text"), voice_opt()},
       "Label the current sound: adds an example (durable before the reply) and retrains.",
       "/done /jam/label i:EXAMPLE_ID"},
      {CommandId::Examples,
       "/jam/examples",
       {voice_opt(),
        {"first", ParamType::Int, true, 1.0f, 2147483647.0f},
        {"count", ParamType::Int, true, 1.0f, 2147483647.0f}},
       "List the voice's examples, oldest first: all of them, or `count` from the `first`-th "
       "(1 = the oldest; the voice must then be named). A list longer than one reply holds "
       "(32768 bytes, about 120 labels of 256 bytes) answers /fail with its length: ask for it in "
       "parts.",
       "/jam/examples.reply s:VOICE (i:ID s:TEXT)..."},
      {CommandId::ExampleDelete,
       "/jam/example/delete",
       {id_param()},
       "Delete an example and retrain.",
       "/done /jam/example/delete i:ID"},
      {CommandId::ExampleRelabel,
       "/jam/example/relabel",
       {id_param(), text("text")},
       "Change an example's text and retrain.",
       "/done /jam/example/relabel i:ID"},
      {CommandId::ExampleSelect,
       "/jam/example/select",
       {id_param()},
       "Make that example's sound current (and focus its voice).",
       "/done /jam/example/select i:SOUND_ID"},
      {CommandId::Undo,
       "/jam/undo",
       {},
       "Undo the last dataset edit.",
       "/done /jam/undo s:WHAT",
       ButtonRule::TrailingPress},
      {CommandId::Vary,
       "/jam/vary",
       {text("text"), {"amount", ParamType::Float, false, -3.0f, 3.0f}, voice_opt()},
       "Move the current sound toward the text; 0..1, beyond 1 extrapolates, negative moves away. "
       "Waits for a retrain in progress.",
       "/done /jam/vary i:SOUND_ID s:NOTE..."},
      {CommandId::Slider,
       "/jam/slider/*",
       {unit("position")},
       "PCA slider 1..8 of the focused voice; 0.5 is the current sound.",
       "/done /jam/slider/N i:SOUND_ID"},
      {CommandId::Xy,
       "/jam/xy",
       {unit("x"), unit("y")},
       "Position in the plane of the first two components; 0.5 0.5 is the current sound.",
       "/done /jam/xy i:SOUND_ID"},
      {CommandId::Latent,
       "/jam/latent",
       {voice_opt()},
       "The current latent.",
       "/jam/latent.reply s:VOICE f..."},
      {CommandId::LatentSet,
       "/jam/latent/set",
       {text("voice"), {"latent", ParamType::FloatList, false, -100.0f, 100.0f}},
       "Set the latent directly (as many floats as the decoder's latent size).",
       "/done /jam/latent/set i:SOUND_ID"},
      {CommandId::Trigger,
       "/jam/trigger",
       {voice_opt(), {"velocity", ParamType::Float, true, 0.0f, 1.0f}},
       "Play the voice's one-shot (velocity defaults to 1). For the loop voice, velocity sets the "
       "loop's level. Velocity 0 is a button's release and is ignored (mute a loop with "
       "/jam/gain or /jam/stop).",
       "/done /jam/trigger s:VOICE",
       ButtonRule::ZeroReleases},
      {CommandId::Tempo,
       "/jam/tempo",
       {{"bpm", ParamType::Float, false, 20.0f, 400.0f}},
       "Session tempo in beats per minute.",
       "/done /jam/tempo f:BPM"},
      {CommandId::Quantize,
       "/jam/quantize",
       {{"beats", ParamType::Float, false, 0.0f, 64.0f}},
       "Boundary for loop changes in beats (0 = immediately).",
       "/done /jam/quantize f:BEATS"},
      {CommandId::Words,
       "/jam/words",
       {voice_opt()},
       "Label suggestions for the voice: words no label of it uses yet that the encoder knows "
       "well, the most contrasting first.",
       "/jam/words.reply s:VOICE s..."},
      {CommandId::ModelLoad,
       "/jam/model/load",
       {text("voice"), text("path")},
       "Load a decoder for a voice (\"builtin:kick\" or a TorchScript file). On failure the "
       "previous model keeps playing.",
       "/done /jam/model/load s:VOICE s:DEVICE"},
      {CommandId::Train,
       "/jam/train",
       {text("voice"), text("folder")},
       "Train a model for the voice on a folder of sounds (WAV, FLAC, AIFF) with latentjam-train, "
       "in its own process at idle priority, into a new folder models/VOICE-N of the session "
       "folder; the voice plays its model until the new one is loaded. Options, as name/value "
       "pairs after the folder: steps N, minutes M (at most), from current|PATH (fine-tune the "
       "voice's TorchScript model or that file), seed S. One training per voice. Progress and "
       "the end are pushed (see Training below).",
       "/done /jam/train s:VOICE s:OUTDIR",
       ButtonRule::None,
       {{"steps", ParamType::Int, true, 1.0f, 100000.0f},
        {"minutes", ParamType::Float, true, 0.1f, 600.0f},
        {"from", ParamType::Text, true},
        {"seed", ParamType::Int, true, 0.0f, 999999.0f}}},
      {CommandId::TrainCancel,
       "/jam/train/cancel",
       {text("voice")},
       "Stop the voice's training (SIGTERM, SIGKILL 5 s later); its end is pushed as "
       "/jam/train/fail s:VOICE s:cancelled.",
       "/done /jam/train/cancel s:VOICE"},
      {CommandId::Save,
       "/jam/save",
       {text("name")},
       "Save the session under a name in the session folder ([A-Za-z0-9_-.], no leading dot, at "
       "most 64 characters).",
       "/done /jam/save s:NAME"},
      {CommandId::Load,
       "/jam/load",
       {text("name")},
       "Load a saved session by name.",
       "/done /jam/load s:NAME"},
      {CommandId::Bounce,
       "/jam/bounce",
       {text("name"), voice_opt()},
       "Write the voice's current sound to NAME.wav in the export folder (same name rules as "
       "save).",
       "/done /jam/bounce s:PATH"},
      {CommandId::SlotStore,
       "/jam/slot/store",
       {{"slot", ParamType::Int, false, 1.0f, 128.0f}, text("prompt")},
       "Store a prompt in a slot, recalled by a pad or a program change.",
       "/done /jam/slot/store i:SLOT"},
      {CommandId::SlotRecall,
       "/jam/slot/recall",
       {{"slot", ParamType::Int, false, 1.0f, 128.0f}},
       "Run the prompt stored in a slot (what a pad or a program change does). Waits for a "
       "retrain in progress.",
       "/done /jam/slot/recall i:SOUND_ID s:NOTE..."},
      {CommandId::Play,
       "/jam/play",
       {},
       "Restart the transport from beat 0 and unmute the loops (MIDI Start and Continue).",
       "/done /jam/play",
       ButtonRule::TrailingPress},
      {CommandId::Morph,
       "/jam/morph",
       {{"bars", ParamType::Float, false, 0.0f, 16.0f}},
       "Loop changes morph from the old loop to the new one over this many bars (of 4 beats); 0 "
       "goes back to the short crossfade on the boundary.",
       "/done /jam/morph f:BARS"},
      {CommandId::Gain,
       "/jam/gain",
       {text("voice"), {"gain", ParamType::Float, false, 0.0f, 2.0f}},
       "The voice's level on the master (1 = unity). A safety limiter keeps the master below "
       "-1 dBFS.",
       "/done /jam/gain s:VOICE f:GAIN"},
      {CommandId::Link,
       "/jam/link",
       {{"enabled", ParamType::Int, false, 0.0f, 1.0f}},
       "Share tempo and bar phase with other apps over Ableton Link (1 on, 0 off).",
       "/done /jam/link i:ENABLED"},
      {CommandId::Stop,
       "/jam/stop",
       {},
       "Mute the loops and cut ringing hits (MIDI Stop).",
       "/done /jam/stop",
       ButtonRule::TrailingPress},
      {CommandId::MidiLearn,
       "/jam/midi/learn",
       {text("target")},
       "Bind the next MIDI control moved to a target: slider/N, slot/N, trigger/VOICE.",
       "/done /jam/midi/learn s:TARGET"},
      {CommandId::Subscribe,
       "/jam/subscribe",
       {{"port", ParamType::Int, true, 1.0f, 65535.0f}, {"echo", ParamType::Int, true, 0.0f, 1.0f}},
       "Copy every reply and state change to the sender's host at this port (default: the "
       "sender's port; the port only as an integer, a float is a button). Widget pushes and the "
       "state dump that comes before the /done: see Feedback to surfaces below; echo 1 also "
       "sends the subscriber its own moves.",
       "/done /jam/subscribe i:PORT",
       ButtonRule::TrailingPress},
      {CommandId::Unsubscribe,
       "/jam/unsubscribe",
       {{"port", ParamType::Int, true, 1.0f, 65535.0f}},
       "Stop copying replies and state changes to the sender's host at this port (default: the "
       "sender's port).",
       "/done /jam/unsubscribe i:PORT",
       ButtonRule::TrailingPress},
      {CommandId::Evaluate,
       "/jam/evaluate",
       {voice_opt()},
       "How well the mapping fits: leave-one-out error per example and conflicting labels (at most "
       "4 "
       "wait; more answer /fail).",
       "/jam/evaluate.reply s:VOICE (i:ID f:ERROR)... then /jam/warning s:TEXT per conflict"},
      {CommandId::Waveform,
       "/jam/waveform",
       {voice_opt(), {"points", ParamType::Int, true, 8.0f, 1024.0f}},
       "The outline of the voice's current sound, for a screen: the peak level of each of `points` "
       "equal slices (default 128), 0..1.",
       "/jam/waveform.reply s:VOICE i:SOUND_ID f..."},
      {CommandId::ExampleWaveform,
       "/jam/example/waveform",
       {id_param(), {"points", ParamType::Int, true, 8.0f, 1024.0f}},
       "The outline of an example's sound (as /jam/waveform), for thumbnails in a list.",
       "/jam/example/waveform.reply i:ID f..."},
      {CommandId::Map,
       "/jam/map",
       {voice_opt()},
       "Where the voice's examples lie in the XY pad's plane (the same 0..1 coordinates as "
       "/jam/xy, 0.5 0.5 the current sound; clamped to the pad's edges), to draw them on the pad.",
       "/jam/map.reply s:VOICE (i:ID s:TEXT f:X f:Y)..."},
      {CommandId::Help,
       "/jam/help",
       {},
       "Every address with its arguments.",
       "/jam/help.reply (s:ADDRESS s:ARGUMENTS)...",
       ButtonRule::TrailingPress},
  };
  return specs;
}

const char* type_letter(ParamType t) {
  switch (t) {
    case ParamType::Int:
      return "i";
    case ParamType::Float:
      return "f";
    case ParamType::Text:
      return "s";
    case ParamType::FloatList:
      return "f...";
  }
  return "?";
}

}  // namespace

std::span<const CommandSpec> command_table() {
  return table();
}

const CommandSpec* find_command(std::string_view address) {
  for (const auto& spec : table()) {
    std::string_view pattern = spec.address;
    if (pattern.ends_with("/*")) {
      auto prefix = pattern.substr(0, pattern.size() - 1);
      if (address.starts_with(prefix) && address.size() > prefix.size()) return &spec;
    } else if (pattern == address) {
      return &spec;
    }
  }
  return nullptr;
}

std::string range_text(const ParamSpec& p) {
  std::ostringstream out;
  if (p.type == ParamType::Int) {
    // Bounds are stored as floats, where INT32_MAX rounds up to 2^31: clamp back to what fits.
    const auto as_int = [](float v) {
      return std::clamp<long long>(std::llround(v), std::numeric_limits<std::int32_t>::min(),
                                   std::numeric_limits<std::int32_t>::max());
    };
    out << as_int(p.min) << ".." << as_int(p.max);
  } else {
    out << p.min << ".." << p.max;
  }
  return out.str();
}

std::string signature(const CommandSpec& spec) {
  std::ostringstream out;
  bool first = true;
  for (const auto& p : spec.params) {
    if (!first) out << ' ';
    first = false;
    if (p.optional) out << '[';
    out << type_letter(p.type) << ':' << p.name;
    if (p.optional) out << ']';
  }
  for (const auto& o : spec.options) {
    if (!first) out << ' ';
    first = false;
    out << '[' << o.name << ' ' << type_letter(o.type) << ']';
  }
  return out.str();
}

std::string markdown_reference() {
  std::ostringstream out;
  out << "# OSC reference\n\n"
         "Generated from control/src/command_table.cpp by `build/latentjam --osc-help`; do not "
         "edit by hand.\n\n"
         "Numbers: an `i` argument accepts a float with an integral value and an `f` argument "
         "accepts an int (TouchOSC sends floats). Text is at most "
      << kMaxTextBytes << " bytes; a latent list at most " << kMaxFloatList
      << " floats. Every error answers `/fail s:ADDRESS s:REASON`.\n\n"
         "| address | arguments | bounds | effect | success reply |\n|---|---|---|---|---|\n";
  for (const auto& spec : table()) {
    std::string bounds;
    std::vector<ParamSpec> all = spec.params;
    all.insert(all.end(), spec.options.begin(), spec.options.end());
    for (const auto& p : all) {
      if (p.type != ParamType::Text && p.min <= p.max) {
        if (!bounds.empty()) bounds += "; ";
        bounds += std::string(p.name) + " " + range_text(p);
      }
    }
    out << "| `" << spec.address << "` | "
        << (spec.params.empty() ? "" : "`" + signature(spec) + "`") << " | " << bounds << " | "
        << spec.help << " | `" << spec.reply << "` |\n";
  }
  out << "\n## Buttons\n\n"
         "A TouchOSC, Open Stage Control or Lemur button sends `f:1` when pressed and `f:0` when "
         "released. `/jam/random`, `/jam/undo`, `/jam/play`, `/jam/stop`, `/jam/subscribe`, "
         "`/jam/unsubscribe`, "
         "`/jam/status` and `/jam/help` take a trailing float as the button's value, not as a "
         "parameter: non-zero runs the command, 0 (the release) is ignored without a reply. "
         "So a seed for `/jam/random` and a port for `/jam/subscribe` must be integers (`i`). "
         "`/jam/trigger` with velocity 0 is a release and is ignored too.\n";
  out << "\n## Feedback to surfaces\n\n"
         "Every state change is pushed to the subscribers at the address of the widget that "
         "shows it, with the arguments that widget sends, so a TouchOSC, Open Stage Control or "
         "Lemur widget with that address moves when another client (or MIDI, or a Link peer) "
         "moves it: `/jam/slider/N f:POSITION` (N 1..8, the focused voice), `/jam/xy f:X f:Y`, "
         "`/jam/tempo f:BPM`, `/jam/focus s:VOICE` and `/jam/gain s:VOICE f:GAIN`. The XY pad and "
         "sliders 1 and 2 show the same two positions, so moving one pushes the other; a focus "
         "change pushes the newly focused voice's sliders and XY; a new sound of the focused voice "
         "(random, prompt, vary, slot recall, example select, latent set, model load) pushes "
         "the sliders and XY back to 0.5. These pushes come in addition "
         "to the `/done` copies and are not replies: `/done` is unchanged.\n\n"
         "Display widgets (labels, LEDs, lists) have addresses of their own, never a command's, "
         "so a surface that sends back what it receives cannot label, play or stop anything: "
         "`/jam/label/text s:TEXT` (the label of the focused voice's current sound, \"\" until "
         "it is labelled or for a new sound), `/jam/prompt/text s:TEXT` (the prompt or variation "
         "that made it, \"\" otherwise), `/jam/playing f:1|0` (loops running or stopped), "
         "`/jam/examples/count i:N` and `/jam/examples/row/K s:TEXT i:ID` for K = 1..32 (the "
         "focused voice's examples, newest first, one message per row so a stock label widget "
         "can show each; rows past the end are sent as `s:\"\" i:0` to clear them; "
         "`/jam/examples` still answers the whole list) and `/jam/beat s:BAR.BEAT i:BAR i:BEAT` "
         "(the transport, from 1, bars of four beats, pushed when the beat changes: a label "
         "widget shows the text).\n\n"
         "No echo to the sender: a move is not pushed back to the subscriber that made it (its "
         "widget already shows it, and a value coming back while the finger is still on the "
         "fader makes it jump). The sender is recognised by its host and port, or by the host "
         "and port it sent `/jam/subscribe` from, since TouchOSC sends from one port and "
         "receives on another. `/jam/subscribe i:PORT i:1` asks for echoes all the same. A "
         "value the widgets already show is not pushed again, so a surface whose widgets send "
         "back what they receive (TouchOSC's Feedback flag, a bridge) cannot start a loop.\n\n"
         "Rate: each widget address (each voice's gain) is pushed at most once per 20 ms; moves "
         "within that period are coalesced, and the latest value is always sent when the "
         "period ends, so a fader at 200 moves a second sends about 50 pushes and ends where "
         "the fader stopped.\n\n"
         "State dump: `/jam/subscribe` (and a repeated one, e.g. after a surface restarts) sends "
         "the subscriber `/jam/tempo`, `/jam/focus`, `/jam/slider/1` .. `/jam/slider/8`, "
         "`/jam/xy`, `/jam/gain` for each voice, `/jam/playing`, `/jam/label/text`, "
         "`/jam/prompt/text`, `/jam/examples/count`, the 32 rows and `/jam/beat` before its "
         "`/done`, as scsynth's `/notify` and Open Stage Control's sync do: once the `/done` "
         "arrives the surface shows the session as it is.\n\n"
         "Subscriptions: at most 16 at a time. A seventeenth does not fail: the subscriber heard "
         "from least recently (any message it sent counts) is dropped to make room and told so "
         "with `/jam/warning s:\"unsubscribed: ...\"`, so throwaway subscriptions cannot lock a "
         "surface out; a surface that keeps sending stays, and a dropped one subscribes again. "
         "`/jam/unsubscribe` ends one at once.\n";
  out << "\n## Bundles\n\n"
         "Messages in an OSC bundle run in order. A bundle timetagged for later (a sequencer "
         "sending ahead of the beat) waits in the daemon until its time, then its messages run as "
         "if they had just arrived, and their replies go to the client that sent the bundle. "
         "Bounds: at most 60 s ahead (further answers `/fail ADDRESS \"its bundle is timetagged "
         "N s ahead; ...\"`) and at most 1024 commands waiting (more answer `/fail`); a timetag "
         "in the past or the immediate timetag runs at once. Waiting commands are answered "
         "`/fail ADDRESS \"the daemon is stopping\"` at shutdown.\n";
  out << "\n## Read your writes\n\n"
         "A prompt, variation or slot recall always answers from a mapping that includes every "
         "edit acknowledged before it (label, delete, relabel, undo, `/jam/load`, a model "
         "change). When the voice's retrain is still running, the command is staged: it waits "
         "(the daemon does not block), and every command after it waits behind it, so replies "
         "come in the order the commands were sent. `/jam/trigger`, `/jam/status` and "
         "`/jam/help` skip the line. A retrain takes well under a millisecond at 100 examples "
         "(BENCHMARKS.md). Bounds: a staged command that has waited more than 5 s answers "
         "`/fail ADDRESS \"the mapping is still training after 5 s; try again\"`; with 4096 "
         "commands waiting, new ones answer `/fail` at once. `/jam/bounce` holds the line the "
         "same way while a worker thread decodes and writes its file. `/jam/model/load` does "
         "not: it answers once the voice plays the model (a voice's loads run in the order "
         "sent); with 64 loads waiting, new ones answer `/fail /jam/model/load \"too many model "
         "loads waiting (64)\"`.\n\n"
         "## How a prompt was read\n\n"
         "`/jam/prompt`, `/jam/vary` and `/jam/slot/recall` answer `/done ADDRESS i:SOUND_ID` "
         "followed by zero or more `s:NOTE` strings saying how the words were read: "
         "`guessed \"boomy\" from boom, booms, boomer` (not in the vocabulary, read from "
         "words sharing its letters), `unknown word \"zzqx\": it matches nothing`, "
         "`ignored \"the\": too common to count`, or, with the hashing encoder, `the hashing "
         "encoder knows no words: ... only match labels that share letters`. No notes when "
         "every word was known; at most 8 notes (the last `and N more`) of at most 120 bytes "
         "each. Grammar keywords and weights are never reported.\n\n"
         "When the daemon runs without its word vectors it falls back to the hashing encoder "
         "and says so: a `/jam/warning s:TEXT` to every client that subscribes, a first note in "
         "every prompt's `/done`, and `(fallback: no word vectors)` after the encoder's name in "
         "`/jam/status`. `LATENTJAM_WORD_VECTORS=FILE` names the file to use (that file or "
         "none).\n";
  out << "\n## Training\n\n"
         "`/jam/train` answers `/done` as soon as latentjam-train has started; from then on its "
         "sender and every subscriber get `/jam/train/stage s:VOICE s:NAME` (loading, augmenting, "
         "training, rendering, pictures, exporting), `/jam/train/progress s:VOICE i:STEP i:STEPS "
         "f:LOSS f:SPECTRAL f:ENVELOPE f:KL f:LEFT_S i:EPOCH` (at most 10 a second; LEFT_S is the "
         "trainer's estimate of the seconds left; an epoch is one pass over the sounds), and at "
         "the end one of `/jam/train/done s:VOICE "
         "s:MODEL_PATH`, sent once the voice plays the new model (loaded as `/jam/model/load` "
         "does), or `/jam/train/fail s:VOICE s:REASON`: the trainer's own error, `cancelled`, "
         "its exit status or signal, or why the trained model did not load. The trainer's "
         "messages are in OUTDIR/trainer.log. `/jam/status` shows `train.VOICE s:STEP/STEPS` "
         "while a training runs. The trainer is `[train] program` of the configuration, else "
         "`$LATENTJAM_TRAIN`, else `latentjam-train` next to the daemon's executable.\n";
  return out.str();
}

}  // namespace latentjam::control
