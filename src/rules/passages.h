// Where each track went among its camera's zones and lines, for forensic search and
// statistics: the zones its feet entered and the lines it crossed, with direction, each
// with the stream time of the first time. The geometry is the rules' own (a zone holds a
// foot point as zone rules see it; a line is crossed as line_crossing counts it), so a
// search for tracks that crossed a line finds those a line_crossing rule would count.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "rules/rules.h"

namespace vigie::rules {

// A line's crossing direction as alerts and searches name it: "a_to_b" or "b_to_a"
// (config LineConfig says which side is A).
const char* crossing_direction(bool a_to_b);

struct Passage {
  std::string name;       // the zone or line
  std::string direction;  // a line's: a_to_b or b_to_a; a zone's: ""
  double time_s = 0;      // stream time of the first entry (crossing) this way
};

struct TrackPassages {
  std::vector<Passage> zones, crossed;  // in the order they happened
};

class LineSides;

// Not thread-safe: one per camera, driven with every analysed frame's confirmed tracks.
class PassageLog {
 public:
  explicit PassageLog(const CameraConfig& camera);
  ~PassageLog();
  PassageLog(PassageLog&&) noexcept;

  // The camera has no zone and no line: update() would do nothing.
  bool empty() const { return zones_.empty() && lines_.empty(); }
  void update(const std::vector<Object>& objects, double time_s);
  // What the track passed (then forgotten). Every track that ends must be taken (the
  // pipeline takes each finished record's): nothing else forgets a track.
  TrackPassages take(int track_id);
  // What the track has passed so far (it goes on).
  TrackPassages peek(int track_id) const;

 private:
  std::map<std::string, Polygon> zones_;
  std::vector<std::pair<std::string, std::unique_ptr<LineSides>>> lines_;
  std::map<int, TrackPassages> passages_;
};

}  // namespace vigie::rules
