// How a prompt was read: which of its words the text encoder knows, which it guessed from
// character n-grams, which it could not read at all and which it (nearly) ignored because they are
// too common to count. The conductor sends the notes to the client (docs/osc.md, "How a prompt
// was read"), so a performer can tell why "zzqx kick" lands where it does.
//
// The prompt grammar's keywords (between/and/at, very/really/extremely/super, a bit/a little/
// slightly) and the weights of "A:0.7 B:0.3" are taken out first (parse_prompt): they steer the
// mix of latents and are never embedded, so they are never reported. The words of each term are
// then looked up one by one, as WordVectorEncoder::embed does:
//
//   Known     in the vocabulary, with a SIF weight of at least kIgnoredWeight
//   Ignored   in the vocabulary but so frequent that its SIF weight is below kIgnoredWeight
//             ("the", "a", "of", "is": the words of rank below ~18 in the default vectors); it
//             barely moves the sentence vector
//   Guessed   out of the vocabulary; its vector is the mean of known words sharing its character
//             n-grams ("boomy" from boom, booms, boomer); at most kReadingNeighbours listed
//   Unknown   out of the vocabulary and sharing nothing: a fixed pseudo-random vector, which
//             matches nothing in particular
//
// A hyphenated or apostrophised word missing from the vocabulary ("kick-snare") is read as its
// parts, as the encoder does; each part is reported on its own (with `part_of` set).
//
// Encoders that do not look words up one by one (knows_words == false):
//   hashing         every word is Unknown: the encoder only matches labels sharing letters
//   Sentence-BERT   words are Unchecked: the model reads any text, the reading says nothing
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

// A known word whose SIF weight is below this counts for less than a fifth of a rare word in the
// sentence vector: it is reported as ignored. With the default vectors that is rank < ~18.
inline constexpr float kIgnoredWeight = 0.2f;
// Neighbours listed for a guessed word (the encoder averages up to 5).
inline constexpr std::size_t kReadingNeighbours = 3;
// Bounds on reading_notes: at most kMaxReadingNotes strings (the last one "and N more" when
// there are more), each at most kMaxReadingNoteBytes bytes; reading_summary is at most
// kMaxReadingNoteBytes bytes too.
inline constexpr std::size_t kMaxReadingNotes = 8;
inline constexpr std::size_t kMaxReadingNoteBytes = 120;

struct WordReading {
  enum class Kind { Known, Ignored, Guessed, Unknown, Unchecked };
  std::string word;  // as tokenize_words gives it (lower-case ASCII)
  Kind kind = Kind::Unchecked;
  float weight = 0.0f;                  // SIF weight in the sentence (0 when not a word encoder)
  std::vector<std::string> neighbours;  // Guessed: the words it was guessed from, best first
  std::string part_of;                  // non-empty when this is a part of a hyphenated word
};

struct PromptReading {
  enum class Encoder { WordVectors, Hashing, Other };
  Encoder encoder = Encoder::Other;
  std::string encoder_name;  // TextEncoder::name()
  bool knows_words = false;  // true for word vectors: the kinds below are meaningful
  std::string parse_error;   // non-empty when parse_prompt refused the text; words is then empty
  std::vector<WordReading> words;  // in prompt order, each distinct word once
};

// Reads a prompt (the same text /jam/prompt, /jam/vary or a slot recall gets). Never throws; a
// prompt the grammar refuses gives an empty reading with parse_error set (the command fails with
// that reason anyway).
PromptReading read_prompt(std::string_view text, const TextEncoder& encoder);

// Short human-readable notes, one per word that was not simply known, e.g.
//   guessed "boomy" from boom, booms, boomer
//   unknown word "zzqx": it matches nothing
//   ignored "the": too common to count
//   the hashing encoder knows no words: "kick", "zzqx" only match labels that share letters
// Empty when every word was known (and for encoders that cannot say, such as Sentence-BERT).
// Bounded: at most kMaxReadingNotes notes of at most kMaxReadingNoteBytes bytes each.
std::vector<std::string> reading_notes(const PromptReading& reading);

// The same in one line, e.g. `guessed boomy; unknown zzqx; ignored the, of`; empty when every word
// was known. At most kMaxReadingNoteBytes bytes (cut at a UTF-8 boundary, ending in "...").
std::string reading_summary(const PromptReading& reading);

}  // namespace latentjam::mappings
