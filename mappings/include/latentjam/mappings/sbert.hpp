// The Sentence-BERT text encoder (the paper's choice; all-MiniLM-L6-v2 gives 384-d): a TorchScript
// module called as forward(input_ids[1, L] int64, attention_mask[1, L] int64). The output may be
// the token embeddings [1, L, H] (mean-pooled here with the attention mask, as
// sentence-transformers does), an already pooled [1, H], or a tuple/dict holding one of those first
// ("token_embeddings", "last_hidden_state" or "sentence_embedding" for dicts). The sentence vector
// is L2-normalised. tools/export_sbert.py makes such a module on a machine with internet. Runs on
// the CPU; inputs are truncated to 128 tokens. Defined in sbert_torch.cpp (library
// latentjam_mappings_torch), the only mappings file that includes LibTorch.
#pragma once

#include <memory>
#include <string>

#include "latentjam/base/result.hpp"
#include "latentjam/mappings/text_encoder.hpp"

namespace latentjam::mappings {

// Loads and probes the module once (to learn its output size); every failure becomes an Error.
Result<std::unique_ptr<TextEncoder>> open_sbert(const std::string& module_path,
                                                const std::string& vocab_path);

}  // namespace latentjam::mappings
