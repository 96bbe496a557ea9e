// vigie-search-bench: how long a forensic search takes on a store holding many tracks.
//
// Fills a store — an SQLite file or a PostgreSQL URL, with the schema of Store::open — with
// synthetic tracks — cameras, a
// span of days, clothing colours drawn from a skewed distribution like a street's (black
// and blue common, yellow and purple rare), in time order — in bulk (transactions; COPY),
// then times
// Store::search_tracks on filtered queries: one camera, a time window of 1 to 24 hours,
// an upper-body colour drawn uniformly among the 11 (so rare colours, which scan the most,
// are asked as often as common ones); then the same windows with a zone entered, a line
// crossed one way, and ranked by likeness to a track (find_tracks with `similar`). Each
// camera has 3 zones and 2 lines: 30 % of the tracks enter one, 40 % cross one. A filled
// store is reused when it already holds the tracks asked for.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <sqlite3.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "events/database.h"
#include "events/store.h"
#include "events/track_search.h"

namespace {

using Clock = std::chrono::steady_clock;

const std::vector<std::string> kColours = {"black", "white", "grey", "red", "orange", "yellow",
                                           "green", "blue",  "purple", "pink", "brown"};
// How often each is a person's main colour on a city street (a guess, skewed on purpose).
const std::vector<double> kWeights = {35, 8, 12, 6, 2, 1, 4, 20, 1, 2, 9};
constexpr double kStartEpoch = 1.7e9;

// One synthetic track: its row and its colour names (region, colour, share).
struct Synthetic {
  std::string camera, run, label, attributes;
  int64_t id = 0;
  double first = 0, last = 0;
  std::vector<std::tuple<std::string, std::string, double>> colours;
  std::vector<std::tuple<std::string, std::string, std::string>> passages;  // kind, name, direction
};

// Calls `each` for every track, the same sequence for the same arguments.
void generate(int64_t tracks, int cameras, int days, uint32_t seed, const std::function<void(const Synthetic&)>& each) {
  std::mt19937_64 rng(seed);
  std::discrete_distribution<int> pick(kWeights.begin(), kWeights.end());
  std::uniform_real_distribution<double> unit(0, 1);
  std::exponential_distribution<double> dwell(1 / 20.0);
  // Tracks end and are stored in time order, as a camera's do: starts as a Poisson process.
  std::exponential_distribution<double> gap(tracks / (days * 86400.0));
  double now = kStartEpoch;
  const auto start = Clock::now();
  Synthetic t;
  for (int64_t i = 0; i < tracks; ++i) {
    if (i % 200000 == 0 && i > 0)
      fmt::print(stderr, "\r{:.0f} % ({:.0f} tracks/s)   ", 100.0 * i / tracks,
                 i / std::chrono::duration<double>(Clock::now() - start).count());
    t.camera = fmt::format("cam{:04}", i % cameras);
    t.run = fmt::format("run{}", i / 100000);
    t.id = i % 100000 + 1;
    now += gap(rng);
    t.first = now, t.last = now + dwell(rng);
    const bool person = unit(rng) < 0.8;
    t.label = person ? "person" : "car";
    t.colours.clear();
    auto add = [&](const char* region, const std::string& colour, double share) {
      for (const auto& [r, c, x] : t.colours)
        if (r == region && c == colour) return;
      t.colours.emplace_back(region, colour, share);
    };
    if (person) {
      add("upper", kColours[pick(rng)], 0.7);
      if (unit(rng) < 0.4) add("upper", kColours[pick(rng)], 0.3);
      add("lower", kColours[pick(rng)], 1.0);
    } else {
      add("body", kColours[pick(rng)], 1.0);
    }
    t.attributes = "{";
    for (const char* region : {"upper", "lower", "colour"}) {
      std::string list;
      for (const auto& [r, c, x] : t.colours)
        if (r == region || (r == "body" && std::string(region) == "colour"))
          list += fmt::format("{}[\"{}\",{}]", list.empty() ? "" : ",", c, x);
      t.attributes += fmt::format("{}\"{}\":[{}]", t.attributes.size() > 1 ? "," : "", region, list);
    }
    t.passages.clear();
    if (unit(rng) < 0.3) t.passages.emplace_back("zone", fmt::format("z{}", 1 + static_cast<int>(unit(rng) * 3)), "");
    if (unit(rng) < 0.4)
      t.passages.emplace_back("line", fmt::format("l{}", 1 + static_cast<int>(unit(rng) * 2)),
                              unit(rng) < 0.5 ? "a_to_b" : "b_to_a");
    t.attributes += "}";
    each(t);
  }
  fmt::print(stderr, "\r{} tracks in {:.0f} s\n", tracks, std::chrono::duration<double>(Clock::now() - start).count());
}

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    throw std::runtime_error(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
}

// A colour's or a passage's first four columns: its track's key.
void bind_track_key(sqlite3_stmt* s, const Synthetic& t) {
  sqlite3_bind_text(s, 1, t.camera.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, t.run.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, t.id);
  sqlite3_bind_double(s, 4, t.first);
}

void fill_sqlite(const std::string& path, int64_t tracks, int cameras, int days, uint32_t seed) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  check(sqlite3_exec(db, "PRAGMA synchronous=OFF; DELETE FROM track_passages; DELETE FROM track_colours; DELETE FROM tracks; BEGIN", nullptr,
                     nullptr, nullptr),
        db, "prepare the store");
  sqlite3_stmt *track = nullptr, *colour = nullptr, *passage = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO track_passages (camera, run_id, track_id, first_epoch, kind, name, direction, "
                           "at_epoch) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?4)",
                           -1, &passage, nullptr),
        db, "insert passages");
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO tracks (camera, run_id, track_id, label, first_epoch, last_epoch, path, "
                           "attributes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', ?7)",
                           -1, &track, nullptr),
        db, "insert tracks");
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO track_colours (camera, run_id, track_id, first_epoch, region, colour, share) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                           -1, &colour, nullptr),
        db, "insert colours");
  int64_t n = 0;
  generate(tracks, cameras, days, seed, [&](const Synthetic& t) {
    if (++n % 200000 == 0) check(sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr), db, "commit");
    sqlite3_bind_text(track, 1, t.camera.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(track, 2, t.run.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(track, 3, t.id);
    sqlite3_bind_text(track, 4, t.label.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(track, 5, t.first);
    sqlite3_bind_double(track, 6, t.last);
    sqlite3_bind_text(track, 7, t.attributes.c_str(), -1, SQLITE_TRANSIENT);
    check(sqlite3_step(track), db, "insert a track");
    sqlite3_reset(track);
    for (const auto& [region, name, share] : t.colours) {
      bind_track_key(colour, t);
      sqlite3_bind_text(colour, 5, region.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(colour, 6, name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(colour, 7, share);
      check(sqlite3_step(colour), db, "insert a colour");
      sqlite3_reset(colour);
    }
    for (const auto& [kind, name, direction] : t.passages) {
      bind_track_key(passage, t);
      sqlite3_bind_text(passage, 5, kind.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(passage, 6, name.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(passage, 7, direction.c_str(), -1, SQLITE_TRANSIENT);
      check(sqlite3_step(passage), db, "insert a passage");
      sqlite3_reset(passage);
    }
  });
  check(sqlite3_exec(db, "COMMIT; ANALYZE;", nullptr, nullptr, nullptr), db, "commit");
  sqlite3_finalize(track);
  sqlite3_finalize(colour);
  sqlite3_finalize(passage);
  sqlite3_close(db);
}

// PostgreSQL: COPY, the tracks in one pass and their colours in a second (one COPY at a
// time per connection), the generator replayed with the same seed.
void fill_postgres(const std::string& url, int64_t tracks, int cameras, int days, uint32_t seed) {
  pqxx::connection c(url);
  {
    pqxx::work w(c);
    w.exec("DELETE FROM track_passages; DELETE FROM track_colours; DELETE FROM tracks");
    pqxx::stream_to out(w, "tracks", std::vector<std::string>{"camera", "run_id", "track_id", "label", "first_epoch",
                                                              "last_epoch", "path", "attributes"});
    generate(tracks, cameras, days, seed, [&](const Synthetic& t) {
      out << std::make_tuple(t.camera, t.run, t.id, t.label, t.first, t.last, std::string("[]"), t.attributes);
    });
    out.complete();
    w.commit();
  }
  {
    pqxx::work w(c);
    pqxx::stream_to out(w, "track_colours", std::vector<std::string>{"camera", "run_id", "track_id", "first_epoch",
                                                                     "region", "colour", "share"});
    generate(tracks, cameras, days, seed, [&](const Synthetic& t) {
      for (const auto& [region, name, share] : t.colours)
        out << std::make_tuple(t.camera, t.run, t.id, t.first, region, name, share);
    });
    out.complete();
    w.commit();
  }
  {
    pqxx::work w(c);
    pqxx::stream_to out(w, "track_passages", std::vector<std::string>{"camera", "run_id", "track_id", "first_epoch",
                                                                      "kind", "name", "direction", "at_epoch"});
    generate(tracks, cameras, days, seed, [&](const Synthetic& t) {
      for (const auto& [kind, name, direction] : t.passages)
        out << std::make_tuple(t.camera, t.run, t.id, t.first, kind, name, direction, t.first);
    });
    out.complete();
    w.commit();
  }
  pqxx::nontransaction(c).exec("ANALYZE");
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Forensic search latency on a store of synthetic tracks"};
  std::string path = "out/search-bench.db";
  int64_t tracks = 10'000'000;
  int cameras = 100, days = 30, queries = 300;
  uint32_t seed = 1;
  bool json = false;
  app.add_option("--store", path, "SQLite file or postgresql:// URL (filled unless it holds the tracks asked for)");
  app.add_option("--tracks", tracks, "Synthetic tracks")->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  app.add_option("--cameras", cameras, "Cameras they are spread over")->check(CLI::Range(1, 100000));
  app.add_option("--days", days, "Days they are spread over")->check(CLI::Range(1, 3650));
  app.add_option("--queries", queries, "Timed searches")->check(CLI::Range(1, 1000000));
  app.add_option("--seed", seed, "Random seed");
  app.add_flag("--json", json, "Print the figures as JSON");
  CLI11_PARSE(app, argc, argv);
  try {
    const bool server = vigie::events::is_database_url(path);
    // A server store wants its audit key named; the search never audits here.
    auto store = vigie::events::Store::open(path, server ? "/dev/null" : "");
    if (!store) throw std::runtime_error(store.error().message);
    // What the store was filled with, in its own table: a store that has tracks but no such
    // table is a real one, and is never emptied here.
    const std::string made = fmt::format("{} {} {} {} passages", tracks, cameras, days, seed);
    auto meta = vigie::events::connect_database(path);
    if (!meta) throw std::runtime_error(meta.error().message);
    if (auto r = (*meta)->exec("CREATE TABLE IF NOT EXISTS search_bench (made TEXT NOT NULL)"); !r)
      throw std::runtime_error(r.error().message);
    // (Each statement ends in its block: an open read would keep the meta connection on a
    // snapshot from before the fill, and its write after it would be refused as locked.)
    std::string filled_with;
    bool has_tracks = false;
    {
      auto q = (*meta)->query("SELECT made FROM search_bench");
      if (q->step() == vigie::events::Step::kRow) filled_with = q->text(0);
    }
    {
      auto any = (*meta)->query("SELECT COUNT(*) FROM (SELECT 1 FROM tracks LIMIT 1) t");
      has_tracks = any->step() == vigie::events::Step::kRow && any->integer(0) > 0;
    }
    if (has_tracks && filled_with.empty())
      throw std::runtime_error(path + " holds tracks this benchmark did not make: give it a store of its own");
    if (filled_with != made) {
      store->reset();  // the fill writes behind the store's back
      if (server) fill_postgres(path, tracks, cameras, days, seed);
      else fill_sqlite(path, tracks, cameras, days, seed);
      if (auto r = (*meta)->exec("DELETE FROM search_bench; INSERT INTO search_bench VALUES ('" + made + "')"); !r)
        throw std::runtime_error(r.error().message);
      store = vigie::events::Store::open(path, server ? "/dev/null" : "");
      if (!store) throw std::runtime_error(store.error().message);
    }

    std::mt19937_64 rng(seed + 1);
    std::uniform_int_distribution<int> camera(0, cameras - 1), colour(0, static_cast<int>(kColours.size()) - 1);
    std::uniform_int_distribution<int> zone(1, 3), line(1, 2), way(0, 1);
    std::uniform_real_distribution<double> start(kStartEpoch, kStartEpoch + days * 86400.0), hours(1, 24);
    // Times of each kind of search (ms), and tracks found by the colour searches.
    enum Kind { kColour, kPlain, kZone, kLine, kSimilar, kKinds };
    const char* names[kKinds] = {"colour", "no_colour", "zone", "line", "similar"};
    std::vector<double> ms[kKinds];
    size_t found = 0;
    auto timed = [&](Kind kind, const vigie::events::TrackFilter& f) {
      const auto t0 = Clock::now();
      auto rows = vigie::events::find_tracks(**store, f);
      ms[kind].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (!rows) throw std::runtime_error(rows.error().message);
      if (!rows->refused.empty()) throw std::runtime_error(rows->refused);
      return std::move(rows->tracks);
    };
    for (int q = 0; q < queries; ++q) {
      vigie::events::TrackFilter f;
      f.cameras = {fmt::format("cam{:04}", camera(rng))};
      f.from_epoch = start(rng);
      f.to_epoch = f.from_epoch + hours(rng) * 3600;
      vigie::events::TrackFilter plain = f, by_zone = f, by_line = f, alike = f;  // the same windows
      f.upper = kColours[colour(rng)];
      found += timed(kColour, f).size();
      const auto all = timed(kPlain, plain);
      by_zone.zone = fmt::format("z{}", zone(rng));
      timed(kZone, by_zone);
      by_line.line = fmt::format("l{}", line(rng)), by_line.direction = way(rng) ? "a_to_b" : "b_to_a";
      timed(kLine, by_line);
      if (!all.empty()) {  // ranked by likeness to one of the window's tracks
        const auto& t = all.front().track;
        alike.similar = fmt::format("{}/{}/{}", t.camera, t.run_id, t.track_id);
        timed(kSimilar, alike);
      }
    }
    if (json) {
      std::string fields;
      for (int k = 0; k < kKinds; ++k)
        if (!ms[k].empty())
          fields += fmt::format(", \"{}_p50_ms\": {:.2f}, \"{}_p95_ms\": {:.2f}, \"{}_max_ms\": {:.2f}", names[k],
                                percentile(ms[k], 0.5), names[k], percentile(ms[k], 0.95), names[k],
                                percentile(ms[k], 1.0));
      fmt::print("{{\"tracks\": {}, \"queries\": {}, \"mean_results\": {:.1f}{}}}\n", tracks, queries,
                 double(found) / queries, fields);
    } else {
      fmt::print("{} tracks, {} cameras, {} days; {} windows (one camera, 1-24 h), searched:\n", tracks, cameras, days,
                 queries);
      const char* what[kKinds] = {"with an upper-body colour", "with nothing else (the reference)",
                                  "with a zone entered", "with a line crossed one way",
                                  "ranked by likeness to one of its tracks"};
      for (int k = 0; k < kKinds; ++k)
        if (!ms[k].empty())
          fmt::print("  {:<42} p50 {:7.2f} ms, p95 {:7.2f} ms, max {:7.2f} ms\n", what[k], percentile(ms[k], 0.5),
                     percentile(ms[k], 0.95), percentile(ms[k], 1.0));
      fmt::print("  {:.1f} tracks found per colour search on average\n", double(found) / queries);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "vigie-search-bench: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
