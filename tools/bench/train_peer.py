#!/usr/bin/python3
"""The python3-torch peer of bench_train's BM_TrainStep: the same model file, the same step.

    /usr/bin/python3 tools/bench/train_peer.py [MODEL] [--steps N] [--threads T] [--batch B]

MODEL defaults to models/pretrained/kick.ts. Runs train_loss + backward + Adam on synthetic
decaying noise, as the C++ benchmark does, and prints the median and p90 step time in ms.
"""
import argparse
import os
import statistics
import time

import torch

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("model", nargs="?", default=os.path.join(here, "../../models/pretrained/kick.ts"))
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=8)
args = parser.parse_args()

torch.set_num_threads(args.threads)
m = torch.jit.load(args.model)
m.train()
params = list(m.parameters())
for p in params:
    p.requires_grad_(True)
adam = torch.optim.Adam(params, lr=1e-3)
torch.manual_seed(1)
n = m.hit_length
x = torch.randn(args.batch, n) * torch.exp(-torch.arange(n, dtype=torch.float32) / 44100.0 / 0.1)
times = []
for step in range(args.steps + 3):
    start = time.perf_counter()
    adam.zero_grad()
    terms = m.train_loss(x, 0.01)
    terms[0].backward()
    adam.step()
    if step >= 3:  # the first runs of a TorchScript method optimise its graph
        times.append((time.perf_counter() - start) * 1e3)
times.sort()
print("train step, batch %d, %d threads: median %.1f ms, p90 %.1f ms (python3-torch %s)"
      % (args.batch, args.threads, statistics.median(times), times[int(len(times) * 0.9)],
         torch.__version__))
