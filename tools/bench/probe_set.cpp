// The probe benchmark reader. Kept free of the encoders (embedding_report is in probe_rate.cpp) so
// that tools/convert_vectors can compile it without the mappings library.
#include "probe_set.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

namespace latentjam::bench {

namespace {

std::vector<std::string> split_on(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\r'; });
}

}  // namespace

const ProbeSet* ProbeBenchmark::find_set(std::string_view name) const {
  for (const ProbeSet& s : sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool in_split(const Probe& p, Split split) {
  return split == Split::kAll || (split == Split::kHeldout) == p.heldout;
}

const char* split_name(Split split) {
  switch (split) {
    case Split::kTune:
      return "tune";
    case Split::kHeldout:
      return "heldout";
    case Split::kAll:
      break;
  }
  return "all";
}

std::uint32_t probe_split_hash(std::string_view set, std::string_view word) {
  std::uint32_t h = 2166136261u;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 16777619u;
    }
  };
  mix(set);
  mix("/");
  mix(word);
  return h;
}

std::vector<std::string> probe_words(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && (word.back() == '-' || word.back() == '\'')) word.pop_back();
    if (word.empty()) return;
    out.push_back(word);
    if (word.find('-') != std::string::npos) {
      for (const std::string& part : split_on(word, '-')) {
        if (!part.empty()) out.push_back(part);
      }
    }
    word.clear();
  };
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      word.push_back(char(c));
    } else if (c >= 'A' && c <= 'Z') {
      word.push_back(char(c - 'A' + 'a'));
    } else if ((c == '-' || c == '\'') && !word.empty()) {
      word.push_back(char(c));
    } else {
      flush();
    }
  }
  flush();
  return out;
}

Result<ProbeBenchmark> parse_probe_benchmark(std::string_view text, const std::string& origin) {
  ProbeBenchmark bench;
  std::set<std::pair<std::string, std::string>> seen;  // (set, probe word)
  std::size_t line_no = 0;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank(line) || line[0] == '#') continue;
    const std::string where = origin + ":" + std::to_string(line_no) + ": ";
    const std::vector<std::string> f = split_on(line, '\t');
    for (const std::string& field : f) {
      if (field.empty() || blank(field)) return fail(where + "empty field");
    }
    if (f[0] == "set") {
      if (f.size() != 4) {
        return fail(where +
                    "a set row has 4 tab-separated fields (set, name, voice, labels), got " +
                    std::to_string(f.size()));
      }
      if (bench.find_set(f[1])) return fail(where + "set \"" + f[1] + "\" defined twice");
      ProbeSet s{f[1], f[2], split_on(f[3], '|')};
      if (s.labels.size() < kMinLabels || s.labels.size() > kMaxLabels) {
        return fail(where + "set \"" + s.name + "\" has " + std::to_string(s.labels.size()) +
                    " labels; 4 to 8 are allowed");
      }
      std::set<std::string> unique;
      for (const std::string& label : s.labels) {
        if (label.empty() || blank(label)) return fail(where + "empty label");
        if (!unique.insert(label).second) return fail(where + "label \"" + label + "\" twice");
      }
      bench.sets.push_back(std::move(s));
    } else if (f[0] == "probe") {
      if (f.size() != 6) {
        return fail(where +
                    "a probe row has 6 tab-separated fields (probe, set, word, expected, split, "
                    "source), got " +
                    std::to_string(f.size()));
      }
      const ProbeSet* s = bench.find_set(f[1]);
      if (!s) return fail(where + "unknown set \"" + f[1] + "\" (define it before its probes)");
      if (std::find(s->labels.begin(), s->labels.end(), f[3]) == s->labels.end()) {
        return fail(where + "expected label \"" + f[3] + "\" is not a label of set \"" + f[1] +
                    "\"");
      }
      if (std::find(s->labels.begin(), s->labels.end(), f[2]) != s->labels.end()) {
        return fail(where + "probe \"" + f[2] + "\" is itself a label of set \"" + f[1] + "\"");
      }
      if (f[4] != "tune" && f[4] != "heldout") {
        return fail(where + "split must be tune or heldout, got \"" + f[4] + "\"");
      }
      if (!seen.emplace(f[1], f[2]).second) {
        return fail(where + "duplicate probe \"" + f[2] + "\" in set \"" + f[1] + "\"");
      }
      bench.probes.push_back({f[1], f[2], f[3], f[4] == "heldout", f[5], line_no});
    } else {
      return fail(where + "unknown row kind \"" + f[0] + "\" (expected set or probe)");
    }
  }
  if (bench.sets.empty()) return fail(origin + ": no sets");
  return bench;
}

Result<ProbeBenchmark> read_probe_benchmark(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot open probe benchmark " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_probe_benchmark(text.str(), path);
}

}  // namespace latentjam::bench
