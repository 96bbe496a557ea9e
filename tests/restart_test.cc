// `vigie serve` restarted on the same store keeps every alert (issue 10): a looping camera
// (vigie-camsim) raises alerts; serve is stopped with SIGTERM, restarted, killed with
// SIGKILL, restarted again. Before alert ids were unique, the second run's alerts failed
// to insert and their update/end events overwrote the first run's rows.
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/test_data.h"
#include "events/store.h"
#include "record/recorder.h"
#include "record/sealed_file.h"
#include "run.h"
#include "scenes.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A process whose stderr goes to a file, stopped by the signal the test chooses.
class Process {
 public:
  Process(const std::vector<std::string>& argv, int port, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&files, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (posix_spawn(&pid_, args[0], &files, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&files);
    for (int i = 0; i < 100 && pid_ > 0 && !port_open(port); ++i) std::this_thread::sleep_for(100ms);
  }
  ~Process() { stop(SIGTERM); }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  bool started() const { return pid_ > 0; }
  // Sends `signal` and waits for the process; returns its wait status.
  int stop(int signal) {
    int status = 0;
    if (pid_ > 0) kill(pid_, signal), waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

struct Row {
  std::string id, camera;
  double start = 0;
  nlohmann::json end;
  bool operator==(const Row&) const = default;
};

// Every stored alert by id, read straight from the database (no audit entry, no server).
std::map<std::string, Row> rows(const fs::path& db) {
  const auto r = run("sqlite3 -json " + db.string() + " 'SELECT id, camera, start_epoch, end_epoch FROM alerts'");
  std::map<std::string, Row> out;
  if (r.code != 0 || r.out.find('[') == std::string::npos) return out;
  for (const auto& a : nlohmann::json::parse(r.out))
    out[a["id"]] = {a["id"], a["camera"], a["start_epoch"].get<double>(), a["end_epoch"]};
  return out;
}

// Waits (at most `limit`) until the store holds more than `than` alerts, `ended` of them
// closed if asked.
bool wait_for_alerts(const fs::path& db, size_t than, std::chrono::seconds limit, bool ended = false) {
  for (auto until = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < until;) {
    const auto now = rows(db);
    size_t closed = 0;
    for (const auto& [id, r] : now) closed += !r.end.is_null();
    if (now.size() > than && (!ended || closed > than)) return true;
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

TEST(Restart, ServeRestartedOnTheSameStoreKeepsEveryAlert) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  if (run("which sqlite3").code != 0) GTEST_SKIP() << "skipped: the sqlite3 shell is not installed";
  const auto dir = fresh_temp_dir("restart");
  write_walking_clip(dir / "walk.avi");  // 6 s: a block crosses the middle line, looped
  const int cam_port = free_port();
  Process camsim({camsim_bin(), "--port", std::to_string(cam_port), "cam=" + (dir / "walk.avi").string(), "--loop"},
                 cam_port, dir / "camsim.log");
  ASSERT_TRUE(camsim.started() && port_open(cam_port)) << "vigie-camsim did not start";
  const int port = free_port();
  const fs::path db = dir / "v.db";
  std::ofstream(dir / "site.yaml")
      << "store: { path: " << db.string() << ", clip_pre_s: 0, clip_post_s: 0 }\n"
      << "server: { listen: 127.0.0.1:" << port << " }\n"
      << "detect: { type: motion }\n"
      << "cameras:\n  street:\n    input: rtsp://127.0.0.1:" << cam_port << "/cam\n"
      << "    lines: { mid: { points: [[160, 0], [160, 240]] } }\n"
      << "    zones: { right: [[170, 0], [320, 0], [320, 240], [170, 240]] }\n"
      << "    rules: [ { type: line_crossing, line: mid, objects: [object] },\n"
      << "             { type: zone_intrusion, zone: right, objects: [object] } ]\n";
  const std::vector<std::string> serve = {vigie_bin(), "serve", "--config", (dir / "site.yaml").string()};
  const fs::path log = dir / "serve.log";

  // Run 1, stopped cleanly: its open alerts are ended.
  std::map<std::string, Row> before;
  {
    Process s(serve, port, log);
    ASSERT_TRUE(s.started() && port_open(port)) << slurp(log);
    ASSERT_TRUE(wait_for_alerts(db, 0, 20s, /*ended=*/true)) << slurp(log);
    s.stop(SIGTERM);
  }
  before = rows(db);
  ASSERT_FALSE(before.empty());

  // Run 2, killed: whatever it had stored stays as it was.
  {
    Process s(serve, port, log);
    ASSERT_TRUE(s.started() && port_open(port)) << slurp(log);
    ASSERT_TRUE(wait_for_alerts(db, before.size(), 20s)) << "no new alert after a restart\n" << slurp(log);
    s.stop(SIGKILL);
  }
  const auto after_kill = rows(db);

  // Run 3, after the kill.
  {
    Process s(serve, port, log);
    ASSERT_TRUE(s.started() && port_open(port)) << slurp(log);
    ASSERT_TRUE(wait_for_alerts(db, after_kill.size(), 20s)) << "no new alert after kill -9\n" << slurp(log);
    s.stop(SIGTERM);
  }
  const auto last = rows(db);

  for (const auto& earlier : {before, after_kill})
    for (const auto& [id, row] : earlier) {
      ASSERT_TRUE(last.count(id)) << "alert " << id << " was lost";
      EXPECT_EQ(last.at(id), row) << "alert " << id << " was changed by a later run: end "
                                  << row.end.dump() << " -> " << last.at(id).end.dump();
    }
  EXPECT_GT(after_kill.size(), before.size());
  EXPECT_GT(last.size(), after_kill.size());
  // Three runs, three run ids.
  EXPECT_EQ(run("sqlite3 " + db.string() + " 'SELECT COUNT(DISTINCT run_id) FROM alerts'").out, "3\n");
  const std::string output = slurp(log);
  EXPECT_THAT(output, ::testing::Not(::testing::HasSubstr("UNIQUE constraint")));
  EXPECT_THAT(output, ::testing::Not(::testing::HasSubstr("is not stored")));
}

// Continuous recording through restarts (issue 12): serve records a live H.264 camera in
// 3 s segments, is killed with SIGKILL mid-segment, restarted (the open segment is
// recovered and indexed), stopped with SIGTERM. Every indexed segment is the file it
// names, opens with the camera's key, and plays for the time it says; within a run each
// begins where the one before ended.
TEST(Restart, RecordingSurvivesAKillAndEverySegmentPlays) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  if (run("which sqlite3").code != 0) GTEST_SKIP() << "skipped: the sqlite3 shell is not installed";
  const auto dir = fresh_temp_dir("restart_recording");
  write_walking_clip(dir / "walk.avi");
  const auto encode = run(std::string(VIGIE_SOURCE_DIR) + "/scripts/camsim-encode " + (dir / "walk.avi").string() +
                          " " + (dir / "walk.mp4").string());
  ASSERT_EQ(encode.code, 0) << encode.err;
  const int cam_port = free_port();
  Process camsim({camsim_bin(), "--port", std::to_string(cam_port), "cam=" + (dir / "walk.mp4").string(), "--loop"},
                 cam_port, dir / "camsim.log");
  ASSERT_TRUE(camsim.started() && port_open(cam_port)) << "vigie-camsim did not start";
  const int port = free_port();
  const fs::path db = dir / "v.db";
  std::ofstream(dir / "site.yaml") << "store: { path: " << db.string() << ", clip_pre_s: 0, clip_post_s: 0 }\n"
                                   << "recording: { segment_seconds: 3 }\n"
                                   << "server: { listen: 127.0.0.1:" << port << " }\n"
                                   << "detect: { type: motion }\n"
                                   << "cameras:\n  street:\n    input: rtsp://127.0.0.1:" << cam_port << "/cam\n"
                                   << "    record: true\n";
  const std::vector<std::string> serve = {vigie_bin(), "serve", "--config", (dir / "site.yaml").string()};
  const fs::path log = dir / "serve.log";
  auto indexed = [&] {
    const auto r = run("sqlite3 -json " + db.string() +
                       " 'SELECT path, start_epoch, end_epoch, bytes, sha256 FROM recordings ORDER BY start_epoch'");
    return r.code == 0 && r.out.find('[') != std::string::npos ? nlohmann::json::parse(r.out) : nlohmann::json::array();
  };
  auto wait_for_segments = [&](size_t n) {
    for (int i = 0; i < 120 && indexed().size() < n; ++i) std::this_thread::sleep_for(250ms);
    return indexed().size() >= n;
  };
  {
    Process s(serve, port, log);
    ASSERT_TRUE(s.started() && port_open(port)) << slurp(log);
    ASSERT_TRUE(wait_for_segments(2)) << slurp(log);
    std::this_thread::sleep_for(1500ms);  // into the third segment
    s.stop(SIGKILL);
  }
  const size_t before_restart = indexed().size();
  {
    Process s(serve, port, log);
    ASSERT_TRUE(s.started() && port_open(port)) << slurp(log);
    // The killed run's open segment is indexed at start, then this run's own.
    ASSERT_TRUE(wait_for_segments(before_restart + 2)) << slurp(log);
    s.stop(SIGTERM);
  }
  const auto segments = indexed();
  ASSERT_GE(segments.size(), before_restart + 2);
  const auto key_file = read_key_file(db.string() + ".recording-key", "recording key");
  ASSERT_TRUE(key_file && *key_file) << "no recording key beside the store";
  const SecretKey key = record::camera_key(**key_file, "street");
  int joined = 0, recovered_cut = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const auto& s = segments[i];
    const fs::path file = dir / "recordings" / s["path"].get<std::string>();
    SCOPED_TRACE(file.string());
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(s["bytes"].get<int64_t>(), static_cast<int64_t>(fs::file_size(file)));
    EXPECT_EQ(s["sha256"].get<std::string>(), *record::file_sha256(file.string()));
    const auto plain = record::unseal_file(file.string(), key);
    ASSERT_TRUE(plain) << plain.error().message;
    recovered_cut += !plain->complete;
    const auto info = record::probe_mp4(plain->plain);
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_GT(info->packets, 0);
    const double span = s["end_epoch"].get<double>() - s["start_epoch"].get<double>();
    EXPECT_NEAR(span, info->duration_s, 0.15);
    if (i > 0 && std::abs(s["start_epoch"].get<double>() - segments[i - 1]["end_epoch"].get<double>()) < 1e-3)
      ++joined;
  }
  EXPECT_EQ(recovered_cut, 1) << "the killed run's last segment, recovered";
  // Every file on disk is indexed: none escapes retention.
  std::set<std::string> on_disk, in_index;
  for (const auto& e : fs::directory_iterator(dir / "recordings" / "street"))
    if (e.path().filename().string()[0] != '.')  // .lock
      on_disk.insert("street/" + e.path().filename().string());
  for (const auto& s : segments) in_index.insert(s["path"].get<std::string>());
  EXPECT_EQ(on_disk, in_index);
  // Two runs: every segment follows the one before (to the millisecond the sqlite3 shell
  // prints) except the first of each run.
  EXPECT_EQ(joined, static_cast<int>(segments.size()) - 2);
  EXPECT_THAT(slurp(log), ::testing::Not(::testing::HasSubstr("recording:")));

  // `vigie record list` counts what the index holds.
  const std::string config = " --config " + (dir / "site.yaml").string();
  const auto listed = run(vigie_bin() + " record list --json" + config);
  ASSERT_EQ(listed.code, 0) << listed.err;
  const auto list = nlohmann::json::parse(listed.out);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["segments"], segments.size());
  // `vigie record export`: 2 s of the second run's first segment (after the one
  // recovered), audited. (Across segments: record_test.)
  const double from = segments[before_restart + 1]["start_epoch"].get<double>() + 0.5;
  const std::string range = fmt::format(" --camera street --from {:.3f} --to {:.3f}", from, from + 2);
  const auto out = dir / "PV-7.mp4";
  const auto exported = run(vigie_bin() + " record export --json --case PV-7 --requester 'OPJ Martin' --out " +
                            out.string() + range + config);
  ASSERT_EQ(exported.code, 0) << exported.err;
  const auto result = nlohmann::json::parse(exported.out);
  EXPECT_NEAR(result["frames"].get<int>(), 21, 2);  // 2 s at 10 fps
  EXPECT_EQ(result["sha256"], *record::file_sha256(out.string()));
  const auto audit = run("sqlite3 " + db.string() + " \"SELECT detail FROM audit_log WHERE action = 'recording.export'\"");
  EXPECT_THAT(audit.out, ::testing::HasSubstr("\"case_reference\":\"PV-7\""));
  EXPECT_THAT(audit.out, ::testing::HasSubstr(result["sha256"].get<std::string>()));
  // Without a case, or where nothing was recorded: refused, nothing written or audited.
  EXPECT_EQ(run(vigie_bin() + " record export --requester x --out " + (dir / "a.mp4").string() + range + config).code, 2);
  const auto nothing = run(vigie_bin() + " record export --case PV-8 --requester x --out " + (dir / "b.mp4").string() +
                           " --camera street --from 1000 --to 2000" + config);
  EXPECT_EQ(nothing.code, 2);
  EXPECT_THAT(nothing.err, ::testing::HasSubstr("no recording between"));
  EXPECT_FALSE(fs::exists(dir / "a.mp4") || fs::exists(dir / "b.mp4"));
  EXPECT_EQ(run("sqlite3 " + db.string() + " \"SELECT COUNT(*) FROM audit_log WHERE action = 'recording.export'\"").out,
            "1\n");

  // `--unmasked`: only on a request another person approved, and once.
  events::UnmaskedRequest ask;
  ask.camera = "street", ask.from_epoch = from, ask.to_epoch = from + 2, ask.case_reference = "PV-9";
  ask.requester = "Juge Durand", ask.reason = "the mask hides the plate", ask.requested_by = "supervisor1";
  {
    auto store = events::Store::open(db.string());
    ASSERT_TRUE(store && (*store)->request_unmasked(ask));
  }
  const std::string unmasked = " record export --json --unmasked " + ask.id + " --out ";
  const auto pending = run(vigie_bin() + unmasked + (dir / "u1.mp4").string() + config);
  EXPECT_EQ(pending.code, 2);
  EXPECT_THAT(pending.err, ::testing::HasSubstr("not approved yet"));
  {
    auto store = events::Store::open(db.string());
    ASSERT_TRUE(store && (*store)->decide_unmasked(ask.id, true, "auditor1", "order seen", from + 60));
  }
  const auto twice = run(vigie_bin() + unmasked + (dir / "u1.mp4").string() + range + config);
  EXPECT_EQ(twice.code, 2);
  EXPECT_THAT(twice.err, ::testing::HasSubstr("give none of them"));
  const auto opened = run(vigie_bin() + unmasked + (dir / "u1.mp4").string() + config);
  ASSERT_EQ(opened.code, 0) << opened.err;
  EXPECT_TRUE(fs::exists(dir / "u1.mp4"));
  const auto again = run(vigie_bin() + unmasked + (dir / "u2.mp4").string() + config);
  EXPECT_EQ(again.code, 2);
  EXPECT_THAT(again.err, ::testing::HasSubstr("used already"));
  EXPECT_FALSE(fs::exists(dir / "u2.mp4"));
  const auto audited = run("sqlite3 " + db.string() + " \"SELECT detail FROM audit_log WHERE action = 'recording.export'\"");
  EXPECT_THAT(audited.out, ::testing::HasSubstr("\"approved_by\":\"auditor1\""));
}

}  // namespace
}  // namespace vigie::testing
