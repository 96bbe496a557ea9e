// A CSV whose first line names its columns, read row by row: each row as column → field,
// with the row's place ("file:line") for errors. Checks what every such file needs: the
// required columns, and as many fields on each row as the header has. A spreadsheet's
// byte-order mark and \r line ends are dropped; empty lines skipped. Header-only.
#pragma once

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/result.h"

namespace vigie {

using CsvRow = std::map<std::string, std::string>;

// `take` is called with each data row; its first error stops the reading.
inline Result<Ok> read_csv_rows(const std::string& path, const std::vector<std::string>& required,
                                const std::function<Result<Ok>(const CsvRow&, int line, const std::string& where)>& take) {
  std::ifstream in(path);
  if (!in) return Error{"cannot read '" + path + "'"};
  std::string line;
  if (!std::getline(in, line)) return Error{path + ": empty; the first line names the columns"};
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  const auto header = split_csv(line);
  for (const auto& name : required)
    if (std::find(header.begin(), header.end(), name) == header.end())
      return Error{path + ":1: the header has no '" + name + "' column"};
  for (int n = 2; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    const auto fields = split_csv(line);
    if (fields.size() != header.size())
      return Error{where + ": " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(header.size())};
    CsvRow row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = fields[i];
    if (auto r = take(row, n, where); !r) return r.error();
  }
  return Ok{};
}

}  // namespace vigie
