#include "latentjam/mappings/reading.hpp"

#include <algorithm>

#include "latentjam/mappings/prompt.hpp"
#include "latentjam/mappings/word_vectors.hpp"

namespace latentjam::mappings {

namespace {

constexpr std::size_t kMaxShownWordBytes = 40;  // a word longer than this is cut in a note

// At most `max` bytes; a longer text is cut at a UTF-8 character boundary and ends in "...".
std::string clip(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max >= 3 ? max - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  if (max >= 3) s += "...";
  return s;
}

std::string quoted(const std::string& word) {
  return "\"" + clip(word, kMaxShownWordBytes) + "\"";
}

// "a, b, c" with as many items as fit in `budget` bytes, then ", ..." (always within budget when
// budget >= 3).
std::string join_bounded(const std::vector<std::string>& items, std::size_t budget) {
  std::string out;
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string next = (k ? ", " : "") + items[k];
    const bool last = k + 1 == items.size();
    if (out.size() + next.size() + (last ? 0 : 5) > budget) {
      out += out.empty() ? "..." : ", ...";
      return clip(out, budget);
    }
    out += next;
  }
  return out;
}

bool is_hashing(const TextEncoder& encoder) {
  return encoder.name().rfind("hashing", 0) == 0;
}

WordReading classify(std::string word, const WordVectorEncoder::WordLookup& w) {
  WordReading r;
  r.word = std::move(word);
  r.weight = w.weight;
  if (w.in_vocabulary) {
    r.kind = w.weight < kIgnoredWeight ? WordReading::Kind::Ignored : WordReading::Kind::Known;
  } else if (w.weight == 0.0f) {
    r.kind = WordReading::Kind::Ignored;  // a one-letter word: the encoder gives it no weight
  } else if (!w.neighbours.empty()) {
    r.kind = WordReading::Kind::Guessed;
    const std::size_t n = std::min(w.neighbours.size(), kReadingNeighbours);
    r.neighbours.assign(w.neighbours.begin(), w.neighbours.begin() + static_cast<long>(n));
  } else {
    r.kind = WordReading::Kind::Unknown;
  }
  return r;
}

// Mirrors WordVectorEncoder::lookup: a missing word with '-' or '\'' is read as its parts.
void read_word(const std::string& word, const WordVectorEncoder& enc,
               std::vector<WordReading>& out) {
  WordVectorEncoder::WordLookup w = enc.lookup(word);
  if (!w.in_vocabulary && word.find_first_of("-'") != std::string::npos) {
    std::vector<WordReading> parts;
    std::size_t start = 0;
    while (start <= word.size()) {
      std::size_t end = word.find_first_of("-'", start);
      if (end == std::string::npos) end = word.size();
      if (end > start) {
        std::string part = word.substr(start, end - start);
        WordReading r = classify(part, enc.lookup(part));
        r.part_of = word;
        parts.push_back(std::move(r));
      }
      start = end + 1;
    }
    if (!parts.empty()) {
      for (auto& p : parts) out.push_back(std::move(p));
      return;
    }
  }
  out.push_back(classify(word, w));
}

std::string shown(const WordReading& r) {
  std::string s = quoted(r.word);
  if (!r.part_of.empty()) s += " (in " + quoted(r.part_of) + ")";
  return s;
}

}  // namespace

PromptReading read_prompt(std::string_view text, const TextEncoder& encoder) {
  PromptReading reading;
  reading.encoder_name = encoder.name();
  const auto* vectors = dynamic_cast<const WordVectorEncoder*>(&encoder);
  reading.encoder = vectors               ? PromptReading::Encoder::WordVectors
                    : is_hashing(encoder) ? PromptReading::Encoder::Hashing
                                          : PromptReading::Encoder::Other;
  reading.knows_words = vectors != nullptr;

  auto parsed = parse_prompt(text);
  if (!parsed) {
    reading.parse_error = parsed.error();
    return reading;
  }
  std::vector<WordReading> all;
  for (const PromptTerm& term : parsed->terms) {
    for (std::string& word : tokenize_words(term.text)) {
      if (vectors) {
        read_word(word, *vectors, all);
      } else {
        WordReading r;
        r.word = std::move(word);
        r.kind = reading.encoder == PromptReading::Encoder::Hashing ? WordReading::Kind::Unknown
                                                                    : WordReading::Kind::Unchecked;
        all.push_back(std::move(r));
      }
    }
  }
  // Each distinct word once, first occurrence first ("boomy and boomy" is one guess).
  for (auto& r : all) {
    const bool seen = std::any_of(reading.words.begin(), reading.words.end(),
                                  [&](const WordReading& x) { return x.word == r.word; });
    if (!seen) reading.words.push_back(std::move(r));
  }
  return reading;
}

std::vector<std::string> reading_notes(const PromptReading& reading) {
  std::vector<std::string> notes;
  if (reading.encoder == PromptReading::Encoder::Hashing && !reading.words.empty()) {
    std::vector<std::string> words;
    for (const auto& r : reading.words) words.push_back(quoted(r.word));
    const std::string head = "the hashing encoder knows no words: ";
    const std::string tail = " only match labels that share letters";
    notes.push_back(head + join_bounded(words, kMaxReadingNoteBytes - head.size() - tail.size()) +
                    tail);
    return notes;
  }
  if (!reading.knows_words) return notes;
  for (const auto& r : reading.words) {
    switch (r.kind) {
      case WordReading::Kind::Guessed: {
        std::vector<std::string> from;
        for (const auto& n : r.neighbours) from.push_back(clip(n, kMaxShownWordBytes));
        const std::string head = "guessed " + shown(r) + " from ";
        const std::size_t budget =
            head.size() + 3 < kMaxReadingNoteBytes ? kMaxReadingNoteBytes - head.size() : 3;
        notes.push_back(clip(head + join_bounded(from, budget), kMaxReadingNoteBytes));
        break;
      }
      case WordReading::Kind::Unknown:
        notes.push_back(
            clip("unknown word " + shown(r) + ": it matches nothing", kMaxReadingNoteBytes));
        break;
      case WordReading::Kind::Ignored:
        notes.push_back(
            clip("ignored " + shown(r) + ": too common to count", kMaxReadingNoteBytes));
        break;
      case WordReading::Kind::Known:
      case WordReading::Kind::Unchecked:
        break;
    }
  }
  if (notes.size() > kMaxReadingNotes) {
    const std::size_t more = notes.size() - (kMaxReadingNotes - 1);
    notes.resize(kMaxReadingNotes - 1);
    notes.push_back("and " + std::to_string(more) + " more");
  }
  return notes;
}

std::string reading_summary(const PromptReading& reading) {
  if (reading.encoder == PromptReading::Encoder::Hashing && !reading.words.empty()) {
    return "hashing encoder: no word is known";
  }
  if (!reading.knows_words) return {};
  std::string out;
  const std::pair<WordReading::Kind, const char*> groups[] = {
      {WordReading::Kind::Guessed, "guessed "},
      {WordReading::Kind::Unknown, "unknown "},
      {WordReading::Kind::Ignored, "ignored "}};
  for (const auto& [kind, label] : groups) {
    std::string list;
    for (const auto& r : reading.words) {
      if (r.kind != kind) continue;
      if (!list.empty()) list += ", ";
      list += clip(r.word, kMaxShownWordBytes);
    }
    if (list.empty()) continue;
    if (!out.empty()) out += "; ";
    out += label + list;
  }
  return clip(std::move(out), kMaxReadingNoteBytes);
}

}  // namespace latentjam::mappings
