// A progress line for long runs on stderr: a bar with frames, rate and ETA on a terminal,
// a plain line every 10 s otherwise (logs, CI).
#pragma once

#include <cstdint>
#include <string>

namespace vigie::cli {

class Progress {
 public:
  explicit Progress(bool enabled);
  // `total` < 0 when unknown (live streams).
  void update(int64_t done, int64_t total, double elapsed_s);
  void finish();

 private:
  bool enabled_, tty_;
  double last_plain_s_ = -1;
  bool drawn_ = false;
};

// "1m05s", "7s"
std::string format_duration(double seconds);

}  // namespace vigie::cli
