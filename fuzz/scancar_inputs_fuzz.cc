// A scancar round's inputs (src/scancar): the bytes as a CSV track (time,lat,lon,photo),
// as each of the three rights registers (paid.csv, residents.csv, cards.csv) whose rights
// are then asked for the plates they name, and as a photo's EXIF (a JPEG's first bytes).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "fuzz_common.h"
#include "scancar/positions.h"
#include "scancar/rights.h"
#include "scancar/round.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto track = vigie::fuzz::write_input("track.csv", data, size);
  (void)vigie::scancar::read_track(track);
  for (const char* name : {"paid.csv", "residents.csv", "cards.csv"}) {
    const auto folder = vigie::fuzz::scratch_dir() / "registers";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    (void)vigie::fuzz::write_input(std::string("registers/") + name, data, size);
    auto registers = vigie::scancar::read_registers(folder.string());
    if (!registers) continue;
    for (const auto& p : registers->paid) (void)vigie::scancar::right_at(*registers, p.plate, p.start);
    for (const auto& r : registers->residents) (void)vigie::scancar::right_at(*registers, r.plate, r.valid_from);
    for (const auto& c : registers->cards)
      for (const auto& plate : c.plates) (void)vigie::scancar::right_at(*registers, plate + "X", c.valid_until);
  }
  (void)vigie::scancar::parse_exif(data, size);
  return 0;
}
