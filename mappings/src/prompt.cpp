#include "latentjam/mappings/prompt.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace latentjam::mappings {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& words, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t k = from; k < to; ++k) {
    if (!out.empty()) out += ' ';
    out += words[k];
  }
  return out;
}

// A plain decimal number (no hex, no inf/nan), whole token.
bool parse_number(std::string_view s, float& out) {
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

Result<ParsedPrompt> parse_weighted(const std::vector<std::string>& words) {
  ParsedPrompt p;
  p.kind = ParsedPrompt::Kind::Mix;
  std::vector<std::string> pending;
  float total = 0.0f;
  for (const std::string& w : words) {
    const std::size_t colon = w.rfind(':');
    if (colon == std::string::npos) {
      pending.push_back(w);
      continue;
    }
    if (colon > 0) pending.push_back(w.substr(0, colon));
    const std::string number = w.substr(colon + 1);
    float weight = 0.0f;
    if (!parse_number(number, weight) || weight < 0.0f || weight > kMaxPromptWeight) {
      return fail("weight \"" + number + "\" is not a number from 0 to " +
                  std::to_string(static_cast<int>(kMaxPromptWeight)));
    }
    if (pending.empty()) return fail("weight " + number + " has no words before it");
    p.terms.push_back({join(pending, 0, pending.size()), weight});
    pending.clear();
    total += weight;
  }
  if (!pending.empty()) {
    return fail("\"" + join(pending, 0, pending.size()) + "\" has no weight (write word:0.5)");
  }
  if (p.terms.size() > kMaxPromptTerms) {
    return fail("at most " + std::to_string(kMaxPromptTerms) + " terms in a prompt");
  }
  if (total <= 0.0f) return fail("the weights are all zero");
  for (auto& t : p.terms) t.weight /= total;
  return p;
}

}  // namespace

Result<ParsedPrompt> parse_prompt(std::string_view text) {
  if (text.size() > kMaxPromptBytes) {
    return fail("prompt longer than " + std::to_string(kMaxPromptBytes) + " bytes");
  }
  const std::vector<std::string> words = split_spaces(text);
  if (words.empty()) return fail("empty prompt");
  std::vector<std::string> keys;  // lower-cased copies for keyword matching
  for (const auto& w : words) keys.push_back(lower(w));

  // Weighted list: any word containing ':' makes it one.
  for (const auto& w : words) {
    if (w.find(':') != std::string::npos) return parse_weighted(words);
  }

  ParsedPrompt p;
  if (keys[0] == "between") {
    std::size_t and_at = 0;
    for (std::size_t k = 1; k < keys.size(); ++k) {
      if (keys[k] == "and") {
        and_at = k;
        break;
      }
    }
    std::size_t end = words.size();
    float t = 0.5f;
    if (keys.back() == "at") return fail("\"at\" needs a position from 0 to 1");
    if (end >= 2 && keys[end - 2] == "at") {
      if (!parse_number(keys[end - 1], t) || t < 0.0f || t > 1.0f) {
        return fail("\"at " + words[end - 1] + "\": the position must be a number from 0 to 1");
      }
      end -= 2;
    }
    if (and_at <= 1 || and_at + 1 >= end) return fail("write \"between A and B [at 0.3]\"");
    p.kind = ParsedPrompt::Kind::Between;
    p.amount = t;
    p.terms = {{join(words, 1, and_at), 1.0f - t}, {join(words, and_at + 1, end), t}};
    return p;
  }

  // Modifiers.
  std::size_t skip = 0;
  if (keys[0] == "very" || keys[0] == "really") {
    p.kind = ParsedPrompt::Kind::Intensify;
    p.amount = kIntensifyVery;
    skip = 1;
  } else if (keys[0] == "extremely" || keys[0] == "super") {
    p.kind = ParsedPrompt::Kind::Intensify;
    p.amount = kIntensifyExtremely;
    skip = 1;
  } else if (keys[0] == "slightly") {
    p.kind = ParsedPrompt::Kind::Soften;
    p.amount = kSoftenAmount;
    skip = 1;
  } else if (keys.size() >= 2 && keys[0] == "a" && (keys[1] == "bit" || keys[1] == "little")) {
    p.kind = ParsedPrompt::Kind::Soften;
    p.amount = kSoftenAmount;
    skip = 2;
  }
  if (skip > 0) {
    if (skip >= words.size()) return fail("\"" + join(words, 0, skip) + "\" what? add a word");
    p.terms = {{join(words, skip, words.size()), 1.0f}};
    return p;
  }

  // "A and B [and C ...]": split on every "and".
  std::vector<std::size_t> ands;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (keys[k] == "and") ands.push_back(k);
  }
  if (!ands.empty()) {
    std::size_t start = 0;
    ands.push_back(words.size());
    for (std::size_t a : ands) {
      if (a == start) return fail("\"and\" needs words on both sides");
      p.terms.push_back({join(words, start, a), 1.0f});
      start = a + 1;
    }
    if (p.terms.size() > kMaxPromptTerms) {
      return fail("at most " + std::to_string(kMaxPromptTerms) + " terms in a prompt");
    }
    for (auto& t : p.terms) t.weight = 1.0f / static_cast<float>(p.terms.size());
    p.kind = ParsedPrompt::Kind::Mix;
    return p;
  }

  p.kind = ParsedPrompt::Kind::Text;
  p.terms = {{join(words, 0, words.size()), 1.0f}};
  return p;
}

Result<std::vector<float>> resolve_prompt(const ParsedPrompt& prompt, const TextEncoder& encoder,
                                          const Mapping& mapping,
                                          const std::vector<float>& dataset_centre_latent,
                                          const std::vector<float>* current_latent) {
  if (prompt.terms.empty()) return fail("empty prompt");
  if (encoder.dim() != mapping.embedding_dim()) {
    return fail("the mapping was trained with a different text encoder (" +
                std::to_string(mapping.embedding_dim()) + "-d, encoder " +
                std::to_string(encoder.dim()) + "-d); relabel or retrain");
  }
  const std::size_t dim = mapping.latent_dim();
  if (dataset_centre_latent.size() != dim) return fail("dataset centre has the wrong size");
  if (current_latent && current_latent->size() != dim) {
    return fail("current latent has the wrong size");
  }

  std::vector<float> mixed(dim, 0.0f);
  for (const PromptTerm& t : prompt.terms) {
    const std::vector<float> y = mapping.predict(encoder.embed(t.text));
    for (std::size_t i = 0; i < dim; ++i) mixed[i] += t.weight * y[i];
  }
  switch (prompt.kind) {
    case ParsedPrompt::Kind::Text:
    case ParsedPrompt::Kind::Between:
    case ParsedPrompt::Kind::Mix:
      return mixed;
    case ParsedPrompt::Kind::Intensify:
    case ParsedPrompt::Kind::Soften: {
      const std::vector<float>& from = (prompt.kind == ParsedPrompt::Kind::Soften && current_latent)
                                           ? *current_latent
                                           : dataset_centre_latent;
      std::vector<float> out(dim);
      for (std::size_t i = 0; i < dim; ++i) out[i] = from[i] + prompt.amount * (mixed[i] - from[i]);
      return out;
    }
  }
  return mixed;
}

}  // namespace latentjam::mappings
