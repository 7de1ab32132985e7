#include "latentjam/mappings/wordpiece.hpp"

#include <fstream>

namespace latentjam::mappings {

namespace {

constexpr std::size_t kMaxWordBytes = 100;

bool is_punctuation(unsigned char c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
         (c >= 123 && c <= 126);
}

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// BERT's BasicTokenizer, for ASCII (other UTF-8 bytes stay inside words).
std::vector<std::string> basic_tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_space(c) || c < 32) {
      flush();
    } else if (is_punctuation(c)) {
      flush();
      out.emplace_back(1, ch);
    } else {
      word.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch);
    }
  }
  flush();
  return out;
}

}  // namespace

Result<WordPieceTokenizer> WordPieceTokenizer::from_tokens(const std::vector<std::string>& tokens) {
  WordPieceTokenizer t;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    t.vocab_.emplace(tokens[i], static_cast<std::int64_t>(i));  // first occurrence wins
  }
  auto id = [&](const char* token, std::int64_t& out) {
    auto it = t.vocab_.find(token);
    if (it == t.vocab_.end()) return false;
    out = it->second;
    return true;
  };
  if (!id("[CLS]", t.cls_) || !id("[SEP]", t.sep_) || !id("[UNK]", t.unk_)) {
    return fail("WordPiece vocabulary lacks [CLS], [SEP] or [UNK]");
  }
  return t;
}

Result<WordPieceTokenizer> WordPieceTokenizer::load(const std::string& vocab_path) {
  std::ifstream in(vocab_path);
  if (!in) return fail("cannot open WordPiece vocabulary " + vocab_path);
  std::vector<std::string> tokens;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(line);
  }
  auto t = from_tokens(tokens);
  if (!t) return fail(vocab_path + ": " + t.error());
  return t;
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> pieces;
  for (const std::string& word : basic_tokens(text)) {
    if (word.size() > kMaxWordBytes) {
      pieces.emplace_back("[UNK]");
      continue;
    }
    std::vector<std::string> word_pieces;
    std::size_t start = 0;
    bool bad = false;
    while (start < word.size()) {
      std::size_t end = word.size();
      std::string found;
      while (end > start) {
        std::string candidate = (start > 0 ? "##" : "") + word.substr(start, end - start);
        if (vocab_.count(candidate)) {
          found = std::move(candidate);
          break;
        }
        --end;
      }
      if (found.empty()) {
        bad = true;
        break;
      }
      word_pieces.push_back(std::move(found));
      start = end;
    }
    if (bad) {
      pieces.emplace_back("[UNK]");
    } else {
      for (auto& p : word_pieces) pieces.push_back(std::move(p));
    }
  }
  return pieces;
}

std::vector<std::int64_t> WordPieceTokenizer::encode(std::string_view text,
                                                     std::size_t max_length) const {
  max_length = std::max<std::size_t>(max_length, 2);
  std::vector<std::int64_t> ids{cls_};
  for (const std::string& piece : tokenize(text)) {
    if (ids.size() + 1 >= max_length) break;
    auto it = vocab_.find(piece);
    ids.push_back(it == vocab_.end() ? unk_ : it->second);
  }
  ids.push_back(sep_);
  return ids;
}

}  // namespace latentjam::mappings
