// BERT's WordPiece tokenizer, for the Sentence-BERT encoder: basic tokenisation (ASCII
// lower-casing, white space split, every punctuation character its own token) followed by greedy
// longest-match-first splitting of each word into vocabulary pieces, continuation pieces carrying
// the "##" prefix. A word with no split (or longer than 100 bytes) becomes [UNK].
// Kept apart from the LibTorch code so that it builds and is tested without LibTorch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "latentjam/base/result.hpp"

namespace latentjam::mappings {

class WordPieceTokenizer {
 public:
  // vocab.txt: one token per line, the line number (from 0) is its id. Must contain [CLS], [SEP]
  // and [UNK].
  static Result<WordPieceTokenizer> load(const std::string& vocab_path);
  static Result<WordPieceTokenizer> from_tokens(const std::vector<std::string>& tokens);

  // Word pieces of `text`, without [CLS]/[SEP].
  std::vector<std::string> tokenize(std::string_view text) const;
  // [CLS] pieces... [SEP] as ids, truncated to max_length (>= 2) tokens in all.
  std::vector<std::int64_t> encode(std::string_view text, std::size_t max_length = 128) const;

  std::size_t size() const { return vocab_.size(); }
  std::int64_t cls_id() const { return cls_; }
  std::int64_t sep_id() const { return sep_; }
  std::int64_t unk_id() const { return unk_; }

 private:
  std::unordered_map<std::string, std::int64_t> vocab_;
  std::int64_t cls_ = 0, sep_ = 0, unk_ = 0;
};

}  // namespace latentjam::mappings
