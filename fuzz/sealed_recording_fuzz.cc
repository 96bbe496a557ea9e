// Sealed recordings (src/record/sealed_file): a segment on disk may be cut short by a
// crash, altered, or replaced; unseal_file must refuse what it cannot authenticate and
// return every whole chunk before a cut. The same bytes, split into chunks at each 0xFF,
// are sealed and read back: they must come back equal, cut anywhere or not.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "record/sealed_file.h"

namespace {

const vigie::SecretKey& key() {
  static const vigie::SecretKey k = [] {
    vigie::SecretKey m{};
    m.fill(0x42);
    return vigie::record::camera_key(m, "fuzz");
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string as_file = vigie::fuzz::write_input("input.sealed", data, size);
  (void)vigie::record::unseal_file(as_file, key());

  const auto sealed = (vigie::fuzz::scratch_dir() / "roundtrip.sealed").string();
  std::error_code ec;
  std::filesystem::remove(sealed, ec);
  auto w = vigie::record::SealedWriter::create(sealed, key());
  if (!w) std::abort();
  std::string whole;
  size_t start = 0;
  for (size_t i = 0; i <= size; ++i) {
    if (i < size && data[i] != 0xFF) continue;
    if (!(*w)->write(data + start, i - start)) std::abort();
    whole.append(reinterpret_cast<const char*>(data + start), i - start);
    start = i + 1;
  }
  if (!(*w)->finish()) std::abort();
  auto back = vigie::record::unseal_file(sealed, key());
  if (!back || !back->complete || back->plain != whole) std::abort();
  // Cut where the input's first byte says: a prefix of what was written, never more.
  const auto bytes = std::filesystem::file_size(sealed);
  std::filesystem::resize_file(sealed, size ? data[0] % bytes : bytes / 2);
  auto cut = vigie::record::unseal_file(sealed, key());
  if (cut && (cut->complete || whole.compare(0, cut->plain.size(), cut->plain) != 0)) std::abort();
  return 0;
}
