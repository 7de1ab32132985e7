#!/usr/bin/env python3
"""Exports a Sentence-BERT model as a TorchScript module latentjam's Sentence-BERT encoder loads.

Run on a machine with internet (the model is downloaded from the Hugging Face hub), ideally with
the same torch line as the daemon's LibTorch (Debian 12: torch 1.13), because a module saved by a
newer torch may not load in an older LibTorch:

    python3 -m venv /tmp/sbert && . /tmp/sbert/bin/activate
    pip install 'torch==1.13.1' 'transformers<4.40'
    python3 tools/export_sbert.py --out-dir data/sbert
    # -> data/sbert/sbert.ts and data/sbert/vocab.txt; copy both to the daemon machine and point the
    #    configuration's text encoder at them.

The exported module is forward(input_ids[B, L] int64, attention_mask[B, L] int64) -> token
embeddings [B, L, H] (the transformer's last hidden state). The daemon mean-pools them with the
attention mask and L2-normalises, which is what sentence-transformers does for all-MiniLM-L6-v2
(its pipeline is Transformer -> mean Pooling -> Normalize), so the vectors match
SentenceTransformer("all-MiniLM-L6-v2").encode(text) to float precision; --check verifies that.
"""
import argparse
import os

import torch
from transformers import AutoModel, AutoTokenizer


class TokenEmbeddings(torch.nn.Module):
    """Wraps a Hugging Face BERT model so that it returns only the last hidden state."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask)[0]


def mean_pool(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).float()
    pooled = (tokens * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="sentence-transformers/all-MiniLM-L6-v2")
    parser.add_argument("--out-dir", default="data/sbert")
    parser.add_argument("--check", action="store_true",
                        help="compare with the sentence-transformers package (if installed)")
    args = parser.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model, torchscript=True).eval()
    wrapped = TokenEmbeddings(model).eval()

    example = tokenizer(["a boomy deep kick"], return_tensors="pt")
    with torch.no_grad():
        traced = torch.jit.trace(wrapped, (example["input_ids"], example["attention_mask"]))
    # Tracing records one sequence length; check another length gives the same as eager mode.
    probe = tokenizer(["between straight and groovy, a bit swung"], return_tensors="pt")
    with torch.no_grad():
        eager = wrapped(probe["input_ids"], probe["attention_mask"])
        scripted = traced(probe["input_ids"], probe["attention_mask"])
    if not torch.allclose(eager, scripted, atol=1e-5):
        raise SystemExit("traced module disagrees with the eager model on another length")

    module_path = os.path.join(args.out_dir, "sbert.ts")
    traced.save(module_path)
    vocab_path = os.path.join(args.out_dir, "vocab.txt")
    tokenizer.save_vocabulary(args.out_dir)  # writes vocab.txt for BERT tokenizers
    if not os.path.exists(vocab_path):
        raise SystemExit("the tokenizer did not write a vocab.txt (not a WordPiece model?)")

    if args.check:
        from sentence_transformers import SentenceTransformer  # optional dependency

        reference = SentenceTransformer(args.model).encode(["a boomy deep kick"],
                                                            convert_to_tensor=True)
        with torch.no_grad():
            ours = mean_pool(traced(example["input_ids"], example["attention_mask"]),
                             example["attention_mask"])
        print("max difference to sentence-transformers:",
              float((reference.cpu() - ours).abs().max()))

    print(f"wrote {module_path} ({eager.shape[-1]}-d token embeddings) and {vocab_path}")


if __name__ == "__main__":
    main()
