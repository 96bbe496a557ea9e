// vigie-schema: the alert's schema for those who do not link vigie.
//
//   vigie-schema --typescript                 the console's types (web/src/alert_schema.ts)
//   vigie-schema --json-schema                a JSON Schema document (draft 2020-12)
//   vigie-schema --typescript --check FILE    exit 1, saying where, when FILE differs
//
// Exit 0 success, 1 the checked file is stale, 2 bad arguments or an unreadable file.
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "events/alert_schema.h"

namespace {

constexpr const char* kUsage = "usage: vigie-schema --typescript [--check FILE] | --json-schema [--check FILE]\n";

// The line (1-based) where `a` and `b` first differ, with both versions of it.
std::string first_difference(const std::string& want, const std::string& have) {
  std::istringstream w(want), h(have);
  std::string lw, lh;
  for (int line = 1;; ++line) {
    const bool more_w = static_cast<bool>(std::getline(w, lw)), more_h = static_cast<bool>(std::getline(h, lh));
    if (!more_w && !more_h) return "they differ only in line endings or the final newline";
    if (!more_w || !more_h || lw != lh)
      return fmt::format("line {}: expected \"{}\", found \"{}\"", line, more_w ? lw : "<end of file>",
                         more_h ? lh : "<end of file>");
  }
}

int check(const std::string& path, const std::string& want, std::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "vigie-schema: cannot read '{}'\n", path);
    return 2;
  }
  std::stringstream have;
  have << in.rdbuf();
  if (have.str() == want) return 0;
  fmt::print(stderr,
             "vigie-schema: '{}' is out of date with src/events/alert_schema.cc ({}).\n"
             "Update it: build/vigie-schema {} > {}\n",
             path, first_difference(want, have.str()), flag, path);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view flag = argc > 1 ? argv[1] : "";
  std::string out;
  if (flag == "--typescript") out = vigie::events::alert_typescript();
  else if (flag == "--json-schema") out = vigie::events::alert_json_schema().dump(2) + "\n";
  if (out.empty() || !(argc == 2 || (argc == 4 && std::string_view(argv[2]) == "--check"))) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  if (argc == 4) return check(argv[3], out, flag);
  fmt::print("{}", out);
  return 0;
}
