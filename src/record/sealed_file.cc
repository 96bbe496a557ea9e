#include "record/sealed_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace vigie::record {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'E', 'S', 'L', '1'};
constexpr size_t kMaxChunk = 16u << 20;

std::string hex(const unsigned char* bytes, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool write_all(int fd, const unsigned char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w, n -= static_cast<size_t>(w);
  }
  return true;
}

}  // namespace

SecretKey camera_key(const SecretKey& master, const std::string& camera) {
  SecretKey key{};
  const std::string message = "vigie-recording\n" + camera;
  crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     master.data(), master.size());
  return key;
}

struct SealedWriter::State {
  crypto_secretstream_xchacha20poly1305_state stream;
  crypto_hash_sha256_state hash;
  std::vector<unsigned char> cipher;
  bool finished = false;
};

SealedWriter::SealedWriter(std::string path, int fd, std::unique_ptr<State> state)
    : path_(std::move(path)), fd_(fd), state_(std::move(state)) {}

SealedWriter::~SealedWriter() {
  if (fd_ >= 0) ::close(fd_);
  sodium_memzero(&state_->stream, sizeof state_->stream);
}

Result<std::unique_ptr<SealedWriter>> SealedWriter::create(const std::string& path, const SecretKey& key) {
  if (sodium_init() < 0) return Error{"libsodium cannot start"};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Error{fmt::format("cannot create recording '{}': {}", path, std::strerror(errno))};
  auto state = std::make_unique<State>();
  unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_init_push(&state->stream, header, key.data());
  crypto_hash_sha256_init(&state->hash);
  std::unique_ptr<SealedWriter> w(new SealedWriter(path, fd, std::move(state)));
  std::vector<unsigned char> start(kMagic, kMagic + sizeof kMagic);
  start.insert(start.end(), header, header + sizeof header);
  if (!write_all(fd, start.data(), start.size())) {
    const std::string why = std::strerror(errno);
    ::unlink(path.c_str());  // a file without its header would be nobody's
    return Error{fmt::format("cannot write recording '{}': {}", path, why)};
  }
  crypto_hash_sha256_update(&w->state_->hash, start.data(), start.size());
  w->bytes_ = static_cast<int64_t>(start.size());
  return w;
}

Result<Ok> SealedWriter::write(const uint8_t* data, size_t size) {
  if (state_->finished) return Error{fmt::format("recording '{}' is already finished", path_)};
  if (size > kMaxChunk) return Error{fmt::format("recording '{}': a chunk of {} bytes is too large", path_, size)};
  const bool final = data == nullptr;
  auto& c = state_->cipher;
  c.resize(4 + size + crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long n = 0;
  crypto_secretstream_xchacha20poly1305_push(&state_->stream, c.data() + 4, &n, data, size, nullptr, 0,
                                             final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
  for (int i = 0; i < 4; ++i) c[static_cast<size_t>(i)] = static_cast<unsigned char>(n >> (8 * i));
  if (!write_all(fd_, c.data(), 4 + n))
    return Error{fmt::format("cannot write recording '{}': {}", path_, std::strerror(errno))};
  crypto_hash_sha256_update(&state_->hash, c.data(), 4 + n);
  bytes_ += static_cast<int64_t>(4 + n);
  return Ok{};
}

Result<Ok> SealedWriter::finish() {
  if (state_->finished) return Ok{};
  if (auto r = write(nullptr, 0); !r) return r;
  state_->finished = true;
  if (::fsync(fd_) != 0) return Error{fmt::format("cannot sync recording '{}': {}", path_, std::strerror(errno))};
  ::close(fd_);
  fd_ = -1;
  return Ok{};
}

std::string SealedWriter::sha256() const {
  crypto_hash_sha256_state copy = state_->hash;
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&copy, digest);
  return hex(digest, sizeof digest);
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read recording '{}'", path)};
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

Result<Unsealed> unseal_file(const std::string& path, const SecretKey& key) {
  auto bytes = read_whole_file(path);
  if (!bytes) return bytes.error();
  return unseal(*bytes, key, path);
}

std::string sha256_of(const std::string& bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return hex(digest, sizeof digest);
}

Result<Unsealed> unseal(const std::string& bytes, const SecretKey& key, const std::string& path) {
  if (sodium_init() < 0) return Error{"libsodium cannot start"};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t header_end = sizeof kMagic + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
  if (bytes.size() < header_end || std::memcmp(p, kMagic, sizeof kMagic) != 0)
    return Error{fmt::format("'{}' is not a sealed recording", path)};
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, p + sizeof kMagic, key.data()) != 0)
    return Error{fmt::format("'{}': bad stream header", path)};
  Unsealed out;
  out.whole_bytes = static_cast<int64_t>(header_end);
  std::vector<unsigned char> plain;
  for (size_t at = header_end; at < bytes.size();) {
    if (out.complete) return Error{fmt::format("'{}': data after its end", path)};
    if (bytes.size() - at < 4) break;  // cut inside a length: what came before is whole
    size_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<size_t>(p[at + static_cast<size_t>(i)]) << (8 * i);
    if (n < crypto_secretstream_xchacha20poly1305_ABYTES || n > kMaxChunk + crypto_secretstream_xchacha20poly1305_ABYTES)
      return Error{fmt::format("'{}': a chunk of impossible length {} at byte {}", path, n, at)};
    if (bytes.size() - at - 4 < n) break;  // cut inside a chunk
    plain.resize(n - crypto_secretstream_xchacha20poly1305_ABYTES);
    unsigned long long got = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &got, &tag, p + at + 4, n, nullptr, 0) != 0)
      return Error{fmt::format("'{}': chunk at byte {} fails authentication (altered, or another camera's key)",
                               path, at)};
    out.plain.append(reinterpret_cast<const char*>(plain.data()), got);
    out.complete = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    at += 4 + n;
    out.whole_bytes = static_cast<int64_t>(at);
  }
  sodium_memzero(&state, sizeof state);
  return out;
}

Result<std::string> file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read '{}'", path)};
  crypto_hash_sha256_state h;
  crypto_hash_sha256_init(&h);
  std::vector<char> buf(1 << 16);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    crypto_hash_sha256_update(&h, reinterpret_cast<const unsigned char*>(buf.data()), static_cast<size_t>(in.gcount()));
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&h, digest);
  return hex(digest, sizeof digest);
}

}  // namespace vigie::record
