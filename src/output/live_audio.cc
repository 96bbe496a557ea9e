#include "output/live_audio.h"

#include <fmt/format.h>

#include <chrono>

#include "audio/audio.h"

namespace vigie::output {
LiveAudio::LiveAudio(const Config& config, const CameraConfig& camera, AlertOutput& alerts,
                     std::function<void(const std::string&)> report, EpochClock clock)
    : input_(camera.input), rules_(audio::audio_rules(camera.rules)), offset_db_(camera.audio_offset_db),
      clip_pre_s_(config.store.clip_pre_s), clip_post_s_(config.store.clip_post_s),
      reconnect_max_s_(config.server.reconnect_max_s), alerts_(alerts), report_(std::move(report)),
      clock_(clock ? std::move(clock) : system_epoch) {}

LiveAudio::~LiveAudio() { stop(); }

void LiveAudio::start() {
  if (!rules_.empty()) thread_ = std::thread([this] { run(); });
}

void LiveAudio::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool LiveAudio::sleep_for(std::chrono::milliseconds d) {
  for (auto left = d; left.count() > 0 && !stop_; left -= std::chrono::milliseconds(50))
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  return !stop_;
}

void LiveAudio::run() {
  // Times run on across reconnections, like the video's.
  audio::LiveDetector detector(rules_, offset_db_, 12, 1, 12 + clip_pre_s_ + clip_post_s_);
  double epoch_of_zero = 0;
  auto backoff = std::chrono::milliseconds(250);
  bool reported_loss = false;
  std::vector<float> chunk;
  while (!stop_) {
    auto decoder = audio::AudioDecoder::open(input_);
    if (!decoder) {
      if (decoder.error().message.find("no audio stream") != std::string::npos) {
        report_(fmt::format("{}: no sound in the stream: the audio rules wait for none", input_));
        return;
      }
      if (!reported_loss) report_(fmt::format("{}: sound lost, reconnecting ({})", input_, decoder.error().message));
      reported_loss = true;
      if (!sleep_for(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(static_cast<int>(reconnect_max_s_ * 1000)));
      continue;
    }
    if (reported_loss) report_(fmt::format("{}: sound back", input_));
    reported_loss = false;
    backoff = std::chrono::milliseconds(250);
    // Stream time 0 is when the first sound arrived; after a reconnection time goes on.
    if (epoch_of_zero == 0) epoch_of_zero = clock_();
    while (!stop_) {
      chunk.clear();
      const bool more = (*decoder)->read(chunk);
      for (const auto& d : detector.push(chunk.data(), chunk.size())) {
        AlertOutput::Sound s;
        s.detection = d;
        s.clip = detector.clip(d.start_s - clip_pre_s_, d.end_s + clip_post_s_, s.clip_start_s);
        s.epoch_of_zero = epoch_of_zero;
        alerts_.post_sound(std::move(s));
        ++sounds_;
      }
      if (!more) break;
    }
  }
}

}  // namespace vigie::output
