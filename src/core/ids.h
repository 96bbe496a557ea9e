// Identifiers that stay unique across runs, processes and machines: UUIDv7 (RFC 9562).
//
// 48 bits of Unix milliseconds, the version (7), a 12-bit sequence that keeps ids made by
// one generator in the same millisecond in order, the variant, and 62 random bits from
// the kernel (getrandom). Two processes that start in the same millisecond collide only if
// 62 random bits agree. Ids sort by creation time as text.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace vigie {

// The clock ids are dated with; tests pass a fixed one instead of waiting.
using IdClock = std::function<std::chrono::system_clock::time_point()>;

// `count` random bytes from the kernel's generator. Blocks only before the kernel's pool
// is first seeded, at boot; never fails on Linux ≥ 3.17 (aborts if it ever does: an id
// that is not random would silently break uniqueness).
void random_bytes(void* out, size_t count);

// Thread-safe. Ids from one generator are strictly increasing (as text too), even when the
// clock stands still or goes back: the last millisecond is then reused with the next
// sequence number, and when the 4,096 sequence numbers of a millisecond run out, the
// following millisecond is borrowed.
class UuidV7 {
 public:
  explicit UuidV7(IdClock clock = std::chrono::system_clock::now);
  std::string next();  // "0190f3c2-6a1b-7c3d-8e4f-0123456789ab"

 private:
  IdClock clock_;
  std::mutex mu_;
  int64_t last_ms_ = -1;
  uint32_t sequence_ = 0;  // 12 bits
};

// Whether `s` has the textual form of a UUID (8-4-4-4-12 lower-case hex digits).
bool is_uuid(const std::string& s);

// Milliseconds since the epoch that a UUIDv7 carries (its creation time); -1 if `s` is
// not a version-7 UUID.
int64_t uuid_v7_millis(const std::string& s);

}  // namespace vigie
