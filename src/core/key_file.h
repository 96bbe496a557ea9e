// A secret key in a file of its own: 32 random bytes, mode 0600, created once and never
// half-written. The audit log's HMAC key and the recordings' master key are such files.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "core/result.h"

namespace vigie {

using SecretKey = std::array<unsigned char, 32>;

// The key if its file exists; an error if it exists but is not a key. `what` names the
// key in messages ("audit key").
Result<std::optional<SecretKey>> read_key_file(const std::string& path, const char* what);

// Reads the key, creating it first if there is none: 32 random bytes written to a
// temporary file, synced, then linked into place — link() fails if another process made
// the key meanwhile, and then that key is used: no one ever reads a half-written key.
Result<SecretKey> key_file_for_writing(const std::string& path, const char* what);

}  // namespace vigie
