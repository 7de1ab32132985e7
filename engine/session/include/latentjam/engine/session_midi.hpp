// The MIDI controls learned in a session (/jam/midi/learn), kept in the session folder (midi.tsv:
// "cc|note<TAB>NUMBER<TAB>CHANNEL<TAB>TARGET" lines, channel 0 = any), so a rig restarts with its
// controller mapped as it was left. Written by the conductor after every learn, read at start;
// the configuration's own bindings are not copied here (the configuration stays their home).
#pragma once

#include <string>
#include <vector>

#include "latentjam/base/result.hpp"
#include "latentjam/control/midi_map.hpp"

namespace latentjam::engine {

// A missing file is an empty list; a line that does not parse is skipped with a warning.
std::vector<control::MidiBinding> read_session_midi(const std::string& session_dir,
                                                    std::vector<std::string>& warnings);

// Replaces the file whole and durably (durable_file.hpp).
Status write_session_midi(const std::string& session_dir,
                          const std::vector<control::MidiBinding>& bindings);

// `learned` added to `bindings`, replacing a binding of the same control (source, number,
// channel) or of the same target: a control drives one thing, a target is driven by one control.
void remember_binding(std::vector<control::MidiBinding>& bindings,
                      const control::MidiBinding& learned);

}  // namespace latentjam::engine
