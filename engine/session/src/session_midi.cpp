#include "latentjam/engine/session_midi.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "latentjam/base/durable_file.hpp"

namespace latentjam::engine {

namespace {

constexpr const char* kFile = "/midi.tsv";

bool whole_number(const std::string& text, int low, int high, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= low && out <= high;
}

}  // namespace

std::vector<control::MidiBinding> read_session_midi(const std::string& session_dir,
                                                    std::vector<std::string>& warnings) {
  std::vector<control::MidiBinding> out;
  std::ifstream in(session_dir + kFile);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string f; std::getline(split, f, '\t');) fields.push_back(f);
    control::MidiBinding b;
    std::string error = "not \"cc|note<TAB>NUMBER<TAB>CHANNEL<TAB>TARGET\"";
    bool ok = fields.size() == 4 && (fields[0] == "cc" || fields[0] == "note") &&
              whole_number(fields[1], 0, 127, b.number) &&
              whole_number(fields[2], 0, 16, b.channel);
    if (ok) {
      b.source = fields[0] == "cc" ? control::MidiBinding::Source::ControlChange
                                   : control::MidiBinding::Source::Note;
      auto target = control::parse_midi_target(fields[3], error);
      ok = target.has_value();
      if (ok) b.target = *target;
    }
    if (!ok) {
      warnings.push_back(session_dir + kFile + " line " + std::to_string(number) + ": " + error +
                         "; skipped");
      continue;
    }
    remember_binding(out, b);
  }
  return out;
}

Status write_session_midi(const std::string& session_dir,
                          const std::vector<control::MidiBinding>& bindings) {
  std::string text;
  for (const auto& b : bindings)
    text += std::string(b.source == control::MidiBinding::Source::ControlChange ? "cc" : "note") +
            '\t' + std::to_string(b.number) + '\t' + std::to_string(b.channel) + '\t' +
            b.target.text() + '\n';
  return base::write_file_durably(session_dir + kFile, text);
}

void remember_binding(std::vector<control::MidiBinding>& bindings,
                      const control::MidiBinding& learned) {
  std::erase_if(bindings, [&](const control::MidiBinding& b) {
    return (b.source == learned.source && b.number == learned.number &&
            b.channel == learned.channel) ||
           b.target == learned.target;
  });
  bindings.push_back(learned);
}

}  // namespace latentjam::engine
