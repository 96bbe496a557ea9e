// Wall time as seconds since the Unix epoch, from a clock the caller hands in: whatever
// waits on time (a camera declared offline, a retention pass, a segment's rollover) is
// then tested by moving a fake clock, not by sleeping.
#pragma once

#include <chrono>
#include <functional>

namespace vigie {

// Called from several threads at once (a camera's decoder, its analysis, its sound, the
// server's status requests): a clock must be safe to call concurrently.
using EpochClock = std::function<double()>;

inline double system_epoch() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace vigie
