#include "output/alert_output.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/draw.h"

namespace vigie::output {
namespace {

// An alert id (a UUID; "cam/rule:zone/3" in stores from before) as a file name.
std::string file_stem(std::string id) {
  std::replace_if(id.begin(), id.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '-'; }, '_');
  return id;
}

std::filesystem::path create_folder(const std::filesystem::path& folder, const char* what) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw OutputError(fmt::format("cannot create {} folder '{}': {}", what, folder.string(), ec.message()));
  return folder;
}

events::StoreWrite alert_write(const rules::AlertEvent& e) {
  events::StoreWrite w;
  w.alert = e;
  return w;
}

events::StoreWrite media_write(events::StoreWrite::Kind kind, const std::string& alert_id, const std::string& file) {
  events::StoreWrite w;
  w.kind = kind, w.alert_id = alert_id, w.file = file;
  return w;
}

bool power_of_ten(int n) {
  while (n >= 10 && n % 10 == 0) n /= 10;
  return n == 1;
}

}  // namespace

size_t deliver_orphan_outboxes(const Config& config, events::Store& store) {
  const auto folder = beside_store(config.store, config.store.outbox);
  size_t delivered = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.path().extension() != ".outbox") continue;
    auto box = events::Outbox::open(entry.path().string());  // fails while a camera has it open
    if (!box || (*box)->pending() == 0) continue;
    if (auto d = (*box)->deliver(store); d) delivered += d->delivered;
  }
  return delivered;
}

namespace {

// A moving camera's track (camera.telemetry), read; empty for a fixed camera. The error
// names the camera and the file.
Result<std::optional<drone::Telemetry>> moving_camera_track(const CameraConfig& camera) {
  if (camera.telemetry.empty()) return std::optional<drone::Telemetry>{};
  auto t = drone::read_telemetry(camera.telemetry);
  if (!t) return Error{fmt::format("camera {}: telemetry {}", camera.name, t.error().message)};
  // Times counted from the flight's start would date the video in 1970 (and retention
  // would delete its alerts at once): a moving camera's track needs dates.
  if (t->poses.front().epoch < 1e9)
    return Error{fmt::format("camera {}: telemetry {}: times from the start, not dates: give the track dated times "
                             "(a DJI .srt with its date lines, GPX <time>, CSV Unix or ISO 8601 times)",
                             camera.name, camera.telemetry)};
  return std::optional<drone::Telemetry>(std::move(t.value()));
}

}  // namespace

AlertOutput::AlertOutput(const Config& config, const CameraConfig& camera, double start_epoch, bool live,
                         EpochClock clock)
    : camera_(camera),
      clock_(clock ? std::move(clock) : system_epoch),
      ids_(std::make_shared<UuidV7>()),
      run_id_(ids_->next()),
      engine_(camera, [ids = ids_] { return ids->next(); }), start_epoch_(start_epoch),
      media_(beside_store(config.store, config.store.media) / camera.name),
      retention_days_(config.store.retention_days),
      clip_pre_s_(config.store.clip_pre_s),
      clip_post_s_(config.store.clip_post_s) {
  auto track = moving_camera_track(camera);
  if (!track) throw OutputError(track.error().message);
  track_ = std::move(track.value());
  if (track_ && !live) start_epoch_ = track_->poses.front().epoch;
  auto store = events::Store::open(config.store.location(), config.store.audit_key);
  if (!store) throw OutputError(store.error().message);
  store_ = std::move(store.value());
  create_folder(media_, "media");
  const auto outbox_path = create_folder(beside_store(config.store, config.store.outbox), "outbox") /
                           (file_stem(camera.name) + ".outbox");
  auto outbox = events::Outbox::open(outbox_path.string());
  if (!outbox) throw OutputError(outbox.error().message);
  outbox_ = std::move(outbox.value());
  if (!outbox_->warning().empty()) fmt::print(stderr, "vigie: warning: {}\n", outbox_->warning());
  if (outbox_->pending() > 0) deliver_outbox(/*now=*/true);
  apply_retention();
  if (!config.mqtt.host.empty()) {
    auto mqtt = bus::MqttPublisher::connect(config.mqtt);
    if (!mqtt) throw OutputError(mqtt.error().message);
    mqtt_ = std::move(mqtt.value());
  }
  // The clip ring JPEG-encodes every frame: only for a camera whose rules can raise a
  // video alert (a camera without rules stores its tracks, nothing else).
  const bool video_rules = std::any_of(camera.rules.begin(), camera.rules.end(),
                                       [](const RuleConfig& r) { return !is_audio_rule_type(r.type); });
  const bool want_clips = video_rules && (config.store.clip_pre_s > 0 || config.store.clip_post_s > 0);
  clips_in_recording_ = want_clips && live && camera.record;
  if (want_clips && !clips_in_recording_)
    clips_ = std::make_unique<events::ClipRecorder>(config.store.clip_pre_s, config.store.clip_post_s, 8,
                                                    /*wait_when_full=*/!live);
}

void AlertOutput::apply_retention() {
  last_retention_epoch_ = clock_();
  // On a server shared by several machines, each deletes its own cameras' alerts: the
  // media files are on the machine that wrote them.
  const auto pass =
      store_->apply_retention(last_retention_epoch_, retention_days_, store_->is_server() ? camera_.name : "");
  if (pass.error) fmt::print(stderr, "vigie: retention stopped: {}\n", pass.error->message);
  if (pass.alerts_deleted == 0) return;
  fmt::print(stderr, "vigie: retention: {} alerts older than {} days deleted\n", pass.alerts_deleted,
             retention_days_);
  // Audited, a pass stopped early too: the transparency report counts retention as
  // applied, not as configured.
  const nlohmann::json what = {{"alerts_deleted", pass.alerts_deleted}, {"retention_days", retention_days_},
                               {"camera", camera_.name}};
  if (auto a = store_->audit(events::kRetentionAudit, events::kRetentionAudit, what.dump(), last_retention_epoch_); !a)
    fmt::print(stderr, "vigie: retention could not be audited: {}\n", a.error().message);
}

void AlertOutput::on_frame(const Frame& frame, const pipeline::FrameResult& result) {
  rules::FrameInput in;
  in.frame_index = frame.index;
  in.time_s = last_time_s_ = frame.time_s;
  if (!first_time_s_) first_time_s_ = frame.time_s;
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
  if (outbox_->pending() > 0) deliver_outbox(/*now=*/false);
  record_run_span(/*now=*/false);
  if (clock_() - last_retention_epoch_ > 3600) apply_retention();
}

void AlertOutput::record_run_span(bool now) {
  constexpr double kEvery = 60;  // seconds of stream time
  // While writes wait in the outbox the store is away: the next span, which covers the
  // run from its start, says more. The last one is tried in any case.
  if (!first_time_s_ || (!now && (last_time_s_ - run_recorded_s_ < kEvery || outbox_->pending() > 0))) return;
  run_recorded_s_ = last_time_s_;
  auto r = store_->record_run(camera_.name, run_id_, start_epoch_ + *first_time_s_, start_epoch_ + last_time_s_);
  if (!r && store_->reachable()) failed(r.error());  // (away: the next span says more)
}

void AlertOutput::finish() {
  drain_sounds();
  for (auto& e : engine_.finish(last_time_s_, start_epoch_ + last_time_s_)) {
    e.run_id = run_id_;
    write(e, nullptr, nullptr);
  }
  if (mqtt_ && !mqtt_->flush(5000)) fmt::print(stderr, "vigie: the MQTT broker did not acknowledge every alert\n");
  if (clips_) {
    clips_->finish();
    record_clips();
    if (clips_->dropped() > 0)
      fmt::print(stderr, "vigie: {} alert clips dropped (encoder queue full)\n", clips_->dropped());
  }
  if (outbox_->pending() > 0) deliver_outbox(/*now=*/true);
  record_run_span(/*now=*/true);
  if (outbox_->pending() > 0)
    fmt::print(stderr, "vigie: {} writes wait in '{}' for the event store (delivered by the next run or serve)\n",
               outbox_->pending(), outbox_->path());
}

events::TrackRow AlertOutput::stored_track(const track::TrackRecord& r) const {
  events::TrackRow t;
  t.camera = camera_.name, t.track_id = r.id, t.label = r.label, t.run_id = run_id_;
  t.first_epoch = start_epoch_ + r.first_time_s, t.last_epoch = start_epoch_ + r.last_time_s;
  for (const auto& p : r.path) t.path.emplace_back(p.x, p.y);
  auto names = [](const describe::ColourNames& n) {
    std::vector<events::NamedShare> out;
    for (const auto& c : n) out.push_back({std::string(describe::colour_name(c.colour)), c.share});
    return out;
  };
  const auto& a = r.attributes;
  t.upper = names(a.upper), t.lower = names(a.lower), t.colour = names(a.colour);
  // Finite only: JSON (the outbox's lines) has no NaN, and a bad homography could make one.
  t.speed = std::isfinite(a.speed) ? a.speed : 0, t.speed_unit = a.speed_unit;
  t.heading_deg = std::isfinite(a.heading_deg) ? a.heading_deg : 0;
  t.appearance = r.appearance;
  t.frame_width = a.frame.width, t.frame_height = a.frame.height;
  t.width = std::isfinite(a.width) ? a.width : 0, t.height = std::isfinite(a.height) ? a.height : 0;
  t.size_unit = a.size_unit;
  for (auto [from, to] : {std::pair{&a.passages.zones, &t.zones}, {&a.passages.crossed, &t.crossed}})
    for (const auto& p : *from) to->push_back({p.name, p.direction, start_epoch_ + p.time_s});
  t.ongoing = r.ongoing;
  if (!a.thumbnail.empty()) {
    // Replaced whole (a snapshot's is rewritten every minute while the server may serve it).
    const auto file = media_ / "tracks" / fmt::format("{}-{}.jpg", file_stem(run_id_), r.id);
    const auto part = std::filesystem::path(file.string() + ".part.jpg");
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
    if (cv::imwrite(part.string(), a.thumbnail)) {
      std::filesystem::rename(part, file, ec);
      if (!ec) t.thumbnail_path = file.string();
    }
  }
  return t;
}

void AlertOutput::on_tracks(const std::vector<track::TrackRecord>& records) {
  for (const auto& r : records) {
    // While the store is away, a snapshot would only queue behind others: the next one, or
    // the track's end, says more.
    if (r.ongoing && outbox_->pending() > 0) continue;
    events::StoreWrite w;
    w.kind = events::StoreWrite::Kind::kTrack;
    w.track = stored_track(r);
    put(w);
  }
}

void AlertOutput::on_audio(const std::vector<audio::Detection>& detections, const std::vector<float>& samples) {
  for (const auto& d : detections) record_sound(d, samples, 0, start_epoch_);
}

void AlertOutput::post_sound(Sound sound) {
  std::lock_guard lock(posted_mu_);
  sounds_.push_back(std::move(sound));
}

void AlertOutput::post_segment(const events::SegmentRow& segment) {
  std::lock_guard lock(posted_mu_);
  segments_.push_back(segment);
}

std::optional<std::set<std::string>> AlertOutput::indexed_segments(const std::string& host) {
  auto paths = store_->segment_paths(camera_.name, host);
  if (!paths) return std::nullopt;
  return std::move(paths.value());
}

void AlertOutput::drain_sounds() {
  std::vector<Sound> sounds;
  std::vector<events::SegmentRow> segments;
  {
    std::lock_guard lock(posted_mu_);
    sounds.swap(sounds_);
    segments.swap(segments_);
  }
  for (const auto& s : sounds) record_sound(s.detection, s.clip, s.clip_start_s, s.epoch_of_zero);
  for (const auto& s : segments) {
    events::StoreWrite w;
    w.kind = events::StoreWrite::Kind::kSegment, w.segment = s;
    put(w);
  }
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
    place(e);
    if (!put(alert_write(e))) return;
    if (mqtt_) mqtt_->publish(e);
    stored.push_back(e);
  }
  ++counts_[d.rule];
  const auto clip = media_ / (file_stem(e.alert_id) + ".wav");
  if (audio::write_wav(clip.string(), samples, d.start_s - clip_pre_s_ - samples_start_s,
                       d.end_s + clip_post_s_ - samples_start_s))
    put(media_write(events::StoreWrite::Kind::kClip, e.alert_id, clip.string()));
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
    if (!path.empty()) put(media_write(events::StoreWrite::Kind::kClip, id, path));
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

bool AlertOutput::put(const events::StoreWrite& w) {
  if (outbox_->pending() > 0) deliver_outbox(/*now=*/false);
  if (outbox_->pending() == 0) {  // else the write waits behind the others, in order
    const auto a = events::try_apply(*store_, w);
    if (a.outcome == events::Attempt::Outcome::kStored) return true;
    if (a.outcome == events::Attempt::Outcome::kRefused) {
      failed(Error{a.error});
      return false;
    }
    fmt::print(stderr, "\nvigie: the event store is away ({}); writes wait in '{}' until it is back\n", a.error,
               outbox_->path());
    last_delivery_try_ = std::chrono::steady_clock::now();
  }
  if (auto r = outbox_->add(w); !r) {
    failed(r.error());
    return false;
  }
  return true;
}

void AlertOutput::deliver_outbox(bool now) {
  // While the store is away, one try every few seconds: a connection attempt to a host
  // that does not answer can take seconds, and the analysis must keep up.
  const auto t = std::chrono::steady_clock::now();
  if (!now && t - last_delivery_try_ < std::chrono::seconds(5)) return;
  last_delivery_try_ = t;
  // A slice at a time while the camera runs (a day's backlog would stall its frames);
  // everything when asked to (`now`: start and end of a run).
  constexpr size_t kSlice = 200;
  auto d = outbox_->deliver(*store_, now ? SIZE_MAX : kSlice);
  if (!d) return failed(d.error());
  if (d->delivered + d->refused == kSlice) last_delivery_try_ = {};  // the store is there: the next slice at once
  if (d->refused > 0)
    fmt::print(stderr, "\nvigie: error: the event store refused {} writes from the outbox; kept in '{}.refused'\n",
               d->refused, outbox_->path());
  failures_ += static_cast<int>(d->refused);
  if (d->delivered > 0 && outbox_->pending() == 0)
    fmt::print(stderr, "\nvigie: the event store is back: {} waiting writes delivered from '{}'\n", d->delivered,
               outbox_->path());
}

void AlertOutput::place(rules::AlertEvent& e) {
  if (!track_) return;
  if (e.phase == rules::Phase::kStart) {
    if (auto pose = drone::pose_at(*track_, track_->poses.front().epoch + e.time_s))
      positions_[e.alert_id] = {pose->position.lat, pose->position.lon};
  }
  const auto at = positions_.find(e.alert_id);
  if (at == positions_.end()) return;  // raised outside the track's time: its place is not known
  e.position = at->second;
  if (e.phase == rules::Phase::kEnd) positions_.erase(at);
}

void AlertOutput::write(const rules::AlertEvent& event, const Frame* frame, const pipeline::FrameResult* result) {
  rules::AlertEvent e = event;
  place(e);
  if (!put(alert_write(e))) return;
  if (mqtt_) mqtt_->publish(e);
  if (e.phase == rules::Phase::kStart) {
    ++counts_[e.rule];
    if (frame) snapshot(e, *frame, *result);
    if (clips_) clips_->start(e.alert_id, (media_ / (file_stem(e.alert_id) + ".mp4")).string(), e.time_s);
    if (clips_in_recording_) put(media_write(events::StoreWrite::Kind::kClip, e.alert_id, events::kClipInRecording));
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
    put(media_write(events::StoreWrite::Kind::kSnapshot, e.alert_id, file.string()));
}

}  // namespace vigie::output
