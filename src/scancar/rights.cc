#include "scancar/rights.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>

#include "core/csv.h"
#include "core/csv_rows.h"
#include "plates/characters.h"

namespace vigie::scancar {
namespace {

namespace fs = std::filesystem;

using Row = CsvRow;

// Each data row of a register; an absent file is an empty register.
Result<Ok> each_row(const fs::path& path, const std::vector<std::string>& columns,
                    const std::function<Result<Ok>(const Row&, const std::string& where)>& take) {
  if (!fs::exists(path)) return Ok{};
  return read_csv_rows(path.string(), columns,
                       [&](const CsvRow& row, int, const std::string& where) { return take(row, where); });
}

Result<double> time_field(const Row& row, const std::string& column, const std::string& where) {
  const auto v = parse_number(row.at(column));
  if (!v || *v < 0 || *v > 1e12) return Error{fmt::format("{}: {} is a time in Unix seconds", where, column)};
  return *v;
}

Result<std::string> plate_field(const std::string& text, const std::string& where) {
  const std::string plate = plates::comparable(text);
  if (plate.size() < 2 || plate.size() > 12) return Error{fmt::format("{}: '{}' is not a plate", where, text)};
  return plate;
}

// valid_from ≤ valid_until, or start ≤ end.
Result<std::pair<double, double>> span(const Row& row, const std::string& from, const std::string& until,
                                       const std::string& where) {
  auto a = time_field(row, from, where);
  if (!a) return a.error();
  auto b = time_field(row, until, where);
  if (!b) return b.error();
  if (*b < *a) return Error{fmt::format("{}: {} is before {}", where, until, from)};
  return std::pair{*a, *b};
}

}  // namespace

std::string_view right_name(Right right) {
  switch (right) {
    case Right::kNone: return "none";
    case Right::kDisabilityCard: return "disability_card";
    case Right::kResident: return "resident";
    case Right::kPaid: return "paid";
  }
  return "none";
}

Result<Registers> read_registers(const std::string& folder) {
  if (!fs::is_directory(folder)) return Error{fmt::format("no registers folder '{}'", folder)};
  Registers r;
  const fs::path dir(folder);
  auto paid = each_row(dir / "paid.csv", {"plate", "start", "end"}, [&](const Row& row, const std::string& where) -> Result<Ok> {
    auto plate = plate_field(row.at("plate"), where);
    if (!plate) return plate.error();
    auto s = span(row, "start", "end", where);
    if (!s) return s.error();
    r.paid.push_back({*plate, s->first, s->second});
    return Ok{};
  });
  if (!paid) return paid.error();
  auto residents = each_row(dir / "residents.csv", {"plate", "valid_from", "valid_until"},
                            [&](const Row& row, const std::string& where) -> Result<Ok> {
                              auto plate = plate_field(row.at("plate"), where);
                              if (!plate) return plate.error();
                              auto s = span(row, "valid_from", "valid_until", where);
                              if (!s) return s.error();
                              r.residents.push_back({*plate, s->first, s->second});
                              return Ok{};
                            });
  if (!residents) return residents.error();
  auto cards = each_row(dir / "cards.csv", {"card", "plates", "valid_from", "valid_until"},
                        [&](const Row& row, const std::string& where) -> Result<Ok> {
                          DisabilityCard card;
                          card.card = row.at("card");
                          if (card.card.empty() || card.card.size() > 64)
                            return Error{fmt::format("{}: the card number is 1 to 64 characters", where)};
                          for (const auto& text : split_csv(row.at("plates"), '|')) {
                            auto plate = plate_field(text, where);
                            if (!plate) return plate.error();
                            card.plates.push_back(*plate);
                          }
                          if (card.plates.size() > kMaxPlatesPerCard)
                            return Error{fmt::format("{}: a card declares at most {} plates", where, kMaxPlatesPerCard)};
                          auto s = span(row, "valid_from", "valid_until", where);
                          if (!s) return s.error();
                          card.valid_from = s->first, card.valid_until = s->second;
                          r.cards.push_back(std::move(card));
                          return Ok{};
                        });
  if (!cards) return cards.error();
  return r;
}

RightFound right_at(const Registers& registers, const std::string& read, double time) {
  const std::string plate = plates::comparable(read);
  RightFound near;
  for (const auto& card : registers.cards) {
    if (time < card.valid_from || time > card.valid_until) continue;
    for (const auto& p : card.plates) {
      if (p == plate) return {Right::kDisabilityCard, card.card, false};
      if (near.right == Right::kNone && plates::edit_distance(p, plate) <= 1) near = {Right::kDisabilityCard, card.card, true};
    }
  }
  if (near.right != Right::kNone) return near;
  for (const auto& permit : registers.residents)
    if (permit.plate == plate && time >= permit.valid_from && time <= permit.valid_until)
      return {Right::kResident, permit.plate, false};
  for (const auto& session : registers.paid)
    if (session.plate == plate && time >= session.start && time <= session.end) return {Right::kPaid, session.plate, false};
  return {};
}

}  // namespace vigie::scancar
