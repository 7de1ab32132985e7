#include "latentjam/control/midi_map.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "latentjam/control/parse.hpp"

namespace latentjam::control {
namespace {

constexpr std::uint8_t kNoteOn = 0x90, kControlChange = 0xB0, kProgramChange = 0xC0;
constexpr std::uint8_t kSysExStart = 0xF0, kSysExEnd = 0xF7, kClock = 0xF8, kStart = 0xFA,
                       kContinue = 0xFB, kStop = 0xFC;
constexpr std::size_t kMaxVoiceName = 32;

// Data bytes that follow a status byte; system common messages (0xF1..0xF6) included so their data
// is skipped rather than misread as running-status data.
int data_length(std::uint8_t status) {
  switch (status & 0xF0) {
    case 0xC0:
    case 0xD0:
      return 1;
    case 0x80:
    case 0x90:
    case 0xA0:
    case 0xB0:
    case 0xE0:
      return 2;
    default:
      break;
  }
  switch (status) {
    case 0xF1:  // MTC quarter frame
    case 0xF3:  // song select
      return 1;
    case 0xF2:  // song position
      return 2;
    default:
      return 0;
  }
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

bool valid_voice(std::string_view v) {
  if (v.empty() || v.size() > kMaxVoiceName) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

}  // namespace

std::string MidiTarget::text() const {
  switch (kind) {
    case Kind::Slider:
      return "slider/" + std::to_string(index);
    case Kind::Slot:
      return "slot/" + std::to_string(index);
    case Kind::Trigger:
      return "trigger/" + voice;
  }
  return {};
}

std::optional<MidiTarget> parse_midi_target(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const std::string_view kind = text.substr(0, slash);
  const std::string_view arg =
      slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
  auto numbered = [&](MidiTarget::Kind k, int max) -> std::optional<MidiTarget> {
    auto n = parse_int(arg);
    if (!n || *n < 1 || *n > max) {
      error = std::string(kind) + " number must be 1.." + std::to_string(max) + ", got \"" +
              std::string(arg.substr(0, 16)) + "\"";
      return std::nullopt;
    }
    return MidiTarget{k, *n, {}};
  };
  if (kind == "slider") return numbered(MidiTarget::Kind::Slider, 8);
  if (kind == "slot") return numbered(MidiTarget::Kind::Slot, 128);
  if (kind == "trigger") {
    if (!valid_voice(arg)) {
      error = "trigger needs a voice name of 1..32 letters, digits, '_' or '-' (trigger/snare)";
      return std::nullopt;
    }
    return MidiTarget{MidiTarget::Kind::Trigger, 0, std::string(arg)};
  }
  error = "unknown MIDI target \"" + std::string(text.substr(0, 32)) +
          "\"; use slider/1..8, slot/1..128 or trigger/VOICE";
  return std::nullopt;
}

std::string MidiBinding::source_text() const {
  std::string s = source == Source::ControlChange ? "cc " : "note ";
  s += std::to_string(number);
  s += channel == 0 ? " any channel" : " ch " + std::to_string(channel);
  return s;
}

namespace {

// Median of values[0..n) (reorders them); n > 0. The upper median for even n is good enough here.
double median_of(double* values, int n) {
  std::nth_element(values, values + n / 2, values + n);
  return values[n / 2];
}

// Tolerance for telling a lost tick from jitter: a gap within a quarter period of two periods.
constexpr double kLostTickTolerance = 0.25;
constexpr int kMaxLostRun = 2;  // lost ticks recognised in one run (two ticks apart)
// Residual bounds for keeping a tick in the fit (seconds, and fractions of a tick period).
constexpr double kMinResidualTolerance = 0.001;
constexpr double kMaxResidualTolerance = 0.5;
constexpr double kResidualSigmas = 3.0;
constexpr double kMadToSigma = 1.4826;  // median absolute deviation -> standard deviation (normal)
constexpr int kShortSpan = 6;  // ticks between the ends of a short pair for the robust start
constexpr int kPasses = 3;     // rejection and least-squares passes

}  // namespace

void MidiClockTempo::reset() {
  count_ = 0;
  head_ = 0;
  seconds_per_tick_ = 0.0;
  rejected_ = 0;
  lost_ = 0;
}

double MidiClockTempo::median_gap() {
  // Gaps per tick number between consecutive stored ticks.
  const int first = (head_ + kWindow - count_) % kWindow;
  int n = 0;
  for (int k = 1; k < count_; ++k) {
    const int i = (first + k) % kWindow, j = (first + k - 1) % kWindow;
    scratch_[n++] = (times_[i] - times_[j]) / static_cast<double>(numbers_[i] - numbers_[j]);
  }
  return n > 0 ? median_of(scratch_.data(), n) : 0.0;
}

std::optional<double> MidiClockTempo::tick(double time_seconds) {
  std::int64_t number = 0;
  if (count_ > 0) {
    const int last = (head_ + kWindow - 1) % kWindow;
    const double gap = time_seconds - times_[last];
    // Stopped, or time went backwards (or is not a number): start again. A gap of 0 is a burst.
    if (!(gap >= 0.0) || gap > kMaxTickGapSeconds)
      reset();
    else {
      number = numbers_[last] + 1;
      // Lost ticks: this gap is about one period and the one or two gaps before it were about two.
      // (After a delayed tick the next one arrives in the same burst, a gap near 0, so a delay is
      // not taken for a loss; a clock that halves its tempo never follows with a short gap.)
      const double period =
          seconds_per_tick_ > 0.0 ? seconds_per_tick_ : (count_ > 8 ? median_gap() : 0.0);
      const double tolerance = kLostTickTolerance * period;
      if (period > 0.0 && std::fabs(gap - period) < tolerance) {
        int run = 0;  // consecutive double gaps just before this tick
        for (int back = 1; back <= kMaxLostRun && back < count_; ++back) {
          const int i = (head_ + kWindow - back) % kWindow;
          const int j = (i + kWindow - 1) % kWindow;
          if (numbers_[i] != numbers_[j] + 1 ||
              std::fabs(times_[i] - times_[j] - 2.0 * period) >= tolerance)
            break;
          run = back;
        }
        // The tick after the k-th lost one (counting from the oldest) moves k numbers on.
        for (int back = run; back >= 1; --back)
          numbers_[(head_ + kWindow - back) % kWindow] += run - back + 1;
        number += run;
        lost_ += run;
      }
    }
  }
  times_[head_] = time_seconds;
  numbers_[head_] = number;
  head_ = (head_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
  if (count_ < kWindow) return std::nullopt;
  auto seconds_per_tick = fit();
  if (!seconds_per_tick) return std::nullopt;
  seconds_per_tick_ = *seconds_per_tick;
  return 60.0 / (*seconds_per_tick * kTicksPerBeat);
}

std::optional<double> MidiClockTempo::fit() {
  // Times and numbers relative to the oldest tick, so the sums keep their precision on a
  // long-running monotonic clock.
  const int n = count_;
  const int first = (head_ + kWindow - n) % kWindow;
  std::array<double, kWindow> x{}, y{};
  for (int k = 0; k < n; ++k) {
    const int i = (first + k) % kWindow;
    x[k] = static_cast<double>(numbers_[i] - numbers_[first]);
    y[k] = times_[i] - times_[first];
  }

  // Least squares through the ticks near a line, leaving out the ones far from it; three passes,
  // so each judges residuals against a line the outliers no longer pull. Returns the slope, the
  // ticks it kept and the median distance of all ticks from it, or nothing when too few agree.
  struct Line {
    double slope;
    int inliers;
    double median_residual;
  };
  auto refine = [&](double slope) -> std::optional<Line> {
    if (!(slope > 0.0)) return std::nullopt;
    for (int k = 0; k < n; ++k) scratch_[k] = y[k] - slope * x[k];
    double intercept = median_of(scratch_.data(), n);
    int inliers = 0;
    for (int pass = 0; pass < kPasses; ++pass) {
      for (int k = 0; k < n; ++k) scratch_[k] = std::fabs(y[k] - intercept - slope * x[k]);
      const double sigma = kMadToSigma * median_of(scratch_.data(), n);
      const double tolerance = std::min(std::max(kResidualSigmas * sigma, kMinResidualTolerance),
                                        kMaxResidualTolerance * slope);
      double sx = 0.0, sy = 0.0;
      inliers = 0;
      for (int k = 0; k < n; ++k) {
        if (std::fabs(y[k] - intercept - slope * x[k]) > tolerance) continue;
        sx += x[k];
        sy += y[k];
        ++inliers;
      }
      if (inliers < kWindow / 4) return std::nullopt;
      const double mean_x = sx / inliers, mean_y = sy / inliers;
      double sxy = 0.0, sxx = 0.0;
      for (int k = 0; k < n; ++k) {
        if (std::fabs(y[k] - intercept - slope * x[k]) > tolerance) continue;
        sxy += (x[k] - mean_x) * (y[k] - mean_y);
        sxx += (x[k] - mean_x) * (x[k] - mean_x);
      }
      if (!(sxx > 0.0) || !(sxy > 0.0)) return std::nullopt;
      slope = sxy / sxx;
      intercept = mean_y - slope * mean_x;
    }
    for (int k = 0; k < n; ++k) scratch_[k] = std::fabs(y[k] - intercept - slope * x[k]);
    return Line{slope, inliers, median_of(scratch_.data(), n)};
  };

  // Robust starting lines: the median slope of tick pairs a few ticks apart (a burst of b ticks
  // spoils at most b + 6 of the pairs, a lost tick that was not recognised at most 6) and of pairs
  // half a window apart (arrival times quantised to a JACK period close to the tick period spoil
  // short spans). The fit closer to most ticks wins (least median of residuals): across a tempo
  // change or an unrecognised lost tick that is the line through the larger part, not a blend.
  std::optional<Line> best;
  for (int span : {kShortSpan, n / 2}) {
    int pairs = 0;
    for (int k = 0; k + span < n; ++k)
      scratch_[pairs++] = (y[k + span] - y[k]) / (x[k + span] - x[k]);
    auto result = refine(median_of(scratch_.data(), pairs));
    if (result && (!best || result->median_residual < best->median_residual)) best = result;
  }
  if (!best || best->inliers < kMinInliers) return std::nullopt;
  rejected_ = n - best->inliers;
  return best->slope;
}

MidiMap::MidiMap(const CommandTable& table, MidiMapOptions options)
    : table_(table), options_(std::move(options)) {
  // Invalid entries are dropped rather than trusted: validate_midi_options() is where a
  // configuration gets its error message.
  std::erase_if(options_.slider_ccs, [](int cc) { return cc < 0 || cc > 127; });
  if (options_.slider_ccs.size() > 8) options_.slider_ccs.resize(8);
  for (const auto& b : options_.bindings) {
    if (b.number >= 0 && b.number <= 127 && b.channel >= 0 && b.channel <= 16) bind(b);
  }
}

bool validate_midi_options(const MidiMapOptions& o, std::string& error) {
  if (o.slider_ccs.size() > 8) {
    error = "at most 8 slider CCs";
    return false;
  }
  for (int cc : o.slider_ccs) {
    if (cc < 0 || cc > 127) {
      error = "slider CC " + std::to_string(cc) + " is not 0..127";
      return false;
    }
  }
  for (const auto& [note, voice] : o.drum_notes) {
    if (note < 0 || note > 127 || !valid_voice(voice)) {
      error = "drum note " + std::to_string(note) + " -> \"" + voice.substr(0, 32) +
              "\" needs a note 0..127 and a voice name";
      return false;
    }
  }
  if (o.slot_note_count < 0 || o.slot_note_count > 128 || o.slot_note_first < 0 ||
      o.slot_note_first + o.slot_note_count > 128) {
    error = "slot notes must stay within 0..127 and count at most 128 slots";
    return false;
  }
  if (o.channel < 0 || o.channel > 16) {
    error = "MIDI channel must be 1..16, or 0 for all channels";
    return false;
  }
  if (!(o.tempo_change_threshold >= 0.0 && o.tempo_change_threshold < 1.0)) {
    error = "tempo change threshold must be 0..1";
    return false;
  }
  for (const auto& b : o.bindings) {
    if (b.number < 0 || b.number > 127 || b.channel < 0 || b.channel > 16) {
      error = "binding " + b.source_text() + " needs a number 0..127 and a channel 0..16";
      return false;
    }
    std::string target_error;
    if (!parse_midi_target(b.target.text(), target_error)) {
      error = "binding " + b.source_text() + ": " + target_error;
      return false;
    }
  }
  return true;
}

bool MidiMap::learn(std::string_view target, std::string& error) {
  auto parsed = parse_midi_target(target, error);
  if (!parsed) return false;
  pending_learn_ = std::move(*parsed);
  return true;
}

void MidiMap::bind(MidiBinding binding) {
  std::erase_if(bindings_, [&](const MidiBinding& b) {
    return b.source == binding.source && b.number == binding.number && b.channel == binding.channel;
  });
  bindings_.push_back(std::move(binding));
}

const MidiBinding* MidiMap::find_binding(MidiBinding::Source source, int number,
                                         int channel) const {
  // Latest first: a learned binding overrides a configured one for the same control.
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (it->source == source && it->number == number &&
        (it->channel == 0 || it->channel == channel))
      return &*it;
  }
  return nullptr;
}

void MidiMap::fire(const MidiTarget& target, float value, MidiOutput& out) {
  switch (target.kind) {
    case MidiTarget::Kind::Slider:
      out.commands.push_back(parse_message(table_, "/jam/slider/" + std::to_string(target.index),
                                           {{'f', static_cast<double>(value)}}, {}));
      break;
    case MidiTarget::Kind::Slot:
      out.commands.push_back(
          parse_message(table_, "/jam/slot/recall", {{'i', std::int64_t{target.index}}}, {}));
      break;
    case MidiTarget::Kind::Trigger:
      out.commands.push_back(parse_message(
          table_, "/jam/trigger", {{'s', target.voice}, {'f', static_cast<double>(value)}}, {}));
      break;
  }
}

MidiOutput MidiMap::handle(std::span<const std::uint8_t> bytes, double time_seconds) {
  MidiOutput out;
  // A small MIDI stream parser: real-time bytes may appear anywhere (even inside another message),
  // a data byte with no status in front reuses the last channel status (running status), SysEx is
  // skipped to its end, and whatever is incomplete when the bytes run out is dropped.
  std::uint8_t status = running_status_;
  std::uint8_t data[2] = {0, 0};
  int have = 0;
  bool in_sysex = false;
  for (std::uint8_t b : bytes) {
    if (b >= kClock) {
      handle_realtime(b, time_seconds, out);
      continue;
    }
    if (b & 0x80) {
      have = 0;
      in_sysex = b == kSysExStart;
      if (b >= kSysExStart) {
        // System common and SysEx cancel running status; their data bytes are skipped.
        running_status_ = 0;
        // Tune request (0xF6) and undefined bytes have no data: nothing to collect afterwards.
        status = data_length(b) > 0 ? b : 0;
      } else {
        status = running_status_ = b;
      }
      continue;
    }
    if (in_sysex || status == 0) continue;  // SysEx payload, or a stray data byte
    data[have++] = b;
    if (have == data_length(status)) {
      if (status < kSysExStart) handle_message(status, data[0], data[1], out);
      have = 0;
      if (status >= kSysExStart) status = 0;  // system common has no running status
    }
  }
  return out;
}

void MidiMap::handle_realtime(std::uint8_t status, double time, MidiOutput& out) {
  if (!options_.follow_clock) return;
  switch (status) {
    case kClock: {
      auto bpm = clock_.tick(time);
      if (!bpm) return;
      if (last_tempo_sent_ && std::fabs(*bpm - *last_tempo_sent_) <=
                                  options_.tempo_change_threshold * *last_tempo_sent_)
        return;
      last_tempo_sent_ = *bpm;
      out.commands.push_back(parse_message(table_, "/jam/tempo", {{'f', *bpm}}, {}));
      return;
    }
    // A sender may restart its clock phase at Start, Continue or Stop: measure afresh. The last
    // tempo sent is kept, so the same tempo after a restart is not sent again.
    case kStart:
    case kContinue:
      clock_.reset();
      out.commands.push_back(parse_message(table_, "/jam/play", {}, {}));
      return;
    case kStop:
      clock_.reset();
      out.commands.push_back(parse_message(table_, "/jam/stop", {}, {}));
      return;
    default:
      return;  // active sensing, reset, undefined: nothing to do
  }
}

void MidiMap::handle_message(std::uint8_t status, std::uint8_t d1, std::uint8_t d2,
                             MidiOutput& out) {
  const int channel = (status & 0x0F) + 1;
  if (options_.channel != 0 && channel != options_.channel) return;
  const std::uint8_t type = status & 0xF0;

  auto learn_from = [&](MidiBinding::Source source) {
    MidiBinding binding{source, d1, channel, std::move(*pending_learn_)};
    pending_learn_.reset();
    out.learned = MidiLearned{binding, binding.target.text(), binding.source_text()};
    bind(std::move(binding));
  };

  if (type == kNoteOn && d2 > 0) {
    if (pending_learn_) return learn_from(MidiBinding::Source::Note);
    const float velocity = d2 / 127.0f;
    if (auto* b = find_binding(MidiBinding::Source::Note, d1, channel))
      return fire(b->target, velocity, out);
    if (d1 >= options_.slot_note_first && d1 < options_.slot_note_first + options_.slot_note_count)
      return fire({MidiTarget::Kind::Slot, d1 - options_.slot_note_first + 1, {}}, velocity, out);
    if (auto it = options_.drum_notes.find(d1); it != options_.drum_notes.end())
      return fire({MidiTarget::Kind::Trigger, 0, it->second}, velocity, out);
    return;
  }
  if (type == kControlChange) {
    std::uint8_t& last = cc_values_[channel - 1][d1];
    const bool rising = last < 64 && d2 >= 64;
    last = d2;
    if (pending_learn_) return learn_from(MidiBinding::Source::ControlChange);
    const float value = d2 / 127.0f;
    if (auto* b = find_binding(MidiBinding::Source::ControlChange, d1, channel)) {
      // A CC drives a slider continuously, but fires a trigger or a slot like a button: once per
      // press, when it crosses the middle upward.
      if (b->target.kind == MidiTarget::Kind::Slider || rising) fire(b->target, value, out);
      return;
    }
    auto it = std::find(options_.slider_ccs.begin(), options_.slider_ccs.end(), d1);
    if (it != options_.slider_ccs.end()) {
      const int slider = static_cast<int>(it - options_.slider_ccs.begin()) + 1;
      fire({MidiTarget::Kind::Slider, slider, {}}, value, out);
    }
    return;
  }
  if (type == kProgramChange && options_.program_change_recalls_slots) {
    fire({MidiTarget::Kind::Slot, d1 + 1, {}}, 1.0f, out);
    return;
  }
  // Note-off, aftertouch, pitch bend: nothing in latentjam responds to them.
}

}  // namespace latentjam::control
