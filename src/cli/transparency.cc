// `vigie transparency`: the public report of what the network is, costs and achieves
// (src/transparency), written as an HTML page and, with --json, its figures.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "config/config.h"
#include "events/store.h"
#include "transparency/transparency.h"

namespace vigie::cli {
namespace {

struct TransparencyOptions {
  std::string store_path, config_path, out, json_out, city_dir, audit_key_path;
  bool city_given = false;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary);
  if (!(f << text)) throw std::runtime_error(fmt::format("{}: cannot be written", path));
}

int transparency_report(const TransparencyOptions& o) {
  const Config config = load_config(o.config_path);
  const std::string store_path = o.store_path.empty() ? config.store.location() : o.store_path;
  if (!events::is_database_url(store_path) && !std::filesystem::exists(store_path))
    throw UsageError(fmt::format("no event store at '{}' (give --store)", store_path));
  auto store = events::Store::open(store_path, o.audit_key_path.empty() ? config.store.audit_key : o.audit_key_path);
  if (!store) throw UsageError(store.error().message);
  const std::string city_dir = o.city_given ? o.city_dir : config.server.city_layers;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto figures = transparency::gather(**store, config, city_dir, now);
  if (!figures) throw std::runtime_error(figures.error().message);
  // An explicit --city that cannot be read is an error; the config's is a note in the report.
  if (o.city_given && !figures->city) throw UsageError(figures->city_problem);
  write_file(o.out, transparency::to_html(*figures));
  if (!o.json_out.empty()) write_file(o.json_out, transparency::to_json(*figures).dump(2) + "\n");
  fmt::print("transparency report written to {}{}\n", o.out, o.json_out.empty() ? "" : " and " + o.json_out);
  if (!figures->city) fmt::print(stderr, "note: no city figures: {}\n", figures->city_problem);
  return 0;
}

}  // namespace

std::function<int()> add_transparency_command(CLI::App& app) {
  auto o = std::make_shared<TransparencyOptions>();
  auto* cmd = app.add_subcommand("transparency", "The public report: cameras and coverage, alerts and decisions, "
                                                 "searches and exports, retention, costs (counts only)");
  cmd->add_option("--config", o->config_path, "Site configuration (cameras, rules, store, city costs)")->required();
  cmd->add_option("--store", o->store_path, "Event store (default: the config's)");
  cmd->add_option("--out", o->out, "HTML file to write")->required();
  cmd->add_option("--json", o->json_out, "Also write the figures as JSON to this file");
  cmd->add_option("--city", o->city_dir, "Folder of vigie city coverage --geojson-dir (default: server.city_layers)")
      ->each([o](const std::string&) { o->city_given = true; });
  cmd->add_option("--audit-key", o->audit_key_path, "The audit log's HMAC key file, to authenticate the chain");
  return [o, cmd]() -> int { return *cmd ? transparency_report(*o) : -1; };
}

}  // namespace vigie::cli
