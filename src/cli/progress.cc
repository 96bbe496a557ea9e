#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace vigie::cli {

std::string format_duration(double s) {
  const auto total = static_cast<int64_t>(std::lround(std::max(0.0, s)));
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total / 60) % 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

Progress::Progress(bool enabled) : enabled_(enabled), tty_(isatty(fileno(stderr)) != 0) {}

void Progress::update(int64_t done, int64_t total, double elapsed_s) {
  if (!enabled_) return;
  const double rate = elapsed_s > 0 ? done / elapsed_s : 0;
  std::string line;
  if (total > 0) {
    const double share = std::min(1.0, static_cast<double>(done) / total);
    const int width = 30, filled = static_cast<int>(share * width);
    const std::string eta = rate > 0 ? format_duration((total - done) / rate) : "?";
    line = fmt::format("[{}{}] {:3.0f}%  {}/{} frames  {:.1f} fps  ETA {}", std::string(filled, '#'),
                       std::string(width - filled, '.'), share * 100, done, total, rate, eta);
  } else {
    line = fmt::format("{} frames  {:.1f} fps  {} elapsed", done, rate, format_duration(elapsed_s));
  }
  if (tty_) {
    fmt::print(stderr, "\r{}\033[K", line);
    drawn_ = true;
  } else if (last_plain_s_ < 0 || elapsed_s - last_plain_s_ >= 10) {
    fmt::print(stderr, "{}\n", line);
    last_plain_s_ = elapsed_s;
  }
  std::fflush(stderr);
}

void Progress::finish() {
  if (enabled_ && tty_ && drawn_) fmt::print(stderr, "\n");
}

}  // namespace vigie::cli
