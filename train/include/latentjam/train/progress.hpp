// The line protocol between latentjam-train and whoever runs it (the daemon's /jam/train, a
// terminal): with --progress-lines the trainer writes one event per line on stdout, and the reader
// turns each line back into an Event. Header-only so that the daemon needs no LibTorch to read it.
//
//   stage NAME                       loading, augmenting, training, rendering, pictures, exporting
//   progress step=S steps=N epoch=E loss=L spectral=A envelope=B kl=K elapsed_s=T left_s=R
//   done model=PATH                  the model file, ready for /jam/model/load
//   error MESSAGE                    the reason; the trainer then exits non-zero
//
// Values never contain newlines; a path or message runs to the end of its line.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace latentjam::train {

struct Progress {
  long step = 0;
  long steps = 0;
  long epoch = 0;
  double loss = 0.0;      // the total that is minimised
  double spectral = 0.0;  // multi-resolution spectral distance
  double envelope = 0.0;  // loudness-envelope distance
  double kl = 0.0;        // KL divergence of the latent posterior from the prior
  double elapsed_s = 0.0;
  double left_s = 0.0;  // estimated time left
};

struct Event {
  enum class Kind { Stage, Progress, Done, Error };
  Kind kind = Kind::Stage;
  std::string text;  // the stage name, the model path or the error message
  Progress progress;
};

inline std::string format_stage(std::string_view name) {
  return "stage " + std::string(name);
}

inline std::string format_progress(const Progress& p) {
  char line[320];
  std::snprintf(line, sizeof line,
                "progress step=%ld steps=%ld epoch=%ld loss=%.6g spectral=%.6g envelope=%.6g "
                "kl=%.6g elapsed_s=%.1f left_s=%.1f",
                p.step, p.steps, p.epoch, p.loss, p.spectral, p.envelope, p.kl, p.elapsed_s,
                p.left_s);
  return line;
}

inline std::string format_done(std::string_view model_path) {
  return "done model=" + std::string(model_path);
}

inline std::string format_error(std::string_view message) {
  std::string one_line(message);
  for (char& c : one_line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return "error " + one_line;
}

// std::nullopt for a line that is not an event (the trainer's other output, a torn line).
inline std::optional<Event> parse_event(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view head = line.substr(0, space);
  const std::string_view rest = line.substr(space + 1);
  Event e;
  if (head == "stage") {
    e.kind = Event::Kind::Stage;
    e.text = std::string(rest);
    return e.text.empty() ? std::nullopt : std::optional<Event>(e);
  }
  if (head == "error") {
    e.kind = Event::Kind::Error;
    e.text = std::string(rest);
    return e;
  }
  if (head == "done") {
    if (rest.substr(0, 6) != "model=" || rest.size() == 6) return std::nullopt;
    e.kind = Event::Kind::Done;
    e.text = std::string(rest.substr(6));
    return e;
  }
  if (head != "progress") return std::nullopt;
  e.kind = Event::Kind::Progress;
  std::istringstream in{std::string(rest)};
  std::string field;
  int seen = 0;
  while (in >> field) {
    const auto eq = field.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = field.substr(0, eq);
    const std::string value = field.substr(eq + 1);
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (end == value.c_str() || *end != '\0') return std::nullopt;
    Progress& p = e.progress;
    if (key == "step")
      p.step = static_cast<long>(v);
    else if (key == "steps")
      p.steps = static_cast<long>(v);
    else if (key == "epoch")
      p.epoch = static_cast<long>(v);
    else if (key == "loss")
      p.loss = v;
    else if (key == "spectral")
      p.spectral = v;
    else if (key == "envelope")
      p.envelope = v;
    else if (key == "kl")
      p.kl = v;
    else if (key == "elapsed_s")
      p.elapsed_s = v;
    else if (key == "left_s")
      p.left_s = v;
    else
      continue;  // a field added later: ignored, so old readers keep working
    ++seen;
  }
  if (seen < 2) return std::nullopt;
  return e;
}

}  // namespace latentjam::train
