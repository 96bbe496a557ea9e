// Where tests find real data: ../shared/data beside the checkout (override with
// VIGIE_SHARED_DATA) and Debian opencv-doc's vtest.avi. Test-only; header-only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace vigie::testing {

inline std::string shared_data_dir() {
  if (const char* env = std::getenv("VIGIE_SHARED_DATA")) return env;
#ifdef VIGIE_SOURCE_DIR
  const auto dir = std::filesystem::path(VIGIE_SOURCE_DIR) / ".." / "shared" / "data";
  if (std::filesystem::is_directory(dir)) return std::filesystem::canonical(dir).string();
#endif
  return {};
}

inline std::string shared_file(const std::string& relative) {
  const std::string dir = shared_data_dir();
  if (dir.empty()) return {};
  const auto p = std::filesystem::path(dir) / relative;
  return std::filesystem::exists(p) ? p.string() : std::string();
}

inline std::string vtest_avi() {
  const char* p = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  return std::filesystem::exists(p) ? p : std::string();
}

// An empty folder of its own under the system temp dir, for one test's files.
// Runs of the same tests on another store backend (VIGIE_TEST_STORE) get folders of their
// own: ctest runs them side by side.
inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  const char* backend = std::getenv("VIGIE_TEST_STORE");
  const auto dir = std::filesystem::temp_directory_path() /
                   ("vigie_test_" + name + (backend ? std::string("_") + backend : std::string()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace vigie::testing

// Skips the current test with a message naming what is missing.
#define VIGIE_REQUIRE_FILE(path, what)                                                 \
  do {                                                                                 \
    if ((path).empty()) GTEST_SKIP() << "skipped: " << (what) << " is not available"; \
  } while (0)
