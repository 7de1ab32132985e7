#!/usr/bin/python3
"""The python3-torch peer of bench_models' BM_TorchDecode: the same module, the same call.

    /usr/bin/python3 tools/bench/torch_decode_peer.py MODEL_DIR [--repetitions N] [--cuda]

MODEL_DIR holds the files of tools/make_test_models.py. Prints one line per case with the median
and p90 decode time in microseconds. Like latentjam, it runs one intra-op thread, inference mode,
and latents from N(0, I); it times only the module call (latentjam's time adds post-processing).
"""
import argparse
import os
import statistics
import time

import torch


def time_case(module, call, z, repetitions):
    with torch.inference_mode():
        for _ in range(10):  # warm-up, as latentjam does at load
            call(module, z)
        times = []
        for _ in range(repetitions):
            start = time.perf_counter()
            out = call(module, z)
            if out.is_cuda:
                torch.cuda.synchronize()
            times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model_dir")
    parser.add_argument("--repetitions", type=int, default=500)
    parser.add_argument("--cuda", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    device = "cuda" if args.cuda and torch.cuda.is_available() else "cpu"

    plain = torch.jit.load(os.path.join(args.model_dir, "plain.ts"), map_location=device).eval()
    rave = torch.jit.load(os.path.join(args.model_dir, "rave_like.ts"), map_location=device).eval()
    frames = -(-44100 // 256)  # one second at the module's rate, as latentjam decodes a one-shot
    for batch in (1, 4):
        z = torch.randn(batch, 16, device=device)
        med, p90 = time_case(plain, lambda m, x: m(x), z, args.repetitions)
        print(f"peer/plain/{batch}  median_us={med:.1f}  p90_us={p90:.1f}  device={device}")
        z = torch.randn(batch, 8, 1, device=device).expand(batch, 8, frames).contiguous()
        med, p90 = time_case(rave, lambda m, x: m.decode(x), z, args.repetitions)
        print(f"peer/rave_like/{batch}  median_us={med:.1f}  p90_us={p90:.1f}  device={device}")


if __name__ == "__main__":
    main()
