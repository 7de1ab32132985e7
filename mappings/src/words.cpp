#include "latentjam/mappings/words.hpp"

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

}  // namespace latentjam::mappings
