// Recordings at rest: a file encrypted and authenticated with libsodium's secretstream
// (XChaCha20-Poly1305), written in chunks as they come, so that a process killed while
// writing leaves every chunk before the cut readable and nothing after it forgeable.
//
// A stream copy of a camera carries the pixels its privacy masks hide; sealed, those are
// never on disk in the clear, and only code holding the camera's key (playback and
// export, which apply the masks) can read them.
//
// Layout: "VIGIESL1", the 24-byte stream header, then chunks, each a 4-byte little-endian
// length and that many bytes of ciphertext; the last chunk, empty, carries the FINAL tag.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/key_file.h"
#include "core/result.h"

namespace vigie::record {

// A camera's own key, derived from the recordings' master key (keyed BLAKE2b of its
// name): one camera's key opens no other camera's recording.
SecretKey camera_key(const SecretKey& master, const std::string& camera);

class SealedWriter {
 public:
  // Creates `path` (mode 0600; an existing file is an error: nothing is overwritten).
  static Result<std::unique_ptr<SealedWriter>> create(const std::string& path, const SecretKey& key);
  ~SealedWriter();
  // Encrypts and appends one chunk (up to 16 MiB); in the file when this returns.
  Result<Ok> write(const uint8_t* data, size_t size);
  // The FINAL chunk, then fsync. No write after.
  Result<Ok> finish();
  int64_t bytes() const { return bytes_; }  // on disk so far
  std::string sha256() const;               // of the bytes on disk so far, hex

  struct State;

 private:
  SealedWriter(std::string path, int fd, std::unique_ptr<State> state);
  std::string path_;
  int fd_ = -1;
  int64_t bytes_ = 0;
  std::unique_ptr<State> state_;
};

struct Unsealed {
  std::string plain;
  bool complete = false;  // the FINAL chunk was read; false: cut short, `plain` is what was whole
  int64_t whole_bytes = 0;  // of the file, up to the end of its last whole chunk
};

// Decrypts a sealed file. Errors (naming the file): not a sealed file, the wrong key, a
// chunk that fails authentication (altered), data after the FINAL chunk.
Result<Unsealed> unseal_file(const std::string& path, const SecretKey& key);
// The same of a file's bytes read already (`path` names it in errors): what is hashed
// and what is decrypted are then the same bytes.
Result<Unsealed> unseal(const std::string& bytes, const SecretKey& key, const std::string& path);
Result<std::string> read_whole_file(const std::string& path);
std::string sha256_of(const std::string& bytes);  // hex

// SHA-256 of a file's bytes, hex (what the store indexes, to show a file was replaced).
Result<std::string> file_sha256(const std::string& path);

}  // namespace vigie::record
