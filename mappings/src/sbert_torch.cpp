// The only mappings file that includes LibTorch (slow to compile); see sbert.hpp.
#include <torch/script.h>

#include <cmath>
#include <mutex>

#include "latentjam/mappings/sbert.hpp"
#include "latentjam/mappings/wordpiece.hpp"

namespace latentjam::mappings {

namespace {

constexpr std::size_t kMaxTokens = 128;

// Picks the tensor holding token or sentence embeddings out of whatever the module returned.
torch::Tensor embeddings_from(const c10::IValue& out) {
  if (out.isTensor()) return out.toTensor();
  if (out.isTuple()) {
    const auto& elements = out.toTupleRef().elements();
    if (!elements.empty()) return embeddings_from(elements[0]);
  }
  if (out.isList()) {
    const auto list = out.toList();
    if (list.size() > 0) return embeddings_from(list.get(0));
  }
  if (out.isGenericDict()) {
    const auto dict = out.toGenericDict();
    for (const char* key : {"sentence_embedding", "token_embeddings", "last_hidden_state"}) {
      auto it = dict.find(c10::IValue(std::string(key)));
      if (it != dict.end()) return embeddings_from(it->value());
    }
  }
  throw std::runtime_error("the module's output holds no embedding tensor");
}

class SbertEncoder final : public TextEncoder {
 public:
  SbertEncoder(torch::jit::Module module, WordPieceTokenizer tokenizer, std::string name)
      : module_(std::move(module)), tokenizer_(std::move(tokenizer)), name_(std::move(name)) {}

  // Runs the module once; throws on any problem (caught by open_sbert).
  void probe() {
    const auto v = run("kick");
    if (v.empty()) throw std::runtime_error("the module returned an empty embedding");
    dim_ = v.size();
  }

  std::size_t dim() const override { return dim_; }
  std::string name() const override { return name_; }

  std::vector<float> embed(std::string_view text) const override {
    try {
      std::vector<float> v = run(text);
      if (v.size() == dim_) return v;
    } catch (const std::exception&) {
      // Fall through: the interface promises no exceptions; a zero vector maps to the mean sound.
    }
    return std::vector<float>(dim_, 0.0f);
  }

 private:
  std::vector<float> run(std::string_view text) const {
    const std::vector<std::int64_t> ids = tokenizer_.encode(text, kMaxTokens);
    const auto n = static_cast<std::int64_t>(ids.size());
    torch::Tensor input_ids = torch::tensor(ids, torch::kLong).reshape({1, n});
    torch::Tensor mask = torch::ones({1, n}, torch::kLong);
    torch::Tensor pooled;
    {
      // TorchScript modules are not documented as safe to call concurrently; prompts are rare
      // enough that serialising them costs nothing.
      std::lock_guard<std::mutex> lock(mutex_);
      c10::InferenceMode guard;
      const c10::IValue out = module_.get_method("forward")({input_ids, mask});
      torch::Tensor e = embeddings_from(out).to(torch::kFloat).contiguous();
      if (e.dim() == 3) {
        // Mean pooling over the tokens the attention mask keeps (sentence-transformers' default).
        const torch::Tensor m = mask.unsqueeze(-1).to(torch::kFloat);
        pooled = (e * m).sum(1) / m.sum(1).clamp_min(1e-9);
      } else if (e.dim() == 2) {
        pooled = e;
      } else {
        throw std::runtime_error("unexpected embedding rank " + std::to_string(e.dim()));
      }
      pooled = pooled.reshape({-1}).contiguous();
    }
    std::vector<float> v(pooled.data_ptr<float>(), pooled.data_ptr<float>() + pooled.numel());
    double norm = 0.0;
    for (float x : v) norm += double(x) * x;
    if (norm > 0.0 && std::isfinite(norm)) {
      for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    }
    return v;
  }

  mutable torch::jit::Module module_;
  WordPieceTokenizer tokenizer_;
  std::string name_;
  std::size_t dim_ = 0;
  mutable std::mutex mutex_;
};

}  // namespace

Result<std::unique_ptr<TextEncoder>> open_sbert(const std::string& module_path,
                                                const std::string& vocab_path) {
  auto tokenizer = WordPieceTokenizer::load(vocab_path);
  if (!tokenizer) return fail(tokenizer.error());
  try {
    torch::jit::Module module = torch::jit::load(module_path, torch::kCPU);
    module.eval();
    auto encoder = std::make_unique<SbertEncoder>(std::move(module), std::move(tokenizer).value(),
                                                  "sbert:" + module_path);
    encoder->probe();
    return std::unique_ptr<TextEncoder>(std::move(encoder));
  } catch (const std::exception& e) {
    return fail("cannot load Sentence-BERT module " + module_path + ": " + e.what());
  }
}

}  // namespace latentjam::mappings
