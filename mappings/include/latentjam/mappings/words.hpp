// Label suggestions: words musicians use for percussive sounds, written for this project, per voice
// (kick, snare, hat, loop) plus a generic list for any other voice. Each list has 20 to 40 words
// and is meant to be shown as buttons or a menu (/jam/words).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace latentjam::mappings {

// The suggestions for `voice`; a voice without its own list gets the generic one.
const std::vector<std::string>& suggested_words(std::string_view voice);

// The generic list (timbre words that fit any drum).
const std::vector<std::string>& generic_words();

}  // namespace latentjam::mappings
