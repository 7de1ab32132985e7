// The sound card through RtAudio (JACK, ALSA or PulseAudio, whichever this build of RtAudio has).
#include <rtaudio/RtAudio.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "latentjam/engine/audio_device.hpp"

namespace latentjam::engine {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// RtAudio prints warnings to stderr unless told otherwise; errors arrive as exceptions.
void quiet_errors(RtAudioError::Type, const std::string&) {}

class RtAudioDevice final : public AudioDevice {
 public:
  RtAudioDevice(std::unique_ptr<RtAudio> rt, std::string name, const AudioOptions& o,
                AudioClient& client, int buffer_frames)
      : AudioDevice(client, o.sample_rate, buffer_frames, o.channels),
        rt_(std::move(rt)),
        name_(std::move(name)) {}
  ~RtAudioDevice() override {
    stop();
    try {
      if (rt_->isStreamOpen()) rt_->closeStream();
    } catch (const RtAudioError&) {
    }
  }

  // Throws RtAudioError.
  void open(RtAudio::StreamParameters& params, RtAudio::StreamOptions& options, unsigned frames,
            int sample_rate) {
    rt_->openStream(&params, nullptr, RTAUDIO_FLOAT32, static_cast<unsigned>(sample_rate), &frames,
                    &RtAudioDevice::callback, this, &options, quiet_errors);
    buffer_frames_ = static_cast<int>(frames);
    sample_rate_ = static_cast<int>(rt_->getStreamSampleRate());
  }

  static int callback(void* out, void*, unsigned int frames, double, RtAudioStreamStatus status,
                      void* user) {
    auto* self = static_cast<RtAudioDevice*>(user);
    if (status & RTAUDIO_OUTPUT_UNDERFLOW) self->count_xrun();
    self->run_client(static_cast<float*>(out), static_cast<int>(frames));
    return 0;
  }

  bool start(std::string& error) override {
    try {
      rt_->startStream();
      return true;
    } catch (const RtAudioError& e) {
      error = "audio: cannot start " + name_ + ": " + e.getMessage();
      return false;
    }
  }
  void stop() override {
    try {
      if (rt_->isStreamRunning()) rt_->stopStream();
    } catch (const RtAudioError&) {
    }
  }
  std::string name() const override { return name_; }

 private:
  std::unique_ptr<RtAudio> rt_;
  std::string name_;
};

struct Choice {
  RtAudio::Api api;
  unsigned device;
  std::string label;
};

// Resolves --audio NAME to an API and a device, or explains why not.
bool choose(const std::string& wanted, Choice& out, std::string& error) {
  std::vector<RtAudio::Api> apis;
  RtAudio::getCompiledApi(apis);
  const std::string want = lower(wanted);
  for (auto api : apis) {
    if (api == RtAudio::RTAUDIO_DUMMY) continue;
    const std::string api_name = lower(RtAudio::getApiName(api));
    const bool whole_api = want == "default" || want == api_name;
    try {
      RtAudio rt(api);
      rt.showWarnings(false);
      const unsigned count = rt.getDeviceCount();
      if (count == 0) continue;
      if (whole_api) {
        unsigned id = rt.getDefaultOutputDevice();
        if (id >= count || rt.getDeviceInfo(id).outputChannels == 0) continue;
        out = {api, id, api_name + ": " + rt.getDeviceInfo(id).name};
        return true;
      }
      for (unsigned id = 0; id < count; ++id) {
        auto info = rt.getDeviceInfo(id);
        if (info.outputChannels > 0 && lower(info.name).find(want) != std::string::npos) {
          out = {api, id, api_name + ": " + info.name};
          return true;
        }
      }
    } catch (const RtAudioError&) {
      continue;  // this API is compiled in but its server or driver is not there
    }
  }
  error = wanted == "default"
              ? "audio: no output device found"
              : "audio: no output device matches \"" + wanted + "\" (see --list-devices)";
  return false;
}

}  // namespace

std::vector<std::string> AudioDevice::list() {
  std::vector<std::string> names;
  std::vector<RtAudio::Api> apis;
  RtAudio::getCompiledApi(apis);
  for (auto api : apis) {
    if (api == RtAudio::RTAUDIO_DUMMY) continue;
    try {
      RtAudio rt(api);
      rt.showWarnings(false);
      for (unsigned id = 0; id < rt.getDeviceCount(); ++id) {
        auto info = rt.getDeviceInfo(id);
        if (info.outputChannels > 0)
          names.push_back(lower(RtAudio::getApiName(api)) + ": " + info.name);
      }
    } catch (const RtAudioError&) {
    }
  }
  return names;
}

std::unique_ptr<AudioDevice> open_rtaudio_device(const AudioOptions& options, AudioClient& client,
                                                 std::string& error) {
  Choice choice{};
  if (!choose(options.name, choice, error)) return nullptr;
  try {
    auto rt = std::make_unique<RtAudio>(choice.api);
    rt->showWarnings(false);
    RtAudio::StreamParameters params;
    params.deviceId = choice.device;
    params.nChannels = static_cast<unsigned>(options.channels);
    RtAudio::StreamOptions stream_options;
    stream_options.streamName = "latentjam";
    stream_options.flags = RTAUDIO_SCHEDULE_REALTIME | RTAUDIO_MINIMIZE_LATENCY;
    stream_options.priority = 70;
    unsigned frames = static_cast<unsigned>(options.buffer_frames);
    // The device object must exist before openStream so the callback has a stable user pointer;
    // RtAudio may change the buffer size, which open() reads back.
    auto device = std::make_unique<RtAudioDevice>(std::move(rt), choice.label, options, client,
                                                  options.buffer_frames);
    device->open(params, stream_options, frames, options.sample_rate);
    return device;
  } catch (const RtAudioError& e) {
    error = "audio: cannot open " + choice.label + ": " + e.getMessage();
    return nullptr;
  }
}

}  // namespace latentjam::engine
