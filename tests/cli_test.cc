// The command line as a user meets it: bad input gives one clear line and a non-zero
// exit; good input gives tracks and a summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "core/test_data.h"
#include "events/alert_schema.h"
#include "run.h"
#include "scenes.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

fs::path temp_dir(const std::string& name) { return fresh_temp_dir("cli_" + name); }

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

fs::path walking_clip(const fs::path& dir) {
  write_walking_clip(dir / "walk.avi");
  return dir / "walk.avi";
}

TEST(Cli, MissingInputFileIsOneLineAndExit2) {
  const auto r = run(vigie_bin() + " analyze /nonexistent/street.avi");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, StartsWith("vigie: error: "));
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/street.avi"));
  EXPECT_EQ(lines(r.err), 1);
}

TEST(Cli, UnreadableVideoIsAnError) {
  const auto dir = temp_dir("garbage");
  std::ofstream(dir / "broken.mp4") << "this is not a video";
  const auto r = run(vigie_bin() + " analyze " + (dir / "broken.mp4").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("broken.mp4"));
  EXPECT_EQ(lines(r.err), 1);
}

TEST(Cli, MalformedConfigNamesFileLineAndKey) {
  const auto dir = temp_dir("config");
  std::ofstream(dir / "site.yaml") << "detect:\n  type: motion\n  every_n_frame: 2\n";
  const auto clip = walking_clip(dir);
  const auto r = run(vigie_bin() + " analyze " + clip.string() + " --config " + (dir / "site.yaml").string());
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("site.yaml:3: detect.every_n_frame: unknown key"));
  EXPECT_EQ(lines(r.err), 1);
}

TEST(Cli, MissingModelIsAnError) {
  const auto dir = temp_dir("model");
  const auto r = run(vigie_bin() + " analyze " + walking_clip(dir).string() +
                     " --detector onnx --model /nonexistent/yolo.onnx");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/yolo.onnx"));
}

TEST(Cli, UnknownDetectorIsRefusedByTheParser) {
  const auto r = run(vigie_bin() + " analyze x.avi --detector magic");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("magic"));
}

TEST(Cli, UnreachableStreamIsAnError) {
  const auto r = run(vigie_bin() + " analyze rtsp://127.0.0.1:9/none");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("rtsp://127.0.0.1:9/none"));
}

// Camera URLs carry credentials: an error names the camera's URL without its password.
TEST(Cli, AStreamErrorDoesNotPrintThePassword) {
  const auto r = run(vigie_bin() + " analyze rtsp://admin:hunter2-secret@127.0.0.1:9/none");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("rtsp://admin:***@127.0.0.1:9/none"));
  EXPECT_EQ(r.err.find("hunter2-secret"), std::string::npos) << r.err;
}

// Several machines: a worker or API node needs a PostgreSQL store, and one that does not
// answer is one line naming it (without its password) and exit 2, not a hang.
TEST(Cli, ServeRolesNeedAPostgresqlStoreThatAnswers) {
  const auto dir = temp_dir("cli_roles");
  {
    std::ofstream f(dir / "site.yaml");
    f << "store: { path: " << (dir / "v.db").string() << " }\n";
  }
  auto r = run(vigie_bin() + " serve --config " + (dir / "site.yaml").string() + " --role worker");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cluster.role: worker needs a PostgreSQL store (store.url)"), std::string::npos) << r.err;
  {
    std::ofstream f(dir / "pg.yaml");
    f << "store:\n  url: postgresql://vigie:secret-pw@127.0.0.1:9/vigie\n  audit_key: " << (dir / "k").string()
      << "\n";
  }
  r = run("timeout 30 " + vigie_bin() + " serve --config " + (dir / "pg.yaml").string() + " --role api");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot open event store 'postgresql://vigie@127.0.0.1:9/vigie'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("secret-pw"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err), 1) << r.err;
}

TEST(Cli, AnalyzeWritesTracksVideoAndJsonSummary) {
  const auto dir = temp_dir("analyze");
  const auto clip = walking_clip(dir);
  // A block is not a person: the class-free detector follows it.
  const auto r = run(vigie_bin() + " analyze " + clip.string() + " --detector motion --tracks " +
                     (dir / "t.txt").string() + " --video " + (dir / "a.mp4").string() + " --json --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["frames_decoded"], 60);
  EXPECT_EQ(j["frames_analysed"], 60);
  EXPECT_EQ(j["tracks"], 1);
  EXPECT_TRUE(j["stage_ms_per_frame"].contains("detect"));

  // One track, frames counted from 1, following the block.
  std::ifstream tracks(dir / "t.txt");
  std::string line, last;
  int rows = 0, first_frame = 0;
  while (std::getline(tracks, line)) {
    if (!rows) first_frame = std::stoi(line);
    EXPECT_THAT(line, StartsWith(std::to_string(std::stoi(line)) + ",1,"));
    ++rows, last = line;
  }
  // The first frames teach the background (the block is in it at first), then the
  // track follows the block to its last position, x = 10 + 4 * 59.
  EXPECT_GT(rows, 30);
  EXPECT_GE(first_frame, 1);
  ASSERT_FALSE(last.empty());
  std::replace(last.begin(), last.end(), ',', ' ');
  std::istringstream fields(last);
  double frame, id, x;
  fields >> frame >> id >> x;
  EXPECT_EQ(frame, 60);
  EXPECT_NEAR(x, 246, 10);

  cv::VideoCapture video((dir / "a.mp4").string());
  ASSERT_TRUE(video.isOpened());
  EXPECT_EQ(static_cast<int>(video.get(cv::CAP_PROP_FRAME_COUNT)), 60);
}

TEST(Cli, AnalyzeFpsSamplesFrames) {
  const auto dir = temp_dir("fps");
  std::ofstream(dir / "site.yaml") << "cameras:\n  walk:\n    input: " << walking_clip(dir).string()
                                   << "\n    analyze_fps: 5\n";
  const auto r = run(vigie_bin() + " analyze --config " + (dir / "site.yaml").string() + " --json --quiet");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["frames_decoded"], 60);
  EXPECT_EQ(j["frames_analysed"], 30);
}

TEST(Cli, AnalyzeWithRulesStoresAlertsWithSnapshotAndClip) {
  const auto dir = temp_dir("rules");
  std::ofstream(dir / "site.yaml") << "store: { path: " << (dir / "a.db").string() << ", media: "
                                   << (dir / "media").string() << ", clip_pre_s: 1, clip_post_s: 1 }\n"
                                   << "detect: { type: motion }\n"
                                   << "cameras:\n  street:\n    input: walk.avi\n"
                                   << "    lines: { mid: { points: [[160, 0], [160, 240]] } }\n"
                                   << "    rules: [ { type: line_crossing, line: mid, objects: [object] } ]\n";
  walking_clip(dir);
  const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string());
  ASSERT_EQ(a.code, 0) << a.err;
  const auto l = run(vigie_bin() + " alerts list --json --store " + (dir / "a.db").string());
  ASSERT_EQ(l.code, 0) << l.err;
  const auto list = nlohmann::json::parse(l.out);
  EXPECT_EQ(list["schema"], events::alert_schema_id());
  const auto& alerts = list["alerts"];
  ASSERT_EQ(alerts.size(), 1u) << l.out;  // the block crosses the middle line once
  // The API's alert and the local fields, each of its declared type (events/alert_schema.h).
  EXPECT_EQ(events::check_alert_json(alerts[0], events::Audience::kLocal), "") << l.out;
  EXPECT_EQ(alerts[0]["rule"], "line_crossing:mid");
  // Walking along the line from its first point (top) to its last (bottom), side A on
  // the left is x > 160 in the image: the block walks from x < 160 to x > 160, B to A.
  EXPECT_EQ(alerts[0]["detail"], "b_to_a");
  EXPECT_TRUE(fs::exists(alerts[0]["snapshot_path"].get<std::string>()));
  EXPECT_EQ(alerts[0]["clip"], "video");
  cv::VideoCapture clip(alerts[0]["clip_path"].get<std::string>());
  ASSERT_TRUE(clip.isOpened());
  EXPECT_GE(clip.get(cv::CAP_PROP_FRAME_COUNT), 15);  // 1 s before and after at 10 fps

  // The block's track summary is stored too.
  EXPECT_EQ(run("sqlite3 " + (dir / "a.db").string() + " 'SELECT COUNT(*) FROM tracks'").out, "1\n");
  EXPECT_EQ(nlohmann::json::parse(run(vigie_bin() + " alerts list --json --rule nothing --store " +
                                      (dir / "a.db").string()).out)["alerts"].size(), 0u);

  // Both searches are in the audit log, and the chain holds until someone edits it.
  const std::string db = (dir / "a.db").string();
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT COUNT(*) FROM audit_log WHERE action = 'alerts.list'\"").out, "2\n");
  auto v = run(vigie_bin() + " audit verify --store " + db);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("intact: 2 entries"));
  ASSERT_EQ(run("sqlite3 " + db + " \"UPDATE audit_log SET detail = '{}' WHERE id = 1\"").code, 0);
  v = run(vigie_bin() + " audit verify --store " + db);
  EXPECT_EQ(v.code, 1);
  EXPECT_THAT(v.out, HasSubstr("TAMPERED at entry 1"));
}

TEST(Cli, AudioRulesOnAFileStoreAlertsWithAWavClip) {
  if (run("which sox ffmpeg").code != 0) GTEST_SKIP() << "skipped: sox or ffmpeg is not installed";
  const auto dir = temp_dir("audio_rules");
  const std::string d = dir.string();
  // Quiet noise with a bang at 5 s, as the sound track of a 12 s video.
  ASSERT_EQ(run("cd " + d + " && sox -n -r 16000 -c 1 bg.wav synth 12 pinknoise vol 0.003 && "
                "sox -n -r 16000 -c 1 bang.wav synth 0.02 whitenoise vol 0.8 pad 5 && "
                "sox -m -v 1 bg.wav -v 1 bang.wav snd.wav trim 0 12 && "
                "ffmpeg -v error -y -f lavfi -i color=c=gray:s=160x120:r=10 -i snd.wav -t 12 -shortest "
                "-c:v mpeg4 -c:a aac av.mp4").code, 0);
  std::ofstream(dir / "site.yaml") << "store: { path: " << d << "/a.db, media: " << d << "/media }\n"
                                   << "cameras: { yard: { input: av.mp4, rules: [ { type: impulse }, "
                                      "{ type: sound_level } ] } }\n";
  const auto a = run(vigie_bin() + " analyze --quiet --config " + d + "/site.yaml");
  ASSERT_EQ(a.code, 0) << a.err;
  const auto alerts =
      nlohmann::json::parse(run(vigie_bin() + " alerts list --json --store " + d + "/a.db").out)["alerts"];
  ASSERT_EQ(alerts.size(), 1u);  // the bang; the noise never gets loud
  EXPECT_EQ(alerts[0]["rule_type"], "impulse");
  EXPECT_NEAR(alerts[0]["stream_raised_s"].get<double>(), 5.0, 0.1);
  EXPECT_GT(alerts[0]["peak"].get<double>(), 80);  // dB SPL through the default offset
  EXPECT_EQ(alerts[0]["clip"], "audio");
  const std::string clip = alerts[0]["clip_path"];
  EXPECT_EQ(clip.substr(clip.size() - 4), ".wav");
  EXPECT_EQ(slurp(clip).substr(0, 4), "RIFF");
}

TEST(Cli, UserAddTakesThePasswordFromStdinAndAuditsIt) {
  const auto dir = temp_dir("users");
  const std::string db = (dir / "v.db").string();
  auto r = run("echo 'a long enough password' | " + vigie_bin() + " user add alice --role operator --store " + db);
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("echo 'short' | " + vigie_bin() + " user add bob --role admin --store " + db);
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("at least 12"));
  r = run("echo 'a long enough password' | " + vigie_bin() + " user add carol --role king --store " + db);
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(run(vigie_bin() + " user list --store " + db).out, "alice                    operator\n");
  EXPECT_EQ(run("sqlite3 " + db + " \"SELECT action FROM audit_log\"").out, "user.add\n");
}

// The config of a camera whose block crosses a line once: one alert per run.
void write_line_site(const fs::path& dir, const std::string& store_line) {
  std::ofstream(dir / "site.yaml") << store_line << "detect: { type: motion }\ncameras:\n  street:\n    input: " << walking_clip(dir).string()
                                   << "\n    lines: { mid: { points: [[160, 0], [160, 240]] } }\n"
                                   << "    rules: [ { type: line_crossing, line: mid, objects: [object] } ]\n";
}

nlohmann::json list_alerts(const std::string& db) {
  const auto l = run(vigie_bin() + " alerts list --json --store " + db);
  EXPECT_EQ(l.code, 0) << l.err;
  return l.code == 0 ? nlohmann::json::parse(l.out)["alerts"] : nlohmann::json::array();
}

// The defect: alert ids were cam/rule/N from 1 in every run, so the second run on a store
// failed with "UNIQUE constraint failed: alerts.id" and lost its alerts.
TEST(Cli, TwoRunsOnOneStoreKeepBothRunsAlerts) {
  const auto dir = temp_dir("two_runs");
  const std::string db = (dir / "a.db").string();
  write_line_site(dir, "store: { path: " + db + ", clip_pre_s: 0, clip_post_s: 0 }\n");
  for (int i = 0; i < 2; ++i) {
    const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string());
    ASSERT_EQ(a.code, 0) << a.err;
  }
  const auto alerts = list_alerts(db);
  ASSERT_EQ(alerts.size(), 2u) << alerts.dump();
  EXPECT_NE(alerts[0]["id"], alerts[1]["id"]);
  EXPECT_NE(alerts[0]["run_id"], alerts[1]["run_id"]);  // and their tracks are told apart
  EXPECT_EQ(run("sqlite3 " + db + " 'SELECT COUNT(DISTINCT run_id) FROM tracks'").out, "2\n");
}

// A store that refuses the second run's events makes the run fail, saying how many.
TEST(Cli, EventsThatCouldNotBeStoredMakeAnalyzeFail) {
  const auto dir = temp_dir("not_stored");
  const std::string db = (dir / "a.db").string();
  write_line_site(dir, "store: { path: " + db + ", clip_pre_s: 0, clip_post_s: 0 }\n");
  ASSERT_EQ(run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string()).code, 0);
  ASSERT_EQ(run("sqlite3 " + db + " \"CREATE TRIGGER no_more BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, "
                "'disk says no'); END\"").code, 0);
  const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string());
  EXPECT_EQ(a.code, 1);
  EXPECT_THAT(a.err, HasSubstr("disk says no"));
  EXPECT_THAT(a.err, ::testing::ContainsRegex("[0-9]+ events .* could not be stored"));
}

// The defect: `--store elsewhere/s.db` wrote its snapshots to ./media of wherever the
// command ran, so the store pointed at files that lived somewhere else.
TEST(Cli, MediaGoBesideTheStoreNotInTheWorkingDirectory) {
  const auto dir = temp_dir("media_beside");
  fs::create_directories(dir / "work");
  fs::create_directories(dir / "elsewhere");
  write_line_site(dir, "store: { clip_pre_s: 0, clip_post_s: 0 }\n");
  const auto a = run("cd " + (dir / "work").string() + " && " + vigie_bin() + " analyze --quiet --config " +
                     (dir / "site.yaml").string() + " --store ../elsewhere/s.db");
  ASSERT_EQ(a.code, 0) << a.err;
  const auto alerts = list_alerts((dir / "elsewhere" / "s.db").string());
  ASSERT_EQ(alerts.size(), 1u);
  const fs::path snapshot = alerts[0]["snapshot_path"].get<std::string>();
  EXPECT_TRUE(snapshot.is_absolute()) << snapshot;
  EXPECT_TRUE(fs::exists(snapshot)) << snapshot;
  EXPECT_EQ(fs::canonical(snapshot).parent_path().parent_path(), fs::canonical(dir / "elsewhere" / "media"));
  EXPECT_FALSE(fs::exists(dir / "work" / "media"));
}

// The defect: SQLite said only "unable to open database file".
TEST(Cli, AStoreInAFolderThatDoesNotExistNamesTheFolder) {
  const auto dir = temp_dir("store_folder");
  write_line_site(dir, "");
  const auto a = run(vigie_bin() + " analyze --quiet --config " + (dir / "site.yaml").string() + " --store " +
                     (dir / "missing" / "s.db").string());
  EXPECT_EQ(a.code, 2);
  EXPECT_THAT(a.err, HasSubstr("folder '" + (dir / "missing").string() + "' does not exist"));
  EXPECT_EQ(lines(a.err), 1);
}

TEST(Cli, AuditVerifySaysWhatItProvedAndHeadPrintsTheSignedHead) {
  const auto dir = temp_dir("audit_cli");
  const std::string db = (dir / "v.db").string();
  for (const char* name : {"alice", "bob", "carol"})
    ASSERT_EQ(run("echo 'a long enough password' | " + vigie_bin() + " user add " + name + " --role operator --store " +
                  db).code, 0);
  auto v = run(vigie_bin() + " audit verify --store " + db);
  EXPECT_EQ(v.code, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("intact: 3 entries"));
  EXPECT_THAT(v.out, HasSubstr("authenticated with key '" + db + ".audit-key'"));
  const auto h = run(vigie_bin() + " audit head --json --store " + db);
  ASSERT_EQ(h.code, 0) << h.err;
  const auto head = nlohmann::json::parse(h.out);
  EXPECT_EQ(head["id"], 3);
  EXPECT_EQ(head["mac"].get<std::string>().size(), 64u);
  // Without the key, nothing is proven: not "ok".
  fs::rename(db + ".audit-key", dir / "offline.key");
  v = run(vigie_bin() + " audit verify --store " + db);
  EXPECT_EQ(v.code, 1);
  EXPECT_THAT(v.out, HasSubstr("NOT authenticated"));
  v = run(vigie_bin() + " audit verify --store " + db + " --audit-key " + (dir / "offline.key").string());
  EXPECT_EQ(v.code, 0) << v.out;
  // Cutting the tail is found.
  ASSERT_EQ(run("sqlite3 " + db + " 'DELETE FROM audit_log WHERE id > 1'").code, 0);
  v = run(vigie_bin() + " audit verify --store " + db + " --audit-key " + (dir / "offline.key").string());
  EXPECT_EQ(v.code, 1);
  EXPECT_THAT(v.out, HasSubstr("TAMPERED at entry 2"));
  EXPECT_THAT(v.out, HasSubstr("cut off"));
}

// The defect: a user named "evil\0admin" was created as "evil"; argv cannot carry a NUL,
// but other control characters (terminal escapes) are refused the same way.
TEST(Cli, UserAddRefusesControlCharactersBeforeAskingAPassword) {
  const auto dir = temp_dir("user_ctrl");
  const std::string db = (dir / "v.db").string();
  const auto r = run(vigie_bin() + " user add \"$(printf 'evil\\033[0madmin')\" --role admin --store " + db + " </dev/null");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("control characters"));
}

TEST(Cli, EvalMotJson) {
  const auto dir = temp_dir("eval");
  std::ofstream(dir / "gt.txt") << "1,1,0,0,10,10,1\n2,1,0,0,10,10,1\n";
  std::ofstream(dir / "h.txt") << "1,5,0,0,10,10,1\n";
  const auto r = run(vigie_bin() + " eval-mot --gt " + (dir / "gt.txt").string() + " --tracks " +
                     (dir / "h.txt").string() + " --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_DOUBLE_EQ(j["mota"].get<double>(), 0.5);
  EXPECT_EQ(j["fn"], 1);
}

TEST(Cli, EvalMotMissingFileIsAnError) {
  const auto r = run(vigie_bin() + " eval-mot --gt /nonexistent/gt.txt --tracks /nonexistent/t.txt");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/gt.txt"));
}

}  // namespace
}  // namespace vigie::testing
