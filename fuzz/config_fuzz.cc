// The YAML site configuration (src/config): parse_config, then the cross-field checks.
// ConfigError is the documented answer to bad input; anything else escaping is a bug
// (yaml-cpp's own conversion errors included: regressions/config/yaml_bad_conversion_*).
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const vigie::Config config = vigie::parse_config(text, "fuzz.yaml");
    vigie::validate(config);
  } catch (const vigie::ConfigError&) {
  }
  return 0;
}
