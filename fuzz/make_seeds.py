#!/usr/bin/python3
"""Writes the seed inputs of the OSC packet fuzz target (fuzz/corpus/osc_packet/): one valid
message per address of the command table (read from `latentjam --osc-help`), a few with wrong
types, and bundles, nested and timed. Usage: fuzz/make_seeds.py BUILD/latentjam"""
import hashlib
import os
import re
import struct
import subprocess
import sys


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def message(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, float):
            tags, data = tags + "f", data + struct.pack(">f", a)
        elif isinstance(a, int):
            tags, data = tags + "i", data + struct.pack(">i", a)
        else:
            tags, data = tags + "s", data + pad(a.encode())
    return pad(address.encode()) + pad(tags.encode()) + data


def bundle(elements, sec=0, frac=1):
    out = pad(b"#bundle") + struct.pack(">II", sec, frac)
    for e in elements:
        out += struct.pack(">I", len(e)) + e
    return out


SAMPLE = {"i": 3, "f": 0.5, "s": "kick"}


def main():
    reference = subprocess.run([sys.argv[1], "--osc-help"], capture_output=True, text=True).stdout
    seeds = []
    for address, signature in re.findall(r"^\| `(/jam/[^`]+)` \| ([^|]*)\|", reference, re.M):
        address = address.replace("*", "3")
        args = [SAMPLE[t] for t in re.findall(r"\b([ifs]):", signature)]
        seeds.append(message(address, *args))
        seeds.append(message(address, *[1.0 if isinstance(a, str) else "x" for a in args]))
    seeds.append(bundle([message("/jam/tempo", 120.0), message("/jam/status")]))
    seeds.append(bundle([bundle([message("/jam/trigger", "kick", 1.0)], 4000000000, 0)]))
    seeds.append(message("/jam/latent/set", "kick", *[0.1] * 16))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "osc_packet")
    os.makedirs(out, exist_ok=True)
    for s in seeds:
        with open(os.path.join(out, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
    print(f"{len(seeds)} seeds in {out}")


main()
