// The drum model's methods in TorchScript, compiled into the module by make_drum_model(). Being
// TorchScript rather than C++ modules, the same code trains here (LibTorch's autograd runs through
// the TorchScript interpreter), plays in the daemon and in nn~, and trains in Python for the
// comparison in BENCHMARKS.md. Shapes: B a batch, N = hit_length samples, L = latent_size.
//
// The decoder is a small differentiable drum synthesiser (after DDSP): an MLP turns the latent into
//   - filtered noise: a log-magnitude grid (time knots x mel bands) shaping the STFT of a fixed
//     noise buffer, for snares, hats and the click of a kick;
//   - swept sinusoids: frequency gliding from f_start to f_end with time constant tau and a
//     log-amplitude envelope, for the body and pitch drop of kicks, toms and snare heads;
//   - a transient: the first transient_length samples written directly, for the attack, through a
//     fixed low-pass at 6 kHz: left free, the transient learned a bright click (HF 24 dB above real
//     kicks', the first thing that told the learned kick from real ones); the noise carries the
//     highs, shaped by band and time;
//   - an attack envelope over the sum: 1 ms of silence, then a rise with a learned time constant.
// The public latent is whitened: decode(u) uses z = latent_mean + latent_scale u, where mean and
// scale are fitted to the training sounds' posterior means after training, so that a standard
// normal draw (what the engine's sample_prior does) lands among the user's sounds.
#pragma once

namespace latentjam::train {

inline constexpr const char* kDrumModelSource = R"TORCHSCRIPT(
def features(self, x):
    spec = torch.stft(x, 1024, hop_length=256, window=self.window, center=True,
                      return_complex=True)
    power = spec.real * spec.real + spec.imag * spec.imag
    bands = torch.matmul(power.transpose(1, 2), self.band_pool)
    pooled = torch.matmul(self.time_pool, torch.log(bands + 1e-6))
    return (pooled.flatten(1) + 4.0) / 6.0

def posterior(self, x):
    h = torch.leaky_relu(torch.matmul(self.features(x), self.enc_w1) + self.enc_b1, 0.2)
    out = torch.matmul(h, self.enc_w2) + self.enc_b2
    mu = out[:, 0:self.latent_size]
    logvar = torch.clamp(out[:, self.latent_size:], -12.0, 4.0)
    return mu, logvar

def shaped_noise(self, grid):
    # grid: [B, knots, bands] log magnitudes. The same as istft(exp(grid on the STFT grid) *
    # stft(noise)) with a 1024-point Hann window and hop 256, at a fifth of the cost: the noise's
    # STFT is stored (noise_re, noise_im), the band-to-bin interpolation gathers each bin's two
    # neighbouring bands instead of multiplying by a mostly-zero matrix, and the overlap-add is
    # four shifted sums (the hop is a quarter of the window) instead of a general col2im.
    per_frame = torch.matmul(grid.transpose(1, 2), self.knot_to_frame.t())
    log_mask = (per_frame.index_select(1, self.bin_band_lo) * self.bin_weight_lo +
                per_frame.index_select(1, self.bin_band_hi) * (1.0 - self.bin_weight_lo))
    mask = torch.exp(torch.clamp(log_mask, -20.0, 8.0))
    frames = torch.fft_irfft(torch.complex(self.noise_re * mask, self.noise_im * mask), 1024,
                             1) * self.window.unsqueeze(1)
    b = frames.size(0)
    t = frames.size(2)
    quarters = frames.reshape(b, 4, 256, t)
    out = torch.constant_pad_nd(quarters[:, 0], [0, 3], 0.0)
    for c in range(1, 4):
        out = out + torch.constant_pad_nd(quarters[:, c], [c, 3 - c], 0.0)
    out = out.transpose(1, 2).reshape(b, (t + 3) * 256)
    return out[:, 512:512 + self.hit_length] * self.inverse_overlap

def synth(self, z):
    n = self.hit_length
    h = torch.leaky_relu(torch.matmul(z, self.dec_w1) + self.dec_b1, 0.2)
    h = torch.leaky_relu(torch.matmul(h, self.dec_w2) + self.dec_b2, 0.2)
    knots = self.knot_to_frame.size(1)

    grid = (torch.matmul(h, self.noise_w) + self.noise_b).view(-1, knots, self.band_to_bin.size(0))
    noisy = self.shaped_noise(grid)

    p = (torch.matmul(h, self.sine_w) + self.sine_b).view(-1, self.sine_count, 3 + knots)
    # Log-frequency straight from the MLP: a squashing function would stall a sine at its limit.
    f_end = torch.exp(torch.clamp(p[:, :, 0], 2.9, 9.2))
    f_start = f_end * torch.exp(torch.softplus(p[:, :, 1], 1.0, 20.0))
    tau = 0.002 * torch.exp(torch.sigmoid(p[:, :, 2]) * 5.5)
    t = torch.arange(n, dtype=z.dtype, device=z.device) / float(self.sr)
    # Clamped so the glide ends at 1e-35 rather than decaying through denormal floats, which
    # cost ~100 cycles each where the caller does not flush them to zero.
    glide = torch.exp(torch.clamp(t * (-1.0 / tau).unsqueeze(2), min=-80.0))
    f = f_end.unsqueeze(2) + (f_start - f_end).unsqueeze(2) * glide
    f = torch.clamp(f, 20.0, 0.45 * float(self.sr))
    phase = torch.cumsum(f, dim=2) * (6.283185307179586 / float(self.sr))
    log_amp = torch.matmul(p[:, :, 3:], self.knot_to_frame.t())
    amp = torch.exp(torch.upsample_linear1d(torch.clamp(log_amp, -20.0, 6.0), [n], True,
                                                              None))
    sines = (amp * torch.sin(phase)).sum(1)

    transient = torch.matmul(h, self.transient_w) + self.transient_b
    transient = torch.conv1d(transient.unsqueeze(1), self.transient_lowpass, None, [1],
                             [self.transient_lowpass.size(2) // 2]).squeeze(1)
    transient = transient * self.transient_window
    transient = torch.constant_pad_nd(transient, [0, n - self.transient_window.size(0)], 0.0)

    # The attack: silence for the first millisecond (a hit is cut 1 ms before its onset), then a
    # rise with a learned time constant, so no hit starts with a step unless the sounds do.
    attack_time = 0.00005 * torch.exp(torch.sigmoid(torch.matmul(h, self.attack_w) + self.attack_b) * 6.0)
    attack = 1.0 - torch.exp(-torch.clamp(t - 0.001, min=0.0).unsqueeze(0) / attack_time)
    return (noisy + sines + transient) * attack

def magnitudes(self, x, n_fft: int):
    # Not abs(): TorchScript's gradient of a complex abs() is not defined; the small constant keeps
    # the gradient of a silent frame finite.
    spec = torch.stft(x, n_fft, hop_length=n_fft // 4,
                      window=torch.hann_window(n_fft, device=x.device), center=True,
                      return_complex=True)
    return torch.sqrt(spec.real * spec.real + spec.imag * spec.imag + 1e-10)

def spectral_distance(self, y, x):
    total = torch.zeros([y.size(0)], device=y.device)
    for n_fft in [2048, 512, 128]:
        Y = self.magnitudes(y, n_fft)
        X = self.magnitudes(x, n_fft)
        if n_fft == 2048:
            # Energy in broad, overlapping octave bands: where a sine sits far from its target
            # (a 20 Hz body for a 60 Hz kick), narrow bins give it no gradient; broad bands do.
            by = torch.log(torch.matmul((Y * Y).transpose(1, 2), self.octave_pool) + 1e-4)
            bx = torch.log(torch.matmul((X * X).transpose(1, 2), self.octave_pool) + 1e-4)
            total = total + torch.abs(by - bx).mean([1, 2])
        convergence = torch.sqrt(((X - Y) ** 2).sum([1, 2])) / torch.sqrt((X * X).sum([1, 2]) + 1e-7)
        log_distance = torch.abs(torch.log(Y + 1e-3) - torch.log(X + 1e-3)).mean([1, 2])
        total = total + convergence + log_distance
    return total / 3.0

def envelope_distance(self, y, x):
    w = self.sr // 100
    ey = torch.sqrt(torch.avg_pool1d((y * y).unsqueeze(1), [w], [w]) + 1e-10)
    ex = torch.sqrt(torch.avg_pool1d((x * x).unsqueeze(1), [w], [w]) + 1e-10)
    return torch.abs(torch.log(ey + 1e-4) - torch.log(ex + 1e-4)).mean([1, 2])

def train_loss(self, x, beta: float):
    mu, logvar = self.posterior(x)
    z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
    y = self.synth(z)
    spectral = self.spectral_distance(y, x).mean()
    envelope = self.envelope_distance(y, x).mean()
    kl = (0.5 * (mu * mu + torch.exp(logvar) - 1.0 - logvar)).sum(1).mean()
    return torch.stack([spectral + envelope + beta * kl, spectral, envelope, kl])

def eval_loss(self, x):
    mu, logvar = self.posterior(x)
    y = self.synth(mu)
    return (self.spectral_distance(y, x) + self.envelope_distance(y, x)).mean()

def reconstruct(self, x):
    mu, logvar = self.posterior(x)
    return self.synth(mu)

def raw_latent(self, x):
    mu, logvar = self.posterior(x)
    return mu

def encode(self, x):
    n = self.hit_length
    b = x.size(0)
    frames = max(1, (x.size(2) + n - 1) // n)
    mono = x.mean(1)
    mono = torch.constant_pad_nd(mono, [0, frames * n - mono.size(1)], 0.0)
    mu, logvar = self.posterior(mono.reshape(b * frames, n))
    u = torch.matmul(mu - self.latent_mean, self.latent_unscale.t())
    return u.reshape(b, frames, self.latent_size).permute(0, 2, 1)

def decode(self, u):
    b = u.size(0)
    frames = u.size(2)
    flat = u.permute(0, 2, 1).reshape(b * frames, self.latent_size)
    y = self.synth(self.latent_mean + torch.matmul(flat, self.latent_scale.t()))
    return y.reshape(b, 1, frames * self.hit_length)

def prior(self, temperature):
    # The nn~ / RAVE prior: temperature [B, 1, frames] -> latents [B, L, frames]. A kernel density
    # over the training sounds' codes: a random sound's code plus Gaussian noise of width
    # prior_bandwidth, all scaled by the temperature. A standard normal draw would land between
    # the sounds, where a VAE trained on a few dozen of them decodes hits shorter and more average
    # than any of them (docs/training.md); with no points fitted this is a standard normal draw.
    b = temperature.size(0)
    frames = temperature.size(2)
    pick = torch.randint(0, self.prior_points.size(0), [b * frames])
    centre = self.prior_points.index_select(0, pick)
    u = centre + self.prior_bandwidth * torch.randn([b * frames, self.latent_size])
    u = u * temperature.permute(0, 2, 1).reshape(b * frames, 1)
    return u.reshape(b, frames, self.latent_size).permute(0, 2, 1)

def forward(self, u):
    return self.decode(u)
)TORCHSCRIPT";

}  // namespace latentjam::train
