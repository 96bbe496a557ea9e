#include "output/alert_output.h"

#include <fmt/format.h>

#include <chrono>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/draw.h"

namespace vigie::output {
namespace {

double now_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// An alert id (a UUID; "cam/rule:zone/3" in stores from before) as a file name.
std::string file_stem(std::string id) {
  std::replace_if(id.begin(), id.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '-'; }, '_');
  return id;
}

// Where media go: `store.media`, taken from the SQLite store's folder when relative (the
// working directory with a server), made absolute so that the paths stored mean the same
// file from any working directory.
std::filesystem::path resolve_media(const StoreConfig& store) {
  std::filesystem::path media = store.media;
  if (media.is_relative() && store.url.empty()) media = std::filesystem::path(store.path).parent_path() / media;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(media, ec);
  return ec ? media : absolute.lexically_normal();
}

bool power_of_ten(int n) {
  while (n >= 10 && n % 10 == 0) n /= 10;
  return n == 1;
}

}  // namespace

AlertOutput::AlertOutput(const Config& config, const CameraConfig& camera, double start_epoch, bool live)
    : camera_(camera), ids_(std::make_shared<UuidV7>()), run_id_(ids_->next()),
      engine_(camera, [ids = ids_] { return ids->next(); }), start_epoch_(start_epoch),
      media_(resolve_media(config.store) / camera.name),
      retention_days_(config.store.retention_days),
      clip_pre_s_(config.store.clip_pre_s),
      clip_post_s_(config.store.clip_post_s) {
  auto store = events::Store::open(config.store.location(), config.store.audit_key);
  if (!store) throw OutputError(store.error().message);
  store_ = std::move(store.value());
  std::error_code ec;
  std::filesystem::create_directories(media_, ec);
  if (ec) throw OutputError(fmt::format("cannot create media folder '{}': {}", media_.string(), ec.message()));
  apply_retention();
  if (!config.mqtt.host.empty()) {
    auto mqtt = bus::MqttPublisher::connect(config.mqtt);
    if (!mqtt) throw OutputError(mqtt.error().message);
    mqtt_ = std::move(mqtt.value());
  }
  if (config.store.clip_pre_s > 0 || config.store.clip_post_s > 0)
    clips_ = std::make_unique<events::ClipRecorder>(config.store.clip_pre_s, config.store.clip_post_s, 8,
                                                    /*wait_when_full=*/!live);
}

void AlertOutput::apply_retention() {
  last_retention_epoch_ = now_epoch();
  auto removed = store_->apply_retention(last_retention_epoch_, retention_days_);
  if (!removed) fmt::print(stderr, "vigie: retention failed: {}\n", removed.error().message);
  else if (*removed > 0)
    fmt::print(stderr, "vigie: retention: {} alerts older than {} days deleted\n", *removed, retention_days_);
}

void AlertOutput::on_frame(const Frame& frame, const pipeline::FrameResult& result) {
  rules::FrameInput in;
  in.frame_index = frame.index;
  in.time_s = last_time_s_ = frame.time_s;
  in.epoch_s = start_epoch_ + frame.time_s;
  for (const auto& t : result.tracks) in.objects.push_back({t.id, t.label, t.box});
  for (const auto& b : result.static_blobs) in.static_objects.push_back({b.id, b.box, b.since_s});
  if (clips_) clips_->push(frame.image, frame.time_s);  // masked pixels only
  ++frames_;
  drain_sounds();
  for (auto& e : engine_.update(in)) {
    e.run_id = run_id_;
    write(e, &frame, &result);
  }
  if (clips_) record_clips();
  if (now_epoch() - last_retention_epoch_ > 3600) apply_retention();
}

void AlertOutput::finish() {
  drain_sounds();
  for (auto& e : engine_.finish(last_time_s_, start_epoch_ + last_time_s_)) {
    e.run_id = run_id_;
    write(e, nullptr, nullptr);
  }
  if (mqtt_ && !mqtt_->flush(5000)) fmt::print(stderr, "vigie: the MQTT broker did not acknowledge every alert\n");
  if (!clips_) return;
  clips_->finish();
  record_clips();
  if (clips_->dropped() > 0) fmt::print(stderr, "vigie: {} alert clips dropped (encoder queue full)\n", clips_->dropped());
}

void AlertOutput::on_tracks_ended(const std::vector<track::TrackRecord>& records) {
  for (const auto& r : records) {
    std::vector<std::pair<float, float>> path;
    for (const auto& p : r.path) path.emplace_back(p.x, p.y);
    if (auto ok = store_->record_track(camera_.name, r.id, r.label, start_epoch_ + r.first_time_s,
                                       start_epoch_ + r.last_time_s, path, run_id_);
        !ok)
      failed(ok.error());
  }
}

void AlertOutput::on_audio(const std::vector<audio::Detection>& detections, const std::vector<float>& samples) {
  for (const auto& d : detections) record_sound(d, samples, 0, start_epoch_);
}

void AlertOutput::post_sound(Sound sound) {
  std::lock_guard lock(sounds_mu_);
  sounds_.push_back(std::move(sound));
}

void AlertOutput::drain_sounds() {
  std::vector<Sound> sounds;
  {
    std::lock_guard lock(sounds_mu_);
    sounds.swap(sounds_);
  }
  for (const auto& s : sounds) record_sound(s.detection, s.clip, s.clip_start_s, s.epoch_of_zero);
}

void AlertOutput::record_sound(const audio::Detection& d, const std::vector<float>& samples, double samples_start_s,
                               double epoch_of_zero) {
  rules::AlertEvent e;
  e.alert_id = ids_->next();
  e.run_id = run_id_;
  e.camera = camera_.name, e.rule = d.rule, e.rule_type = d.type;
  e.start_s = d.start_s, e.peak = d.peak_db + camera_.audio_offset_db;  // dB SPL
  std::vector<rules::AlertEvent> stored;
  for (auto [phase, t] : {std::pair{rules::Phase::kStart, d.start_s}, std::pair{rules::Phase::kEnd, d.end_s}}) {
    e.phase = phase, e.time_s = t, e.epoch_s = epoch_of_zero + t;
    if (auto r = store_->record(e); !r) {
      failed(r.error());
      return;
    }
    if (mqtt_) mqtt_->publish(e);
    stored.push_back(e);
  }
  ++counts_[d.rule];
  const auto clip = media_ / (file_stem(e.alert_id) + ".wav");
  if (audio::write_wav(clip.string(), samples, d.start_s - clip_pre_s_ - samples_start_s,
                       d.end_s + clip_post_s_ - samples_start_s))
    if (auto r = store_->set_clip(e.alert_id, clip.string()); !r) failed(r.error());
  if (on_event)
    for (const auto& ev : stored) on_event(ev, nullptr);  // after the clip: listeners can fetch it
}

std::map<std::string, double> AlertOutput::rule_costs_us() const {
  std::map<std::string, double> out;
  for (const auto& [rule, s] : engine_.costs()) out[rule] = frames_ ? s * 1e6 / frames_ : 0;
  return out;
}

double AlertOutput::rules_us_per_frame() const {
  double total = 0;
  for (const auto& [rule, us] : rule_costs_us()) total += us;
  return total;
}

void AlertOutput::record_clips() {
  for (const auto& [id, path] : clips_->take_written())
    if (!path.empty())
      if (auto r = store_->set_clip(id, path); !r) failed(r.error());
}

void AlertOutput::failed(const Error& error) {
  ++failures_;
  if (error.message == last_failure_) {
    if (power_of_ten(++failure_repeats_))
      fmt::print(stderr, "\nvigie: error: {} (the same error {} times in a row; {} events not stored in all)\n",
                 error.message, failure_repeats_, failures_);
    return;
  }
  last_failure_ = error.message, failure_repeats_ = 1;
  fmt::print(stderr, "\nvigie: error: {}\n", error.message);
}

void AlertOutput::write(const rules::AlertEvent& e, const Frame* frame, const pipeline::FrameResult* result) {
  if (auto r = store_->record(e); !r) {
    failed(r.error());
    return;
  }
  if (mqtt_) mqtt_->publish(e);
  if (e.phase == rules::Phase::kStart) {
    ++counts_[e.rule];
    if (frame) snapshot(e, *frame, *result);
    if (clips_) clips_->start(e.alert_id, (media_ / (file_stem(e.alert_id) + ".mp4")).string(), e.time_s);
  }
  if (on_event) on_event(e, frame);
}

void AlertOutput::snapshot(const rules::AlertEvent& e, const Frame& frame, const pipeline::FrameResult& result) {
  cv::Mat canvas = frame.image.clone();
  pipeline::draw_places(canvas, camera_, e.where);
  pipeline::draw_tracks(canvas, result.tracks);
  cv::rectangle(canvas, e.box.rect(), cv::Scalar(0, 0, 255), 3);
  cv::putText(canvas, fmt::format("{} {}", e.rule, e.detail), {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.8,
              cv::Scalar(0, 0, 255), 2, cv::LINE_AA);
  const auto file = media_ / (file_stem(e.alert_id) + ".jpg");
  if (cv::imwrite(file.string(), canvas))
    if (auto r = store_->set_snapshot(e.alert_id, file.string()); !r) failed(r.error());
}

}  // namespace vigie::output
