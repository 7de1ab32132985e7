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

std::optional<double> MidiClockTempo::tick(double time_seconds) {
  if (count_ > 0) {
    const double last = times_[(head_ + kWindow - 1) % kWindow];
    const double gap = time_seconds - last;
    if (!(gap > 0.0) || gap > kMaxTickGapSeconds) count_ = 0;  // stopped, or time went backwards
  }
  times_[head_] = time_seconds;
  head_ = (head_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
  if (count_ < kWindow) return std::nullopt;

  // Least-squares slope of tick time over tick index = seconds per tick. Times are taken relative
  // to the oldest tick so the sums keep their precision on a long-running monotonic clock.
  const int first = (head_ + kWindow - count_) % kWindow;
  const double t0 = times_[first];
  const double n = count_;
  const double mean_x = (n - 1.0) / 2.0;
  double mean_y = 0.0;
  for (int k = 0; k < count_; ++k) mean_y += times_[(first + k) % kWindow] - t0;
  mean_y /= n;
  double sxy = 0.0, sxx = 0.0;
  for (int k = 0; k < count_; ++k) {
    const double dx = k - mean_x;
    sxy += dx * (times_[(first + k) % kWindow] - t0 - mean_y);
    sxx += dx * dx;
  }
  const double seconds_per_tick = sxy / sxx;
  if (!(seconds_per_tick > 0.0)) return std::nullopt;
  return 60.0 / (seconds_per_tick * kTicksPerBeat);
}

MidiMap::MidiMap(MidiMapOptions options) : options_(std::move(options)) {
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
      out.commands.push_back(parse_message("/jam/slider/" + std::to_string(target.index),
                                           {{'f', static_cast<double>(value)}}, {}));
      break;
    case MidiTarget::Kind::Slot:
      out.commands.push_back(
          parse_message("/jam/slot/recall", {{'i', std::int64_t{target.index}}}, {}));
      break;
    case MidiTarget::Kind::Trigger:
      out.commands.push_back(parse_message(
          "/jam/trigger", {{'s', target.voice}, {'f', static_cast<double>(value)}}, {}));
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
      out.commands.push_back(parse_message("/jam/tempo", {{'f', *bpm}}, {}));
      return;
    }
    case kStart:
    case kContinue:
      out.commands.push_back(parse_message("/jam/play", {}, {}));
      return;
    case kStop:
      out.commands.push_back(parse_message("/jam/stop", {}, {}));
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
