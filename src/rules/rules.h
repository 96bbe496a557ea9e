// Video-analytics rules: tracks in, alerts out.
//
// An Engine holds one camera's rules (config RuleConfig) and their state. Each analysed
// frame it gets the objects on the frame (confirmed tracks, foot point = bottom-centre of
// the box) and any stationary foreground blobs, and returns alert events with a
// start → update… → end lifecycle. Decisions are pure functions of this input and the
// rule state: no clock, no I/O, so every rule is tested with tracks written as data.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/box.h"

namespace vigie::rules {

struct Object {
  int track_id = 0;
  std::string label;
  Box box;
};

// A blob of the static-foreground detector: something new that has stopped moving.
struct StaticObject {
  int id = 0;
  Box box;
  double since_s = 0;  // stream time it became still
};

struct FrameInput {
  int64_t frame_index = 0;
  double time_s = 0;   // stream time
  double epoch_s = 0;  // wall-clock time of the frame (Unix seconds), for active hours
  std::vector<Object> objects;
  std::vector<StaticObject> static_objects;
};

// Where on Earth (WGS84 degrees).
struct GeoPosition {
  double lat = 0, lon = 0;
};

enum class Phase { kStart, kUpdate, kEnd };
const char* phase_name(Phase p);

struct AlertEvent {
  Phase phase = Phase::kStart;
  std::string alert_id;      // the same for the start, updates and end of one alert; unique
                             // across runs, processes and machines (a UUIDv7 by default)
  std::string run_id;        // the run whose tracker numbered track_ids (set by the output, not the engine)
  std::string camera, rule, rule_type;
  std::string where;         // the zone or line, if any
  std::string detail;        // line crossings: a_to_b or b_to_a
  std::vector<int> track_ids;
  double start_s = 0;        // stream time the alert started
  double time_s = 0;         // stream time of this event
  double epoch_s = 0;        // wall-clock time of this event
  int64_t frame_index = 0;
  double peak = 0;           // count (crossings, people) or dwell seconds, the highest so far
  Box box;                   // what the alert is about, in frame pixels
  // Where a moving camera (a drone) was when it raised the alert; empty for a fixed
  // camera, whose place is its configuration's (set by the output, not the engine).
  std::optional<GeoPosition> position;
};

// Makes the id of each new alert. Every call must return an id never returned before, by
// this or any other process (ids are primary keys of the event store).
using IdSource = std::function<std::string()>;

// Not thread-safe: one per camera, driven by the camera's analysis thread.
class Engine {
 public:
  // `ids`: where alert ids come from; empty: UUIDv7 from the system clock (core/ids.h).
  // Tests pass a counter to keep the engine a pure function of its input.
  explicit Engine(const CameraConfig& camera, IdSource ids = {});
  ~Engine();
  Engine(Engine&&) noexcept;

  std::vector<AlertEvent> update(const FrameInput& frame);
  // Ends every open alert (end of stream).
  std::vector<AlertEvent> finish(double time_s, double epoch_s);

  // Seconds spent in each rule's update so far, by rule name.
  std::vector<std::pair<std::string, double>> costs() const;
  bool wants_static_objects() const;

  class Rule;

 private:
  std::string camera_;
  // Rules append here; heap-held so that moving the Engine keeps their reference valid.
  std::unique_ptr<std::vector<AlertEvent>> pending_;
  std::vector<std::unique_ptr<Rule>> rules_;
  std::vector<double> seconds_;  // per rule, same order
  IdSource ids_;
  // The rules number their alerts per run ("cam/rule/N"); each gets a unique id at its
  // start, kept until its end.
  std::map<std::string, std::string> unique_ids_;
  void assign_ids(std::vector<AlertEvent>& events);
};

// True when `epoch_s` (local time) lies inside the rule's active hours.
bool active_at(const RuleConfig& rule, double epoch_s);

}  // namespace vigie::rules
