// Label suggestions: words musicians use for percussive sounds, written for this project, per voice
// (kick, snare, hat, loop) plus a generic list for any other voice. Each list has 20 to 40 words
// and is meant to be shown as buttons or a menu (/jam/words).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

// The suggestions for `voice`; a voice without its own list gets the generic one.
const std::vector<std::string>& suggested_words(std::string_view voice);

// The generic list (timbre words that fit any drum).
const std::vector<std::string>& generic_words();

// A suggestion must be a word the word vectors know well: in the vocabulary itself (not guessed
// from n-grams, not read as the parts of a hyphenated word) and among the kWellKnownRank most
// frequent words. Rarer words were seen in few contexts and have noisy vectors: of the lists
// below this drops hissy, rimshot, reverby and dubby, and keeps punchy (rank ~62 000), squishy
// (~67 000), lo-fi and laid-back (~76 000, ~83 000).
inline constexpr std::uint32_t kWellKnownRank = 100000;

// What /jam/words answers: label suggestions for `voice` that are not used yet and that the
// encoder knows well, the most contrasting first.
//  1. Start from suggested_words(voice).
//  2. Drop every word that already occurs in one of `used_labels` (the voice's example texts),
//     word by word after tokenize_words (so case and punctuation do not matter: "Bright kick!"
//     uses "bright" and "kick").
//  3. With word vectors, keep only well-known words (kWellKnownRank above); other encoders (the
//     hashing encoder, Sentence-BERT) cannot say, so every word is kept.
//  4. Order greedily, farthest first: each next suggestion is the remaining word whose largest
//     cosine similarity to the used labels' embeddings and to the suggestions already chosen is
//     the smallest; ties go to the word earlier in the list. Without labels the first suggestion
//     is the list's first word. A performer who labelled "bright" is thus first offered a word
//     far from bright, not a synonym: labels that differ teach the mapping more.
//  5. Return at most `count` words.
// Deterministic: the same voice, labels and encoder give the same list.
std::vector<std::string> suggest_labels(std::string_view voice,
                                        const std::vector<std::string>& used_labels,
                                        const TextEncoder& encoder, std::size_t count = 16);

// The same with the labels' embeddings already at hand (the conductor keeps them with the
// examples): `label_embeddings` are used instead of embedding `used_labels` again; vectors of the
// wrong size and zero vectors (labels without words) are skipped.
std::vector<std::string> suggest_labels(std::string_view voice,
                                        const std::vector<std::string>& used_labels,
                                        const std::vector<std::vector<float>>& label_embeddings,
                                        const TextEncoder& encoder, std::size_t count = 16);

}  // namespace latentjam::mappings
