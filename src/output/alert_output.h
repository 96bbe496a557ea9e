// What `vigie analyze` and `vigie serve` do with a camera's rules: runs them on each analysed frame and
// writes their alerts to the event store, with a snapshot (the masked frame, places,
// tracks and the alert drawn) and a clip each, and to the MQTT broker when one is
// configured; applies retention at start and hourly.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "audio/audio.h"
#include "bus/mqtt.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "drone/drone.h"
#include "core/frame.h"
#include "core/ids.h"
#include "events/clip_recorder.h"
#include "events/outbox.h"
#include "events/store.h"
#include "pipeline/pipeline.h"
#include "rules/rules.h"

namespace vigie::output {

// The store or media folder cannot be opened, or the broker cannot be reached.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Used from the analysis thread only. The constructor throws OutputError if the store or
// the media folder cannot be opened; later store errors are counted and printed on stderr
// (each one; a message identical to the previous one only at its 10th, 100th… repeat),
// never thrown.
//
// Media (snapshots, clips) go in `store.media`/<camera>; a relative `store.media` is taken
// from the store's folder, so a store and its media stay together wherever the command runs.
// Writes made while the store is away (a PostgreSQL server down) wait in
// `store.outbox`/<camera>.outbox and are delivered, in order, when it is back.
// Delivers the outboxes of store.outbox that no process has open — a camera now analysed
// by another worker, a run that died — to `store`. Returns how many writes reached it (an
// outbox whose store is still away stays as it is).
size_t deliver_orphan_outboxes(const Config& config, events::Store& store);

class AlertOutput {
 public:
  // `live`: clips are dropped rather than waited for when the writer falls behind.
  // `start_epoch`: the wall time of stream time 0; a moving camera's recorded video (not
  // live) is dated by its track (camera.telemetry), which begins with it. Throws
  // OutputError, naming the camera and the file, for a track that cannot be read.
  // `clock`: when the hourly retention pass is due.
  AlertOutput(const Config& config, const CameraConfig& camera, double start_epoch, bool live,
              EpochClock clock = system_epoch);

  void on_frame(const Frame& frame, const pipeline::FrameResult& result);
  // Stores track summaries: of tracks that ended, and snapshots of those still followed
  // (the store updates a track stored before).
  void on_tracks(const std::vector<track::TrackRecord>& records);
  // How a finished track is stored: its record with this camera, run and clock; its
  // thumbnail is written to the media folder's tracks/ on the way.
  events::TrackRow stored_track(const track::TrackRecord& record) const;
  // Stores the alerts of the audio rules found on the input's sound, each with a WAV clip
  // (clip_pre_s before to clip_post_s after). Times are stream seconds.
  void on_audio(const std::vector<audio::Detection>& detections, const std::vector<float>& samples);
  // A sound found on a live stream's audio by another thread (output::LiveAudio): queued
  // here, stored by the analysis thread at its next frame (the store has one user).
  struct Sound {
    audio::Detection detection;     // times in seconds of the audio stream
    std::vector<float> clip;        // clip_pre_s before to clip_post_s after, as far as kept
    double clip_start_s = 0;        // audio-stream time of clip[0]
    double epoch_of_zero = 0;       // wall time of audio-stream time 0
  };
  void post_sound(Sound sound);
  // A finished segment of the camera's continuous recording (src/record), from the thread
  // that reads the stream: indexed by the analysis thread at its next frame (or finish()).
  void post_segment(const events::SegmentRow& segment);
  // The index's segments of this camera on `host`; nullopt while the store is away. On
  // the analysis thread, or before it starts.
  std::optional<std::set<std::string>> indexed_segments(const std::string& host);
  // Stream time 0 is this wall time (before the first frame: a camera's recording is
  // recovered between the output's making and the stream's opening).
  void set_start_epoch(double start_epoch) { start_epoch_ = start_epoch; }

  // Ends open alerts and writes pending clips (end of the run).
  void finish();

  // Called after each alert event is stored (and, for a start, its snapshot written), with
  // the frame that raised it (nullptr for audio and end-of-run events).
  std::function<void(const rules::AlertEvent&, const Frame*)> on_event;

  // Whether the camera's rules need the static-foreground finder's still blobs.
  bool wants_static_objects() const { return engine_.wants_static_objects(); }
  const std::map<std::string, int>& counts() const { return counts_; }  // alerts by rule
  // Alert events, track summaries and media links that could not be stored.
  int failures() const { return failures_; }
  // Writes kept in the outbox while the store is away (not lost, not stored yet).
  size_t waiting() const { return outbox_->pending(); }
  // This run's id (UUIDv7), stored with its alerts and tracks: track ids restart with
  // each run, so (run_id, track id) names a track.
  const std::string& run_id() const { return run_id_; }
  const std::filesystem::path& media_folder() const { return media_; }
  std::map<std::string, double> rule_costs_us() const;                   // µs per frame by rule
  double rules_us_per_frame() const;

 private:
  void apply_retention();
  // Stores how long this run has been analysed (camera-hours): every minute of stream
  // time and at the end (`now`). While the store is away a minute's is skipped: the next
  // one covers the run from its start.
  void record_run_span(bool now);
  // Stores one audio alert (start and end) with its WAV clip; `samples` start at `samples_start_s`.
  void record_sound(const audio::Detection& d, const std::vector<float>& samples, double samples_start_s,
                    double epoch_of_zero);
  void drain_sounds();  // and posted segments
  void record_clips();
  void write(const rules::AlertEvent& e, const Frame* frame, const pipeline::FrameResult* result);
  void snapshot(const rules::AlertEvent& e, const Frame& frame, const pipeline::FrameResult& result);
  void failed(const Error& error);  // counts and prints a store error
  // A write to the store; while the store is away (or writes wait already), to the
  // outbox instead. False when it is lost (counted in failures()).
  bool put(const events::StoreWrite& w);
  // Delivers what waits in the outbox; at most every 5 s unless `now`.
  void deliver_outbox(bool now);

  // A moving camera's alerts carry where it was when raised (the pose at the track's
  // start plus the stream time); positions_ keeps each open alert's for its later events.
  // Nothing for a fixed camera.
  void place(rules::AlertEvent& e);

  CameraConfig camera_;
  EpochClock clock_;
  std::optional<drone::Telemetry> track_;
  std::map<std::string, rules::GeoPosition> positions_;
  std::shared_ptr<UuidV7> ids_;  // alert ids, audio and video alike; before engine_
  std::string run_id_;
  rules::Engine engine_;
  double start_epoch_;
  std::filesystem::path media_;
  std::unique_ptr<events::Store> store_;
  std::unique_ptr<events::Outbox> outbox_;  // writes waiting for the store
  std::chrono::steady_clock::time_point last_delivery_try_{};
  std::unique_ptr<events::ClipRecorder> clips_;  // after store_: destroyed first
  // A live camera that records continuously takes its clips from the recording: no JPEG
  // ring, no encoder; its alerts' clip_path is events::kClipInRecording.
  bool clips_in_recording_ = false;
  std::unique_ptr<bus::MqttPublisher> mqtt_;     // when config.mqtt.host is set
  std::map<std::string, int> counts_;
  int failures_ = 0;
  std::string last_failure_;  // the message last counted, and how many times in a row
  int failure_repeats_ = 0;
  double last_time_s_ = 0, retention_days_ = 30, last_retention_epoch_ = 0;
  std::optional<double> first_time_s_;  // of the run's first analysed frame
  double run_recorded_s_ = -1;          // stream time of the last record_run_span
  double clip_pre_s_ = 3, clip_post_s_ = 3;
  std::mutex posted_mu_;        // guards what other threads post
  std::vector<Sound> sounds_;  // posted by the audio thread, stored by the analysis thread
  std::vector<events::SegmentRow> segments_;  // posted by the reading thread
  int64_t frames_ = 0;
};

}  // namespace vigie::output
