// The outbox file (src/events/outbox): what a crash, a full disk or a hand edit may leave
// in `store.outbox/<camera>.outbox` is read back at start-up by Outbox::open.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "events/outbox.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = vigie::fuzz::write_input("input.outbox", data, size);
  {
    auto box = vigie::events::Outbox::open(path);
    (void)box;
  }
  std::error_code ec;  // what open sets aside would grow from input to input
  std::filesystem::remove(path + ".torn", ec);
  return 0;
}
