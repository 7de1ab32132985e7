#include "outputs.hpp"

#include <sndfile.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#ifdef LATENTJAM_TRAIN_PICTURES
#include "latentjam/plots/plots.hpp"
#endif

namespace latentjam::train {

namespace fs = std::filesystem;

namespace {

Status write_wav(const fs::path& path, const float* samples, std::size_t n, int rate) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  if (!f) return fail("cannot write " + path.string() + ": " + sf_strerror(nullptr));
  const sf_count_t wrote = sf_writef_float(f, samples, static_cast<sf_count_t>(n));
  sf_close(f);
  if (wrote != static_cast<sf_count_t>(n)) return fail("short write to " + path.string());
  return Ok{};
}

// A file name from a sound's relative path: folders joined with '-', extension dropped.
std::string flat_name(const std::string& relative) {
  std::string s = fs::path(relative).replace_extension().string();
  for (char& c : s) {
    if (c == '/' || c == ' ') c = '-';
  }
  return s;
}

std::vector<float> row(const at::Tensor& t, std::int64_t i) {
  const at::Tensor r = t[i].contiguous();
  return {r.data_ptr<float>(), r.data_ptr<float>() + r.numel()};
}

#ifdef LATENTJAM_TRAIN_PICTURES
Status draw_pictures(const fs::path& dir, const OutputsRequest& r, const at::Tensor& originals,
                     const at::Tensor& reconstructions, const at::Tensor& draws,
                     const at::Tensor& latents, const at::Tensor& draw_latents, double rate) {
  // Single steps see different sounds; the train line is a running mean over 25 steps so the
  // trend shows. Validation is measured every 50 steps on the held-out sounds.
  plots::Series train{"train (spectral + envelope)", {}, {}}, held{"validation", {}, {}},
      kl{"kl (nats)", {}, {}};
  double window_sum = 0.0;
  const auto& h = *r.history;
  for (std::size_t i = 0; i < h.size(); ++i) {
    window_sum += h[i].spectral + h[i].envelope;
    if (i >= 25) window_sum -= h[i - 25].spectral + h[i - 25].envelope;
    const double mean = window_sum / static_cast<double>(std::min<std::size_t>(i + 1, 25));
    train.x.push_back(static_cast<double>(h[i].step));
    train.y.push_back(mean);
    kl.x.push_back(static_cast<double>(h[i].step));
    kl.y.push_back(std::max(h[i].kl, 1e-6));
    if (std::isfinite(h[i].validation)) {
      held.x.push_back(static_cast<double>(h[i].step));
      held.y.push_back(h[i].validation);
    }
  }
  std::vector<plots::Series> curves = {train, kl};
  if (!held.x.empty()) curves.insert(curves.begin() + 1, held);
  if (auto s = plots::loss_curves((dir / "loss.png").string(), curves, "training loss"); !s)
    return s;

  const std::int64_t shown = std::min<std::int64_t>(originals.size(0), 8);
  for (std::int64_t i = 0; i < shown; ++i) {
    const auto& hit = (*r.hits)[static_cast<std::size_t>(i)];
    const auto a = row(originals, i), b = row(reconstructions, i);
    const auto png = dir / ("reconstruction-" + flat_name(hit.name) + ".png");
    if (auto s = plots::original_and_reconstruction(png.string(), a, b, rate, hit.name); !s)
      return s;
  }

  std::vector<plots::Group> groups;
  for (std::size_t i = 0; i < r.hits->size(); ++i) {
    const std::string name = (*r.hits)[i].group.empty() ? "your sounds" : (*r.hits)[i].group;
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const plots::Group& g) { return g.name == name; });
    if (it == groups.end()) it = groups.insert(groups.end(), plots::Group{name, {}});
    it->sounds.push_back(row(originals, static_cast<std::int64_t>(i)));
  }
  plots::Group rec{"reconstructions", {}}, prior{"random draws", {}};
  for (std::int64_t i = 0; i < reconstructions.size(0); ++i)
    rec.sounds.push_back(row(reconstructions, i));
  for (std::int64_t i = 0; i < draws.size(0); ++i) prior.sounds.push_back(row(draws, i));
  groups.push_back(std::move(rec));
  if (!prior.sounds.empty()) groups.push_back(std::move(prior));
  if (auto s =
          plots::envelopegram((dir / "envelopes.png").string(), groups, rate, "loudness envelopes");
      !s)
    return s;

  std::vector<std::vector<float>> rows;
  for (std::int64_t i = 0; i < latents.size(0); ++i) rows.push_back(row(latents, i));
  for (std::int64_t i = 0; i < draw_latents.size(0); ++i) rows.push_back(row(draw_latents, i));
  const auto xy = plots::project_2d(rows);
  std::vector<plots::MapPoint> points;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const bool real = i < r.hits->size();
    const std::string label = real ? fs::path((*r.hits)[i].name).filename().string()
                                   : "draw " + std::to_string(i - r.hits->size());
    const std::string group =
        real ? ((*r.hits)[i].group.empty() ? "your sounds" : (*r.hits)[i].group) : "random draws";
    points.push_back({xy[i][0], xy[i][1], label, group});
  }
  return plots::latent_map((dir / "latent-map.png").string(), points, "the sounds in latent space");
}
#endif

}  // namespace

Status write_outputs(torch::jit::Module& model, const OutputsRequest& r,
                     const std::function<void(const char*)>& stage) {
  torch::NoGradGuard no_grad;
  const fs::path out(r.out_dir);
  const fs::path renders = out / "renders";
  std::error_code ec;
  fs::create_directories(renders, ec);
  if (ec) return fail("cannot create " + renders.string() + ": " + ec.message());
  const int rate = static_cast<int>(model.attr("sr").toInt());
  const std::int64_t latent = model.attr("latent_size").toInt();

  at::Tensor originals = torch::empty({static_cast<std::int64_t>(r.hits->size()),
                                       static_cast<std::int64_t>(r.hits->front().samples.size())});
  for (std::size_t i = 0; i < r.hits->size(); ++i) {
    const auto& s = (*r.hits)[i].samples;
    std::copy(s.begin(), s.end(), originals[static_cast<std::int64_t>(i)].data_ptr<float>());
  }
  const at::Tensor reconstructions = model.run_method("reconstruct", originals).toTensor();
  const at::Tensor latents =
      model.run_method("encode", originals.unsqueeze(1)).toTensor().select(2, 0).contiguous();
  for (std::size_t i = 0; i < r.hits->size(); ++i) {
    const auto rec = row(reconstructions, static_cast<std::int64_t>(i));
    const auto path = renders / (flat_name((*r.hits)[i].name) + ".wav");
    if (auto s = write_wav(path, rec.data(), rec.size(), rate); !s) return s;
  }
  // Draws from the model's own prior, as the daemon's random button makes them.
  at::Tensor draw_latents = torch::zeros({0, latent});
  at::Tensor draws = torch::zeros({0, originals.size(1)});
  if (r.prior_draws > 0) {
    torch::manual_seed(r.seed + 7919);
    draw_latents = model.run_method("prior", torch::ones({r.prior_draws, 1, 1}))
                       .toTensor()
                       .select(2, 0)
                       .contiguous();
    draws = model.run_method("decode", draw_latents.unsqueeze(2)).toTensor().squeeze(1);
    for (std::int64_t i = 0; i < draws.size(0); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "prior-%02d.wav", static_cast<int>(i));
      const auto d = row(draws, i);
      if (auto s = write_wav(renders / name, d.data(), d.size(), rate); !s) return s;
    }
  }

  std::ofstream log(out / "loss.tsv");
  log << "step\tloss\tspectral\tenvelope\tkl\tvalidation\n";
  for (const LossRow& row : *r.history) {
    log << row.step << '\t' << row.loss << '\t' << row.spectral << '\t' << row.envelope << '\t'
        << row.kl << '\t';
    if (std::isfinite(row.validation)) log << row.validation;
    log << '\n';
  }
  std::ofstream sounds(out / "sounds.tsv");
  sounds << "sound\tused\n";
  for (const Hit& h : *r.hits) sounds << h.name << "\tyes\n";
  for (const std::string& s : *r.skipped) sounds << s << "\tskipped\n";

  if (r.pictures) {
    stage("pictures");
#ifdef LATENTJAM_TRAIN_PICTURES
    const fs::path pictures = out / "pictures";
    fs::create_directories(pictures, ec);
    if (ec) return fail("cannot create " + pictures.string() + ": " + ec.message());
    if (auto s = draw_pictures(pictures, r, originals, reconstructions, draws, latents,
                               draw_latents, rate);
        !s)
      return s;
#endif
  }

  stage("exporting");
  const std::string temporary = r.model_path + ".partial";
  model.save(temporary);
  fs::rename(temporary, r.model_path, ec);
  if (ec) return fail("cannot write " + r.model_path + ": " + ec.message());
  return Ok{};
}

}  // namespace latentjam::train
