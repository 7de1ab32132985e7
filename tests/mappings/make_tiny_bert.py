"""Scripts a tiny BERT-shaped TorchScript module for the Sentence-BERT encoder test.

Usage: make_tiny_bert.py VOCAB_SIZE OUT.ts EXPECTED.txt ID [ID ...]
forward(input_ids[B, L] int64, attention_mask[B, L] int64) -> token embeddings [B, L, 16]:
an embedding table with learned positions, one transformer encoder layer (padding masked) and a
linear projection. EXPECTED.txt receives the mask-mean-pooled, L2-normalised embedding of the
given ids, computed here in Python, for the C++ side to match.
"""
import sys

import torch


class TinyBert(torch.nn.Module):
    def __init__(self, vocab_size: int, dim: int = 16):
        super().__init__()
        self.tokens = torch.nn.Embedding(vocab_size, dim)
        self.positions = torch.nn.Embedding(64, dim)
        self.layer = torch.nn.TransformerEncoderLayer(dim, nhead=2, dim_feedforward=32,
                                                      dropout=0.0, batch_first=True)
        self.out = torch.nn.Linear(dim, dim)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.tokens(input_ids) + self.positions(positions)
        x = self.layer(x, src_key_padding_mask=attention_mask == 0)
        return self.out(x)


def main() -> None:
    vocab_size, out_path, expected_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    ids = [int(a) for a in sys.argv[4:]]
    torch.manual_seed(0)
    model = TinyBert(vocab_size).eval()
    scripted = torch.jit.script(model)
    scripted.save(out_path)
    with torch.no_grad():
        input_ids = torch.tensor([ids])
        mask = torch.ones_like(input_ids)
        tokens = scripted(input_ids, mask)
        m = mask.unsqueeze(-1).float()
        pooled = (tokens * m).sum(1) / m.sum(1)
        pooled = torch.nn.functional.normalize(pooled, dim=1)[0]
    with open(expected_path, "w") as f:
        f.write(" ".join(repr(float(v)) for v in pooled))


if __name__ == "__main__":
    main()
