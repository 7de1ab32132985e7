#!/usr/bin/python3
"""Drum-hit latency under load (issue 11): the time from a /jam/trigger's arrival at the daemon to
the first sample of its hit in the output, as the mixer measures it (/jam/status hit_p50_ms,
hit_p99_ms, hit_max_ms), with and without a flood of prompts and fader moves from another
client, with the fast lane on and off ([engine] fast_hits), all in one invocation so the four
runs share the machine's state. Each run is its own daemon (null audio device, 256-frame
buffers: one period is 5.33 ms at 48 kHz).

Usage: tools/bench/hit_latency.py build/latentjam [--seconds 20] [--hits-per-second 8]
       [--faders-per-second 400] [--prompts-per-second 20] [--burners 2]
The flood runs also start --burners busy processes, as other programs on a laptop would.
Prints a Markdown table for BENCHMARKS.md."""
import argparse
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time


def pad(b):
    return b + b"\0" * (4 - len(b) % 4)


def osc(address, *args):
    tags, data = ",", b""
    for a in args:
        if isinstance(a, float):
            tags, data = tags + "f", data + struct.pack(">f", a)
        elif isinstance(a, int):
            tags, data = tags + "i", data + struct.pack(">i", a)
        else:
            tags, data = tags + "s", data + pad(a.encode())
    return pad(address.encode()) + pad(tags.encode()) + data


def parse(packet):
    end = packet.index(b"\0")
    address = packet[:end].decode()
    i = (end + 4) & ~3
    tend = packet.index(b"\0", i)
    tags = packet[i + 1:tend].decode()
    i = (tend + 4) & ~3
    args = []
    for t in tags:
        if t == "i":
            args.append(struct.unpack(">i", packet[i:i + 4])[0]); i += 4
        elif t == "f":
            args.append(struct.unpack(">f", packet[i:i + 4])[0]); i += 4
        elif t == "s":
            e = packet.index(b"\0", i)
            args.append(packet[i:e].decode()); i = (e + 4) & ~3
    return address, args


class Client:
    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.target = ("127.0.0.1", port)

    def send(self, address, *args):
        self.sock.sendto(osc(address, *args), self.target)

    def wait(self, address, timeout=10.0):
        self.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                got = parse(self.sock.recv(65536))
            except socket.timeout:
                break
            if got[0] == address:
                return got
        raise RuntimeError(f"no {address}")

    def ask(self, address, *args):
        self.send(address, *args)
        return self.wait("/done")

    def drain(self):
        self.sock.setblocking(False)
        try:
            while True:
                self.sock.recv(65536)
        except BlockingIOError:
            pass
        self.sock.setblocking(True)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(binary, fast, flood, opts):
    work = tempfile.mkdtemp(prefix="latentjam-hit-latency-")
    config = os.path.join(work, "latentjam.toml")
    with open(config, "w") as f:
        f.write(f"[engine]\nfast_hits = {'true' if fast else 'false'}\n")
    port = free_port()
    daemon = subprocess.Popen(
        [binary, "--config", config, "--osc-port", str(port), "--audio", "none", "--buffer", "256",
         "--session-dir", os.path.join(work, "session"), "--text-encoder", "hashing"],
        stderr=subprocess.DEVNULL)
    try:
        drummer, coder = Client(port), Client(port)
        for _ in range(200):
            drummer.send("/jam/status")
            try:
                drummer.wait("/jam/status.reply", 0.1)
                break
            except RuntimeError:
                pass
        for voice in ("kick", "snare", "hat"):
            drummer.ask("/jam/random", voice)
        for text in ("boomy deep", "tight clicky", "fat roomy"):
            coder.ask("/jam/random", "kick")
            coder.ask("/jam/label", text, "kick")
        coder.drain()
        stop = threading.Event()

        def flood_loop():
            words = ["boomy", "tight", "between boomy and tight", "very fat", "a bit clicky"]
            n = 0
            period = 1.0 / opts.faders_per_second
            every = max(1, int(opts.faders_per_second / opts.prompts_per_second))
            start = time.monotonic()
            while not stop.is_set():
                coder.send(f"/jam/slider/{1 + n % 8}", (n % 100) / 100.0)
                if n % every == 0:
                    coder.send("/jam/prompt", words[(n // every) % len(words)], "kick")
                n += 1
                delay = start + n * period - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if n % 200 == 0:
                    coder.drain()

        flooder = threading.Thread(target=flood_loop)
        burners = []
        if flood:
            # Other programs on the same cores, as on a laptop at a gig (issue 11's 475 ms p99).
            burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                       for _ in range(opts.burners)]
            flooder.start()
            time.sleep(1.0)  # the flood is under way before the measured hits
        drummer.drain()
        drummer.send("/jam/status")  # clears nothing; the counts below are differences
        hits = int(opts.seconds * opts.hits_per_second)
        voices = ("kick", "snare", "hat")
        start = time.monotonic()
        for k in range(hits):
            delay = start + k / opts.hits_per_second - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            drummer.send("/jam/trigger", voices[k % 3], 1.0)
        time.sleep(0.2)
        stop.set()
        if flood:
            flooder.join()
        for b in burners:
            b.kill()
            b.wait()
        drummer.drain()
        drummer.send("/jam/status")
        _, status = drummer.wait("/jam/status.reply", 30.0)
        values = dict(zip(status[0::2], status[1::2]))
        if os.environ.get("HIT_LATENCY_DEBUG"):
            print(values, file=sys.stderr)
        return {k: values[k] for k in ("hits", "hits_fast", "hit_p50_ms", "hit_p99_ms",
                                       "hit_max_ms", "xruns")}
    finally:
        daemon.terminate()
        daemon.wait(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--hits-per-second", type=float, default=8.0)
    parser.add_argument("--faders-per-second", type=float, default=400.0)
    parser.add_argument("--prompts-per-second", type=float, default=20.0)
    parser.add_argument("--burners", type=int, default=2,
                        help="busy processes beside the flood (the machine's other programs)")
    opts = parser.parse_args()
    print(f"| lane | load | hits (fast) | p50 ms | p99 ms | max ms | xruns |")
    print("|---|---|---|---|---|---|---|")
    for fast in (True, False):
        for flood in (False, True):
            r = run(opts.binary, fast, flood, opts)
            print(f"| {'fast' if fast else 'line'} | "
                  f"{'flood' if flood else 'quiet'} | {r['hits']} ({r['hits_fast']}) | "
                  f"{r['hit_p50_ms']:.1f} | {r['hit_p99_ms']:.1f} | {r['hit_max_ms']:.1f} | "
                  f"{r['xruns']} |", flush=True)


main()
