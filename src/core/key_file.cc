#include "core/key_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigie {
namespace {
std::string errno_text() { return std::strerror(errno); }
}  // namespace

Result<std::optional<SecretKey>> read_key_file(const std::string& path, const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<SecretKey>{};
    return Error{fmt::format("cannot read {} '{}': {}", what, path, errno_text())};
  }
  SecretKey key{};
  unsigned char extra = 0;
  const ssize_t n = ::read(fd, key.data(), key.size());
  const ssize_t more = n == static_cast<ssize_t>(key.size()) ? ::read(fd, &extra, 1) : 0;
  ::close(fd);
  if (n != static_cast<ssize_t>(key.size()) || more != 0)
    return Error{fmt::format("{} '{}' is not a {}-byte key", what, path, key.size())};
  return std::optional<SecretKey>{key};
}

Result<SecretKey> key_file_for_writing(const std::string& path, const char* what) {
  auto existing = read_key_file(path, what);
  if (!existing) return existing.error();
  if (*existing) return **existing;
  if (sodium_init() < 0) return Error{"libsodium cannot start"};
  // A name of its own (mkstemp: mode 0600, never shared): threads and processes creating
  // the key at once each write their own, and only one is linked into place.
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("cannot create {} '{}': {}", what, path, errno_text())};
  SecretKey key{};
  randombytes_buf(key.data(), key.size());
  const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  const bool linked = written && ::link(tmp.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (!written) return Error{fmt::format("cannot write {} '{}': {}", what, path, errno_text())};
  if (!linked && link_errno != EEXIST)
    return Error{fmt::format("cannot create {} '{}': {}", what, path, std::strerror(link_errno))};
  if (linked) return key;                   // the file holds what this call wrote
  auto theirs = read_key_file(path, what);  // another was first
  if (!theirs) return theirs.error();
  if (!*theirs) return Error{fmt::format("{} '{}' vanished while being created", what, path)};
  return **theirs;
}

}  // namespace vigie
