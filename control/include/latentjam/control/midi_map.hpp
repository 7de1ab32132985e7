// The pure half of MIDI input: raw MIDI bytes in, control commands out. No I/O, no clock of its
// own (timestamps are passed in), so every rule here is unit-tested deterministically.
//
// Every command is produced through parse_message() with an empty ReplyTo, so MIDI is validated by
// the same table as OSC (a voice or slot the table rejects comes out as a Rejected, like OSC).
//
// Defaults (DESIGN.md §6 "MIDI"):
//   CC 1..8                      -> /jam/slider/1..8 f:value/127
//   notes 36 / 38,40 / 42,44,46  -> /jam/trigger s:kick|snare|hat f:velocity/127 (GM drums)
//   program change p (0..127)    -> /jam/slot/recall i:p+1
//   note range (off by default)  -> /jam/slot/recall i:1..n
//   clock 0xF8 (24 PPQN)         -> /jam/tempo f:bpm when the measured tempo moves by > 0.5 %
//   Start 0xFA, Continue 0xFB    -> /jam/play;  Stop 0xFC -> /jam/stop (all three restart the
//                                   clock measurement)
// Note-off and note-on with velocity 0 are ignored (one-shots ring out by themselves).
//
// Thread-safety: none inside. MidiInput serialises the RtMidi callback thread (handle()) and the
// conductor (learn(), bindings()) with one short mutex; tests call it from one thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/control/command.hpp"

namespace latentjam::control {

// What a MIDI control can drive. Text form (as in /jam/midi/learn): "slider/N" (N 1..8),
// "slot/N" (N 1..128), "trigger/VOICE" (VOICE 1..32 of [A-Za-z0-9_-]).
struct MidiTarget {
  enum class Kind { Slider, Slot, Trigger };
  Kind kind = Kind::Slider;
  int index = 0;      // slider 1..8 or slot 1..128; unused for Trigger
  std::string voice;  // Trigger only

  std::string text() const;
  bool operator==(const MidiTarget&) const = default;
};

// Parses the text form; nullopt and a human-readable reason in `error` when it is not valid.
std::optional<MidiTarget> parse_midi_target(std::string_view text, std::string& error);

// One control on the controller bound to a target.
struct MidiBinding {
  enum class Source { ControlChange, Note };
  Source source = Source::ControlChange;
  int number = 0;   // CC number or note number, 0..127
  int channel = 0;  // 1..16, or 0 = any channel
  MidiTarget target;

  // "cc 21 ch 1", "note 60 any channel": what the lead reports after a learn.
  std::string source_text() const;
};

struct MidiMapOptions {
  // slider_ccs[i] moves slider i+1 (at most 8 entries).
  std::vector<int> slider_ccs{1, 2, 3, 4, 5, 6, 7, 8};
  // Note number -> voice that the note triggers.
  std::map<int, std::string> drum_notes{{36, "kick"}, {38, "snare"}, {40, "snare"},
                                        {42, "hat"},  {44, "hat"},   {46, "hat"}};
  // Notes slot_note_first .. slot_note_first+slot_note_count-1 recall slots 1..slot_note_count.
  // Off by default (count 0). A note in this range wins over drum_notes.
  int slot_note_first = 48;
  int slot_note_count = 0;
  bool program_change_recalls_slots = true;
  // 1..16 listens to that channel only; 0 = omni.
  int channel = 0;
  // Follow MIDI clock and Start/Continue/Stop.
  bool follow_clock = true;
  // A new /jam/tempo is sent when the measured tempo differs from the last one sent by more than
  // this fraction. 0.5 % is below what a listener hears as a change and above clock jitter.
  double tempo_change_threshold = 0.005;
  // Bindings from the configuration or a saved session; they take precedence over the defaults.
  std::vector<MidiBinding> bindings;
};

// Checks a configuration; false and a reason in `error` for the first problem found. MidiMap
// itself drops invalid entries, so call this where the configuration is loaded.
bool validate_midi_options(const MidiMapOptions& options, std::string& error);

// A completed MIDI learn, for the lead to report ("/jam/midi/learned s:target s:source").
struct MidiLearned {
  MidiBinding binding;
  std::string target;  // binding.target.text()
  std::string source;  // binding.source_text()
};

// What one MIDI message produced.
struct MidiOutput {
  std::vector<Parsed> commands;
  std::optional<MidiLearned> learned;
};

// Measures tempo from MIDI clock ticks (24 per quarter note): a least-squares line of tick time
// against tick number through the last two beats of ticks, which averages out per-tick jitter far
// better than the mean of the intervals (that mean only depends on the first and last tick).
//
// Least squares alone is not robust: a stalled sender, a late JACK cycle or a busy scheduler
// delivers several ticks at once (a burst), and one tick 100 ms late at the end of the window moves
// the slope by several per cent. So the fit is anchored by medians first (the median slope of tick
// pairs half a window apart, then the median intercept), ticks far from that line are left out (at
// most half a tick period, at least 1 ms, else three robust standard deviations of the residuals),
// and the line is fitted twice to the ticks that remain. An estimate needs three quarters of the
// window to agree; while fewer do (a long burst, the middle of a tempo change) there is none.
//
// A tick lost on the way (a JACK cycle dropped by an xrun) would shift every later tick by one
// period: a gap of about two periods followed by a normal one is counted as a lost tick (a delayed
// tick is followed by a burst, not by a normal gap, so the two are told apart one tick later).
//
// The first estimate waits for the full two beats; a gap of kMaxTickGapSeconds or time going
// backwards starts a new measurement, as does reset() (MIDI Start, Continue and Stop).
//
// Real-time friendly: fixed-size arrays, no allocation, O(window) work per tick.
class MidiClockTempo {
 public:
  static constexpr int kTicksPerBeat = 24;
  // At 20 bpm (the table's minimum) ticks are 125 ms apart; a gap well beyond that means the clock
  // stopped, and the next tick starts a new measurement.
  static constexpr double kMaxTickGapSeconds = 0.3;
  static constexpr int kWindow = 2 * kTicksPerBeat + 1;          // ticks in the fit: two beats
  static constexpr int kMinInliers = 3 * (kWindow - 1) / 4 + 1;  // ticks that must fit the line

  // Feeds one tick (a monotonic arrival time); returns the current estimate in bpm once two beats
  // of ticks have been seen and enough of them agree.
  std::optional<double> tick(double time_seconds);
  void reset();

  // For tests and diagnostics: ticks the last fit left out, and ticks counted as lost since reset.
  int rejected() const { return rejected_; }
  int lost() const { return lost_; }

 private:
  std::optional<double> fit();
  double median_gap();

  std::array<double, kWindow> times_{};
  std::array<std::int64_t, kWindow> numbers_{};  // tick number since reset, lost ticks counted
  std::array<double, kWindow> scratch_{};        // for medians
  int count_ = 0;                                // ticks stored, up to kWindow
  int head_ = 0;                                 // next slot to write
  double seconds_per_tick_ = 0.0;                // last fit since reset; 0 = none yet
  int rejected_ = 0;
  int lost_ = 0;
};

class MidiMap {
 public:
  // Commands are validated against `table`, which must outlive the map.
  explicit MidiMap(const CommandTable& table, MidiMapOptions options = {});

  // One MIDI message as RtMidi delivers it (normally one complete message; anything else —
  // SysEx, running status, several messages, truncated bytes, stray data bytes — is tolerated).
  // `time_seconds` is a monotonic time of arrival, used only for the clock.
  MidiOutput handle(std::span<const std::uint8_t> bytes, double time_seconds);

  // Arms MIDI learn: the next CC or note-on (on an accepted channel) is bound to `target` instead
  // of doing what it did before; handle() then returns a MidiLearned. A second learn() before that
  // replaces the pending target. False and a reason when the target is not valid.
  bool learn(std::string_view target, std::string& error);
  bool learning() const { return pending_learn_.has_value(); }
  void cancel_learn() { pending_learn_.reset(); }

  // Configured and learned bindings, for saving (learned ones last).
  const std::vector<MidiBinding>& bindings() const { return bindings_; }
  const MidiMapOptions& options() const { return options_; }

 private:
  void handle_message(std::uint8_t status, std::uint8_t d1, std::uint8_t d2, MidiOutput& out);
  void handle_realtime(std::uint8_t status, double time, MidiOutput& out);
  const MidiBinding* find_binding(MidiBinding::Source source, int number, int channel) const;
  void fire(const MidiTarget& target, float value, MidiOutput& out);
  void bind(MidiBinding binding);

  const CommandTable& table_;
  MidiMapOptions options_;
  std::vector<MidiBinding> bindings_;
  std::optional<MidiTarget> pending_learn_;
  // Last value of every CC per channel, so a CC bound to a trigger or slot fires once when it
  // crosses 64 upward (a button sends 127 on press and 0 on release).
  std::array<std::array<std::uint8_t, 128>, 16> cc_values_{};
  std::uint8_t running_status_ = 0;  // last channel status byte, for running status; 0 = none
  MidiClockTempo clock_;
  std::optional<double> last_tempo_sent_;
};

}  // namespace latentjam::control
