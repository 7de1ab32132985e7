#include "latentjam/control/command_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace latentjam::control {
namespace {

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

CommandTable::CommandTable(std::vector<CommandSpec> specs) : specs_(std::move(specs)) {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    const std::string_view address = specs_[i].address;
    if (!address.starts_with("/"))
      throw std::invalid_argument("command address must start with /: " + std::string(address));
    for (std::size_t j = 0; j < i; ++j) {
      if (specs_[j].address == address)
        throw std::invalid_argument("two rows for " + std::string(address));
    }
  }
}

const CommandSpec* CommandTable::find(std::string_view address) const {
  for (const auto& spec : specs_) {
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

std::size_t CommandTable::index_of(const CommandSpec& spec) const {
  if (specs_.empty() || &spec < specs_.data() || &spec >= specs_.data() + specs_.size())
    throw std::logic_error("a command spec from another table: " + std::string(spec.address));
  return static_cast<std::size_t>(&spec - specs_.data());
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

std::string markdown_reference(const CommandTable& table) {
  std::ostringstream out;
  out << "# OSC reference\n\n"
         "Generated from engine/session/src/command_table.cpp by `build/latentjam --osc-help`; do "
         "not "
         "edit by hand.\n\n"
         "Numbers: an `i` argument accepts a float with an integral value and an `f` argument "
         "accepts an int (TouchOSC sends floats). Text is at most "
      << kMaxTextBytes << " bytes; a latent list at most " << kMaxFloatList
      << " floats. Every error answers `/fail s:ADDRESS s:REASON`.\n\n"
         "| address | arguments | bounds | effect | success reply |\n|---|---|---|---|---|\n";
  for (const auto& spec : table.specs()) {
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
