#include "core/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace vigie {

void random_bytes(void* out, size_t count) {
  auto* p = static_cast<unsigned char*>(out);
  while (count > 0) {
    const ssize_t n = getrandom(p, count, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::perror("vigie: getrandom");
      std::abort();
    }
    p += n, count -= static_cast<size_t>(n);
  }
}

UuidV7::UuidV7(IdClock clock) : clock_(std::move(clock)) {}

std::string UuidV7::next() {
  std::array<unsigned char, 16> b{};
  random_bytes(b.data(), b.size());
  int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count();
  {
    std::lock_guard lock(mu_);
    if (ms <= last_ms_) {
      ms = last_ms_;
      if (++sequence_ > 0xfff) ++ms, sequence_ = 0;
    } else {
      sequence_ = (b[6] << 8 | b[7]) & 0x7ff;  // random start, half the range left to count up
    }
    last_ms_ = ms;
    b[6] = static_cast<unsigned char>(0x70 | (sequence_ >> 8));  // version 7
    b[7] = static_cast<unsigned char>(sequence_ & 0xff);
  }
  const auto ums = static_cast<uint64_t>(ms) & 0xffffffffffffULL;
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ums >> (40 - 8 * i));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));  // variant 10
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[b[i] >> 4]);
    s.push_back(hex[b[i] & 0xf]);
  }
  return s;
}

bool is_uuid(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

int64_t uuid_v7_millis(const std::string& s) {
  if (!is_uuid(s) || s[14] != '7') return -1;
  const std::string digits = s.substr(0, 8) + s.substr(9, 4);
  return static_cast<int64_t>(std::strtoull(digits.c_str(), nullptr, 16));
}

}  // namespace vigie
