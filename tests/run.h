// Running vigie's own executables from tests: exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vigie::testing {

struct RunResult {
  int code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `command` through the shell; stdout and stderr are captured separately.
inline RunResult run(const std::string& command) {
  static int counter = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const auto out = dir / ("vigie_run_" + std::to_string(getpid()) + "_" + std::to_string(counter) + ".out");
  const auto err = dir / ("vigie_run_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".err");
  const std::string full = command + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(full.c_str());
  RunResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

inline std::string vigie_bin() { return std::string(VIGIE_BINARY_DIR) + "/vigie"; }
inline std::string camsim_bin() { return std::string(VIGIE_BINARY_DIR) + "/vigie-camsim"; }

}  // namespace vigie::testing
