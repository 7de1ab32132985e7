#include "latentjam/mappings/words.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "latentjam/mappings/word_vectors.hpp"

namespace latentjam::mappings {

// Chosen to span contrasting axes (low/high, soft/hard, dry/wet, clean/dirty, tight/loose) so that
// a performer labelling with them gives the mapping examples that differ.
const std::vector<std::string>& generic_words() {
  static const std::vector<std::string> words = {
      "punchy", "soft",  "hard",  "bright",  "dark",      "warm",       "cold",     "crisp",
      "muddy",  "clean", "dirty", "gritty",  "distorted", "smooth",     "tight",    "loose",
      "dry",    "roomy", "short", "long",    "heavy",     "light",      "metallic", "wooden",
      "hollow", "thin",  "fat",   "vintage", "lo-fi",     "aggressive", "gentle",   "squishy"};
  return words;
}

const std::vector<std::string>& suggested_words(std::string_view voice) {
  static const std::vector<std::string> kick = {
      "boomy", "deep",     "subby",     "punchy",   "tight",  "thumping", "clicky", "round",
      "boxy",  "muffled",  "hard",      "soft",     "long",   "short",    "snappy", "fat",
      "thin",  "warm",     "distorted", "rumbling", "thuddy", "knocky",   "dry",    "roomy",
      "808",   "acoustic", "pitched",   "bouncy",   "heavy",  "gentle"};
  static const std::vector<std::string> snare = {
      "snappy",  "crisp",  "cracking", "fat",      "thin",   "tight",  "loose",  "ringing",
      "rattly",  "papery", "woody",    "metallic", "bright", "dark",   "dry",    "roomy",
      "reverby", "clappy", "rimshot",  "brushy",   "gritty", "trashy", "punchy", "soft",
      "hard",    "boxy",   "tuned",    "noisy",    "short",  "long"};
  static const std::vector<std::string> hat = {
      "crisp",    "sizzling", "shimmering", "tight",  "open",   "closed",   "airy",  "breathy",
      "metallic", "tinny",    "glassy",     "bright", "dark",   "dull",     "washy", "splashy",
      "ticking",  "clicky",   "hissy",      "trashy", "smooth", "sharp",    "soft",  "short",
      "long",     "choked",   "dirty",      "clean",  "lo-fi",  "sparkling"};
  static const std::vector<std::string> loop = {
      "groovy",     "swung",   "straight", "laid-back", "driving",
      "busy",       "sparse",  "minimal",  "funky",     "shuffled",
      "syncopated", "steady",  "loose",    "tight",     "robotic",
      "human",      "rolling", "bouncy",   "heavy",     "light",
      "fast",       "slow",    "dubby",    "broken",    "four-on-the-floor",
      "breakbeat",  "tribal",  "jazzy",    "hypnotic",  "dusty",
      "punchy",     "chill"};
  if (voice == "kick") return kick;
  if (voice == "snare") return snare;
  if (voice == "hat" || voice == "hihat" || voice == "hi-hat") return hat;
  if (voice == "loop") return loop;
  return generic_words();
}

std::vector<std::string> suggest_labels(std::string_view voice,
                                        const std::vector<std::string>& used_labels,
                                        const std::vector<std::vector<float>>& label_embeddings,
                                        const TextEncoder& encoder, std::size_t count) {
  std::set<std::string, std::less<>> used;
  for (const std::string& label : used_labels) {
    for (std::string& w : tokenize_words(label)) used.insert(std::move(w));
  }
  const auto* vectors = dynamic_cast<const WordVectorEncoder*>(&encoder);
  struct Candidate {
    std::string word;
    std::vector<float> embedding;
  };
  std::vector<Candidate> candidates;
  for (const std::string& word : suggested_words(voice)) {
    const std::vector<std::string> tokens = tokenize_words(word);
    if (std::any_of(tokens.begin(), tokens.end(),
                    [&](const std::string& t) { return used.count(t) > 0; })) {
      continue;
    }
    if (vectors) {
      const auto rank = vectors->rank(word);
      if (!rank || *rank >= kWellKnownRank) continue;
    }
    candidates.push_back({word, encoder.embed(word)});
  }

  // Farthest first: closeness[i] = largest cosine of candidate i to anything already there.
  std::vector<float> closeness(candidates.size(), -std::numeric_limits<float>::infinity());
  auto absorb = [&](const std::vector<float>& anchor) {
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      closeness[i] = std::max(closeness[i], cosine(candidates[i].embedding, anchor));
    }
  };
  for (const auto& e : label_embeddings) {
    // A label without words embeds to zero: it says nothing about what is already labelled.
    const bool zero = std::all_of(e.begin(), e.end(), [](float x) { return x == 0.0f; });
    if (e.size() == encoder.dim() && !zero) absorb(e);
  }
  std::vector<std::string> out;
  std::vector<bool> taken(candidates.size(), false);
  while (out.size() < count && out.size() < candidates.size()) {
    std::size_t best = candidates.size();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (!taken[i] && (best == candidates.size() || closeness[i] < closeness[best])) best = i;
    }
    taken[best] = true;
    out.push_back(candidates[best].word);
    absorb(candidates[best].embedding);
  }
  return out;
}

std::vector<std::string> suggest_labels(std::string_view voice,
                                        const std::vector<std::string>& used_labels,
                                        const TextEncoder& encoder, std::size_t count) {
  std::vector<std::vector<float>> embeddings;
  std::set<std::string_view> seen;
  for (const std::string& label : used_labels) {
    if (seen.insert(label).second) embeddings.push_back(encoder.embed(label));
  }
  return suggest_labels(voice, used_labels, embeddings, encoder, count);
}

}  // namespace latentjam::mappings
