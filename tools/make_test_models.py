#!/usr/bin/python3
"""Writes small TorchScript modules that exercise latentjam's TorchScript decoder loader.

Run with Debian's python3-torch (the 1.13 line, like libtorch-dev), so the files load in LibTorch:
    /usr/bin/python3 tools/make_test_models.py OUTPUT_DIR

Files written:
  rave_like.ts       RAVE / nn~ convention: decode, decode_params, prior, prior_params, sr, latent_size
  plain.ts           forward(z[batch, 16]) -> [batch, samples] at 22050 Hz, latent_size attribute
  plain_no_size.ts   forward(z[batch, 32]) -> [batch, 1, samples], no latent_size (inferred by trial)
  wrong_shape.ts     forward returns [batch, 2, 3, 4]
  bad_params.ts      decode with a decode_params buffer of 3 values
  no_methods.ts      a module with neither decode nor forward
  nan_output.ts      forward returns NaN
  corrupt.ts         random bytes
  denormal.ts        forward(z[batch, 4]): a 440 Hz sine, plus a 1 kHz one scaled by a product that
                     is denormal (1e-40) unless the decoding thread flushes denormals to zero
"""
import os
import sys

import torch
from torch import nn


class RaveLike(nn.Module):
    """A tiny decoder with RAVE's interface: each latent channel drives a decaying partial."""

    def __init__(self, latent: int = 8, ratio: int = 256, sr: int = 44100):
        super().__init__()
        self.sr = sr
        self.latent_size = latent
        self.register_buffer("decode_params", torch.tensor([latent, ratio, 2, 1]))
        self.register_buffer("prior_params", torch.tensor([1, ratio, latent, ratio]))
        self.ratio = ratio
        self.freqs = nn.Parameter(torch.linspace(80.0, 2000.0, latent), requires_grad=False)

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        batch, channels, frames = z.shape
        n = frames * self.ratio
        t = torch.arange(n, dtype=torch.float32) / self.sr
        amp = torch.sigmoid(z).repeat_interleave(self.ratio, dim=2)  # [b, latent, n]
        partials = torch.sin(2 * 3.14159265 * self.freqs[None, :, None] * t[None, None, :])
        env = torch.exp(-t * 6.0)[None, None, :]
        mono = (amp * partials * env).sum(1) / channels
        return torch.stack([mono, 0.5 * mono], dim=1)  # [b, 2, n]

    @torch.jit.export
    def prior(self, temperature: torch.Tensor) -> torch.Tensor:
        batch, _, frames = temperature.shape
        return torch.randn(batch, self.latent_size, frames) * temperature

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.decode(z)


class Plain(nn.Module):
    """forward(z[batch, dim]) -> audio: a StyleGAN-plus-vocoder stand-in."""

    def __init__(self, latent: int, samples: int, sr: int, with_size: bool, channel_dim: bool):
        super().__init__()
        torch.manual_seed(1)
        if with_size:
            self.latent_size = latent
        self.sampling_rate = sr
        self.channel_dim = channel_dim
        self.proj = nn.Linear(latent, 32)
        t = torch.arange(samples, dtype=torch.float32) / sr
        basis = torch.stack([torch.sin(2 * 3.14159265 * (60.0 + 90.0 * k) * t) for k in range(32)])
        self.register_buffer("basis", basis * torch.exp(-t * 8.0))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        audio = torch.tanh(self.proj(z)) @ self.basis  # [batch, samples]
        if self.channel_dim:
            return audio.unsqueeze(1)
        return audio


class WrongShape(nn.Module):
    def __init__(self):
        super().__init__()
        self.latent_size = 4

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.zeros(z.shape[0], 2, 3, 4)


class BadParams(nn.Module):
    def __init__(self):
        super().__init__()
        self.sr = 44100
        self.register_buffer("decode_params", torch.tensor([8, 256, 1]))

    @torch.jit.export
    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return z

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return z


class NoMethods(nn.Module):
    def __init__(self):
        super().__init__()
        self.latent_size = 4

    @torch.jit.export
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return x


class NanOutput(nn.Module):
    def __init__(self):
        super().__init__()
        self.latent_size = 4

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.full((z.shape[0], 1000), float("nan"))


class Denormal(nn.Module):
    """Sounds different when denormal floats are computed than when they are flushed to zero."""

    def __init__(self):
        super().__init__()
        self.latent_size = 4
        self.sampling_rate = 48000

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        t = torch.arange(24000, dtype=torch.float32) / 48000.0
        tiny = torch.full((z.shape[0], 1), 1e-20) * 1e-20  # 1e-40: denormal, or 0 when flushed
        low = torch.sin(2 * 3.14159265 * 440.0 * t)[None, :]
        high = torch.sin(2 * 3.14159265 * 1000.0 * t)[None, :]
        return (low + tiny * 1e30 * 1e10 * high) * torch.exp(-t * 4.0)[None, :] + 0.0 * z.sum()


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    save = lambda module, name: torch.jit.script(module.eval()).save(os.path.join(out, name))
    save(RaveLike(), "rave_like.ts")
    save(Plain(16, 22050, 22050, with_size=True, channel_dim=False), "plain.ts")
    save(Plain(32, 11025, 22050, with_size=False, channel_dim=True), "plain_no_size.ts")
    save(WrongShape(), "wrong_shape.ts")
    save(BadParams(), "bad_params.ts")
    # A module without forward cannot be scripted as a whole; script an exported method only.
    torch.jit.script(NoMethods()).save(os.path.join(out, "no_methods.ts"))
    save(NanOutput(), "nan_output.ts")
    save(Denormal(), "denormal.ts")
    with open(os.path.join(out, "corrupt.ts"), "wb") as f:
        f.write(os.urandom(4096))


if __name__ == "__main__":
    main()
