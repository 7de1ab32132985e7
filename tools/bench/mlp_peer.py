#!/usr/bin/env python3
"""The python3-torch peer for latentjam's MLP training (DESIGN.md §8: report ratios, not times).

Trains the same network as mappings/src/mlp.cpp the same way, in the same run as the C++
benchmark, and prints both with their ratio:
  100-d inputs centred and divided by one common scale, 64-d targets standardised per dimension,
  Linear(100, 32) -> tanh -> Linear(32, 64), Xavier-uniform initialisation halved, full-batch Adam
  (lr 0.01, betas 0.9/0.999, eps 1e-8) on 0.5 * mean squared error + 0.5 * 1e-4 * |weights|^2,
  exactly 200 iterations, float32, random data (unit-length Gaussian inputs, Gaussian targets).

Usage: /usr/bin/python3 tools/bench/mlp_peer.py BUILD/bench_mappings [--threads N]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

import torch

INPUTS, HIDDEN, OUTPUTS = 100, 32, 64
ITERATIONS = 200
LEARNING_RATE = 0.01
WEIGHT_DECAY = 1e-4


def train_once(x: torch.Tensor, t: torch.Tensor) -> float:
    start = time.perf_counter()
    xc = x - x.mean(0)
    xs = xc / xc.pow(2).mean().sqrt().clamp(min=1e-6)
    tc = t - t.mean(0)
    ts = tc / tc.pow(2).mean(0).sqrt().clamp(min=1e-7)
    l1 = torch.nn.Linear(INPUTS, HIDDEN)
    l2 = torch.nn.Linear(HIDDEN, OUTPUTS)
    for layer in (l1, l2):
        torch.nn.init.xavier_uniform_(layer.weight, gain=0.5)
        torch.nn.init.zeros_(layer.bias)
    params = list(l1.parameters()) + list(l2.parameters())
    opt = torch.optim.Adam(params, lr=LEARNING_RATE, betas=(0.9, 0.999), eps=1e-8)
    for _ in range(ITERATIONS):
        opt.zero_grad(set_to_none=True)
        y = l2(torch.tanh(l1(xs)))
        loss = 0.5 * (y - ts).pow(2).mean() + 0.5 * WEIGHT_DECAY * (
            l1.weight.pow(2).sum() + l2.weight.pow(2).sum())
        loss.backward()
        opt.step()
    return time.perf_counter() - start


def torch_p50_ms(examples: int) -> float:
    g = torch.Generator().manual_seed(3)
    x = torch.randn(examples, INPUTS, generator=g)
    x = x / x.norm(dim=1, keepdim=True)
    t = torch.randn(examples, OUTPUTS, generator=g)
    train_once(x, t)  # warm-up (allocator, kernels)
    runs = 30 if examples <= 100 else 8
    return 1e3 * statistics.median(train_once(x, t) for _ in range(runs))


def cpp_p50_ms(bench: str) -> dict:
    out = subprocess.run([bench, "--benchmark_filter=BM_TrainFixedIterations",
                          "--benchmark_format=json"], check=True, capture_output=True, text=True)
    result = {}
    for b in json.loads(out.stdout)["benchmarks"]:
        examples = int(b["name"].split("examples:")[1].split("/")[0])
        result[examples] = b["p50_ms"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bench", help="path to the bench_mappings executable")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch intra-op threads (the C++ trainer uses one)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    cpp = cpp_p50_ms(args.bench)
    print(f"MLP {INPUTS}-{HIDDEN}-{OUTPUTS}, Adam, {ITERATIONS} full-batch iterations, "
          f"torch {torch.__version__} with {args.threads} thread(s)")
    print(f"{'examples':>8} {'latentjam p50 ms':>17} {'torch p50 ms':>13} {'torch/latentjam':>16}")
    for examples in sorted(cpp):
        peer = torch_p50_ms(examples)
        print(f"{examples:>8} {cpp[examples]:>17.2f} {peer:>13.2f} {peer / cpp[examples]:>16.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
