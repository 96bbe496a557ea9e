#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/test_data.h"
#include "events/store.h"
#include "record/export.h"
#include "record/recorder.h"
#include "record/retention.h"
#include "record/sealed_file.h"
#include "video/source.h"

extern "C" {
#include <libavcodec/packet.h>
}

namespace vigie::record {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

SecretKey key_of_byte(unsigned char b) {
  SecretKey k{};
  k.fill(b);
  return k;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

std::string run(const std::string& command) {
  std::string out;
  FILE* f = popen(command.c_str(), "r");
  if (!f) return out;
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), f)) out.append(buf.data(), n);
  pclose(f);
  return out;
}

// --- Sealed files -------------------------------------------------------------------------

TEST(SealedFile, ReadsBackWhatWasWrittenAndSaysWhenItIsCutShort) {
  const auto dir = vigie::testing::fresh_temp_dir("sealed_roundtrip");
  const auto path = (dir / "a.sealed").string();
  const SecretKey key = camera_key(key_of_byte(7), "cam");
  auto w = SealedWriter::create(path, key);
  ASSERT_TRUE(w) << w.error().message;
  const std::string one(1000, 'x'), two = "second chunk";
  ASSERT_TRUE((*w)->write(reinterpret_cast<const uint8_t*>(one.data()), one.size()));
  const int64_t after_one = (*w)->bytes();
  ASSERT_TRUE((*w)->write(reinterpret_cast<const uint8_t*>(two.data()), two.size()));
  ASSERT_TRUE((*w)->finish());
  EXPECT_EQ((*w)->bytes(), static_cast<int64_t>(fs::file_size(path)));
  EXPECT_EQ((*w)->sha256(), *file_sha256(path));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);

  auto back = unseal_file(path, key);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->plain, one + two);
  EXPECT_TRUE(back->complete);
  // Nothing of the plain text is on disk.
  EXPECT_EQ(read_file(path).find("second chunk"), std::string::npos);

  // Cut anywhere inside the second chunk: the first is whole, and it says so.
  const std::string bytes = read_file(path);
  for (int64_t cut : {after_one, after_one + 3, after_one + 20, static_cast<int64_t>(bytes.size()) - 1}) {
    write_file(dir / "cut.sealed", bytes.substr(0, static_cast<size_t>(cut)));
    auto part = unseal_file((dir / "cut.sealed").string(), key);
    ASSERT_TRUE(part) << part.error().message;
    EXPECT_FALSE(part->complete);
    EXPECT_EQ(part->plain, cut < static_cast<int64_t>(bytes.size()) - 21 ? one : one + two) << cut;
    EXPECT_EQ(part->whole_bytes, cut < static_cast<int64_t>(bytes.size()) - 21 ? after_one : bytes.size() - 21);
  }
}

TEST(SealedFile, RefusesAlteredBytesAnotherCamerasKeyAndStrangers) {
  const auto dir = vigie::testing::fresh_temp_dir("sealed_refusals");
  const auto path = (dir / "a.sealed").string();
  const SecretKey master = key_of_byte(1);
  auto w = SealedWriter::create(path, camera_key(master, "north"));
  ASSERT_TRUE(w);
  const std::string text = "frames";
  ASSERT_TRUE((*w)->write(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  ASSERT_TRUE((*w)->finish());
  EXPECT_FALSE(SealedWriter::create(path, master)) << "an existing recording is never overwritten";

  auto other = unseal_file(path, camera_key(master, "south"));
  ASSERT_FALSE(other);
  EXPECT_THAT(other.error().message, HasSubstr("fails authentication"));

  std::string bytes = read_file(path);
  bytes[40] ^= 1;
  write_file(dir / "altered.sealed", bytes);
  EXPECT_FALSE(unseal_file((dir / "altered.sealed").string(), camera_key(master, "north")));

  write_file(dir / "longer.sealed", read_file(path) + "more");
  auto longer = unseal_file((dir / "longer.sealed").string(), camera_key(master, "north"));
  ASSERT_FALSE(longer);
  EXPECT_THAT(longer.error().message, HasSubstr("after its end"));

  write_file(dir / "plain.mp4", "not sealed at all, just some bytes");
  auto plain = unseal_file((dir / "plain.mp4").string(), master);
  ASSERT_FALSE(plain);
  EXPECT_THAT(plain.error().message, HasSubstr("not a sealed recording"));
  EXPECT_FALSE(unseal_file((dir / "missing").string(), master));
}

TEST(SegmentName, SortsInTimeAndReadsBack) {
  EXPECT_EQ(segment_file_name(1764633600.25), "20251202T000000.250Z.mp4.sealed");
  EXPECT_DOUBLE_EQ(*segment_start_of("20251202T000000.250Z.mp4.sealed"), 1764633600.25);
  EXPECT_DOUBLE_EQ(*segment_start_of("20251202T000000.250Z.mp4.sealed.open"), 1764633600.25);
  EXPECT_LT(segment_file_name(1764633599.999), segment_file_name(1764633600));
  for (const char* bad : {"", "x.mp4.sealed", "20251202T000000Z.mp4.sealed", "20251202T000000.250Z.mp4",
                          "20251202T000000.250Z.mp4.sealed.bak"})
    EXPECT_FALSE(segment_start_of(bad)) << bad;
}

// --- Recording a stream ---------------------------------------------------------------------

// 30 s of vtest.avi as H.264 with B-frames, a key frame every 2 s (as cameras send).
std::string h264_fixture(const fs::path& dir) {
  const std::string vtest = vigie::testing::vtest_avi();
  if (vtest.empty() || run("command -v ffmpeg").empty()) return {};
  const auto out = (dir / "camera.mp4").string();
  run("ffmpeg -loglevel error -y -i '" + vtest + "' -t 30 -c:v libx264 -preset ultrafast -g 20 -bf 2 -an '" + out +
      "'");
  return fs::exists(out) ? out : std::string();
}

// The camera "gate" of host csu-1, recorded into dir/rec in segments of `segment_seconds`,
// its clock stopped at t0 (a file is read faster than it plays).
RecorderOptions gate_camera(const fs::path& dir, double segment_seconds, double t0) {
  RecorderOptions o;
  o.camera = "gate", o.host = "csu-1", o.root = dir / "rec", o.segment_seconds = segment_seconds;
  o.key = camera_key(key_of_byte(4), "gate");
  o.clock = [t0] { return t0; };
  return o;
}

struct Recorded {
  std::vector<events::SegmentRow> segments;
  std::vector<std::string> errors;
  int64_t frames = 0, packet_bytes = 0, written = 0;
};

Recorded record_file(const std::string& input, RecorderOptions options) {
  Recorded out;
  options.on_segment = [&](const events::SegmentRow& s) { out.segments.push_back(s); };
  options.on_error = [&](const std::string& e) { out.errors.push_back(e); };
  Recorder recorder(options);
  {
    video::SourceOptions so;
    so.tap = &recorder;
    auto source = video::open_source(input, so);
    if (!source) {
      out.errors.push_back(source.error().message);
      return out;
    }
    Frame f;
    while ((*source)->read(f).status == video::ReadStatus::kFrame) ++out.frames;
  }  // the source ends its stream: the last segment is finished
  out.packet_bytes = recorder.packet_bytes();
  out.written = recorder.packets_written();
  return out;
}

// What ffprobe reads in an unsealed segment: packets and duration, and anything it
// complains about.
struct Probe {
  int packets = 0;
  double duration = 0;
  std::string complaints;
};
Probe ffprobe(const fs::path& mp4) {
  Probe p;
  const std::string out = run("ffprobe -v error -count_packets -show_entries stream=nb_read_packets:format=duration "
                              "-of default=nw=1 '" + mp4.string() + "' 2>&1");
  for (std::istringstream lines(out); !lines.eof();) {
    std::string line;
    std::getline(lines, line);
    if (line.rfind("nb_read_packets=", 0) == 0) p.packets = std::stoi(line.substr(16));
    else if (line.rfind("duration=", 0) == 0) p.duration = std::stod(line.substr(9));
    else if (!line.empty()) p.complaints += line + "\n";
  }
  return p;
}

TEST(Recorder, SegmentsFollowEachOtherWithoutGapHoldEveryPacketAndCostTheStreamsBytes) {
  const auto dir = vigie::testing::fresh_temp_dir("recorder_segments");
  const std::string input = h264_fixture(dir);
  VIGIE_REQUIRE_FILE(input, "vtest.avi with ffmpeg and ffprobe (Debian opencv-doc, ffmpeg)");
  const RecorderOptions o = gate_camera(dir, 10, 1764633600.0);
  const Recorded r = record_file(input, o);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  ASSERT_EQ(r.frames, 300);
  EXPECT_EQ(r.written, 300);
  ASSERT_EQ(r.segments.size(), 3u);

  auto store = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store) << store.error().message;
  int probed_packets = 0;
  int64_t sealed_bytes = 0;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const auto& s = r.segments[i];
    SCOPED_TRACE(s.path);
    EXPECT_EQ(s.camera, "gate");
    EXPECT_EQ(fs::path(s.path).parent_path(), "gate");
    EXPECT_EQ(s.path, "gate/" + segment_file_name(s.start_epoch));
    // Continuity: each begins where the one before ended, from the clock's time on.
    EXPECT_DOUBLE_EQ(s.start_epoch, i == 0 ? 1764633600.0 : r.segments[i - 1].end_epoch);
    EXPECT_EQ(s.bytes, static_cast<int64_t>(fs::file_size(o.root / s.path)));
    EXPECT_EQ(s.sha256, *file_sha256((o.root / s.path).string()));
    sealed_bytes += s.bytes;
    ASSERT_TRUE((*store)->record_segment(s));

    auto plain = unseal_file((o.root / s.path).string(), o.key);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_TRUE(plain->complete);
    const auto mp4 = dir / ("segment" + std::to_string(i) + ".mp4");
    write_file(mp4, plain->plain);
    const Probe p = ffprobe(mp4);
    EXPECT_EQ(p.complaints, "");
    EXPECT_NEAR(p.duration, s.end_epoch - s.start_epoch, 0.101);
    probed_packets += p.packets;
    // Every packet decodes.
    auto decoded = video::open_source(mp4.string());
    ASSERT_TRUE(decoded);
    Frame f;
    int frames = 0;
    while ((*decoded)->read(f).status == video::ReadStatus::kFrame) ++frames;
    EXPECT_EQ(frames, p.packets);
  }
  EXPECT_EQ(probed_packets, 300);
  EXPECT_NEAR(r.segments.back().end_epoch - r.segments.front().start_epoch, 30.0, 1e-6);
  // On disk: the stream's own bytes, within 2 % (MP4 boxes and sealing add the rest).
  std::printf("recorded: %lld bytes on disk for %lld bytes of stream (+%.2f %%)\n",
              static_cast<long long>(sealed_bytes), static_cast<long long>(r.packet_bytes),
              100.0 * (sealed_bytes - r.packet_bytes) / r.packet_bytes);
  EXPECT_GT(sealed_bytes, r.packet_bytes);
  EXPECT_LT(sealed_bytes, r.packet_bytes * 1.02) << sealed_bytes << " for " << r.packet_bytes << " bytes of stream";
  // The index finds them by time.
  EXPECT_EQ((*store)->segments("gate", 1764633605, 1764633612)->size(), 2u);
  EXPECT_EQ((*store)->segments("gate", 1764633640, 1764633650)->size(), 0u);
  EXPECT_EQ((*store)->segments("other", 0, 2e9)->size(), 0u);
  EXPECT_EQ(*(*store)->recorded_bytes("gate", "csu-1"), sealed_bytes);
  // Read back as if their rows had been lost (the process died before writing them):
  // the same rows, and the files untouched; with the index unreadable, nothing is done.
  const std::set<std::string> none;
  const Recovery found = recover_segments(o.root, "gate", "csu-1", o.key, &none);
  EXPECT_TRUE(found.errors.empty());
  EXPECT_EQ(found.segments, r.segments);
  EXPECT_TRUE(recover_segments(o.root, "gate", "csu-1", o.key, nullptr).segments.empty());
  // One recorder or recovery of a camera at a time.
  auto lock = FolderLock::take(o.root / "gate");
  ASSERT_TRUE(lock) << lock.error().message;
  auto second = FolderLock::take(o.root / "gate");
  ASSERT_FALSE(second);
  EXPECT_THAT(second.error().message, HasSubstr("another runner"));
  lock->reset();
  EXPECT_TRUE(FolderLock::take(o.root / "gate"));
}

TEST(Recorder, ALiveCamerasClockThatDriftsIsDatedAgainByOursAtTheNextSegment) {
  const auto dir = vigie::testing::fresh_temp_dir("recorder_drift");
  const std::string input = h264_fixture(dir);
  VIGIE_REQUIRE_FILE(input, "vtest.avi with ffmpeg and ffprobe (Debian opencv-doc, ffmpeg)");
  RecorderOptions o = gate_camera(dir, 10, 0);
  o.live = true;
  // Our clock at each reading: the first packet, then the two rollovers. The camera's
  // 10 s took 10.5 s of ours (within 2 s: kept), then 15 s (re-dated).
  std::vector<double> readings = {1000, 1010.5, 1025};
  size_t reads = 0;
  o.clock = [&] { return readings.at(std::min(reads++, readings.size() - 1)); };
  const Recorded r = record_file(input, o);
  ASSERT_EQ(r.segments.size(), 3u);
  EXPECT_DOUBLE_EQ(r.segments[0].start_epoch, 1000);
  EXPECT_DOUBLE_EQ(r.segments[1].start_epoch, 1010);  // 0.5 s apart: the camera's clock goes on
  EXPECT_DOUBLE_EQ(r.segments[1].end_epoch, 1020);
  EXPECT_DOUBLE_EQ(r.segments[2].start_epoch, 1025);  // 5 s apart: ours, the gap in the index
  EXPECT_NEAR(r.segments[2].end_epoch, 1035, 1e-6);
}

TEST(Recorder, AKilledRecorderLeavesEveryFinishedFragmentPlayable) {
  const auto dir = vigie::testing::fresh_temp_dir("recorder_killed");
  const std::string input = h264_fixture(dir);
  VIGIE_REQUIRE_FILE(input, "vtest.avi with ffmpeg and ffprobe (Debian opencv-doc, ffmpeg)");
  const RecorderOptions o = gate_camera(dir, 60, 1764633600.0);
  // In a child, the process is killed (SIGKILL: no destructor, no flush) after 167 packets,
  // in the middle of a fragment.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    struct KillingTap final : video::PacketTap {
      Recorder inner;
      int n = 0;
      explicit KillingTap(RecorderOptions o) : inner(std::move(o)) {}
      void begin_stream(const AVCodecParameters& c, int a, int b) override { inner.begin_stream(c, a, b); }
      void packet(const AVPacket& p) override {
        inner.packet(p);
        if (++n == 167) ::kill(::getpid(), SIGKILL);
      }
      void end_stream() override { inner.end_stream(); }
    } tap(o);
    video::SourceOptions so;
    so.tap = &tap;
    auto source = video::open_source(input, so);
    Frame f;
    while (source && (*source)->read(f).status == video::ReadStatus::kFrame) {
    }
    _exit(3);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

  std::vector<fs::path> open;
  for (const auto& e : fs::directory_iterator(o.root / "gate")) open.push_back(e.path());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_THAT(open[0].string(), ::testing::EndsWith(".mp4.sealed.open"));

  const std::set<std::string> none_indexed;
  EXPECT_TRUE(recover_segments(o.root, "other", "csu-1", o.key, &none_indexed).segments.empty());
  const Recovery rec = recover_segments(o.root, "gate", "csu-1", o.key, &none_indexed);
  ASSERT_TRUE(rec.errors.empty()) << rec.errors.front();
  ASSERT_EQ(rec.segments.size(), 1u);
  const auto& s = rec.segments[0];
  EXPECT_FALSE(fs::exists(open[0]));
  EXPECT_DOUBLE_EQ(s.start_epoch, 1764633600.0);
  EXPECT_EQ(s.bytes, static_cast<int64_t>(fs::file_size(o.root / s.path)));
  EXPECT_EQ(s.sha256, *file_sha256((o.root / s.path).string()));
  auto plain = unseal_file((o.root / s.path).string(), o.key);
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->complete);
  write_file(dir / "recovered.mp4", plain->plain);
  const Probe p = ffprobe(dir / "recovered.mp4");
  EXPECT_EQ(p.complaints, "");
  // Fragments end at each key frame (every 20 packets) or second: all of the 160 packets
  // before the last key frame are there; not one that was never written.
  EXPECT_GE(p.packets, 160);
  EXPECT_LE(p.packets, 167);
  EXPECT_NEAR(s.end_epoch - s.start_epoch, p.packets / 10.0, 0.101);
  auto decoded = video::open_source((dir / "recovered.mp4").string());
  ASSERT_TRUE(decoded);
  Frame f;
  int frames = 0;
  while ((*decoded)->read(f).status == video::ReadStatus::kFrame) ++frames;
  EXPECT_EQ(frames, p.packets);
  // A second recovery finds nothing left to do.
  // Once indexed, a second recovery finds nothing left to do; not indexed (the process
  // died before its row was written), it is found again, the same.
  const std::set<std::string> indexed = {s.path};
  EXPECT_TRUE(recover_segments(o.root, "gate", "csu-1", o.key, &indexed).segments.empty());
  const Recovery again = recover_segments(o.root, "gate", "csu-1", o.key, &none_indexed);
  ASSERT_EQ(again.segments.size(), 1u);
  EXPECT_EQ(again.segments[0], s);
  EXPECT_EQ(s.host, "csu-1");
}

TEST(Recorder, ACodecMp4CannotHoldIsSaidOnceAndLeavesNoFile) {
  const std::string vtest = vigie::testing::vtest_avi();  // MS-MPEG4 v3 in AVI
  VIGIE_REQUIRE_FILE(vtest, "vtest.avi (Debian opencv-doc)");
  const auto dir = vigie::testing::fresh_temp_dir("recorder_codec");
  RecorderOptions o;
  o.camera = "old", o.root = dir / "rec", o.key = key_of_byte(9);
  o.clock = [] { return 1.7e9; };
  const Recorded r = record_file(vtest, o);
  EXPECT_EQ(r.frames, 795);  // analysis is not stopped by recording's failure
  EXPECT_TRUE(r.segments.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0], HasSubstr("cannot record msmpeg4v3 as MP4"));
  EXPECT_TRUE(fs::is_empty(o.root / "old"));
}

// --- Export ---------------------------------------------------------------------------------

// Three 10-s segments of the camera "gate", recorded from 30 s of H.264.
class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = vigie::testing::fresh_temp_dir(std::string("recording_export_") +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    const std::string input = h264_fixture(dir);
    VIGIE_REQUIRE_FILE(input, "vtest.avi with ffmpeg and ffprobe (Debian opencv-doc, ffmpeg)");
    o = gate_camera(dir, 10, t0);
    r = record_file(input, o);
    ASSERT_EQ(r.segments.size(), 3u);
  }
  const double t0 = 1764633600;
  fs::path dir;
  RecorderOptions o;
  Recorded r;
};

TEST_F(Export, ARangeAcrossSegmentsComesOutMaskedWithItsManifestAndNothingElse) {
  const std::vector<Polygon> masks = {{{100, 100}, {400, 100}, {400, 350}, {100, 350}}};
  ExportRequest q;
  q.camera = "gate", q.from_epoch = t0 + 5, q.to_epoch = t0 + 17, q.case_reference = "PV-2026-0042";
  q.requester = "OPJ Martin", q.exported_by = "operator", q.out = dir / "export.mp4";
  size_t progress_calls = 0;
  auto done = export_masked(o.root, o.key, masks, r.segments, q, [&](size_t, size_t total) {
    ++progress_calls;
    EXPECT_EQ(total, 2u);
  });
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(progress_calls, 2u);  // the two segments the range touches
  ASSERT_EQ(done->sources.size(), 2u);
  EXPECT_NEAR(done->frames, 121, 1);  // 5.0 s to 17.0 s at 10 fps
  EXPECT_NEAR(done->first_epoch, t0 + 5, 0.051);
  EXPECT_NEAR(done->last_epoch, t0 + 17, 0.051);
  EXPECT_EQ(done->sha256, *file_sha256(q.out.string()));
  EXPECT_FALSE(fs::exists(q.out.string() + ".part"));

  // Every frame: black under the mask (its inside, away from the codec's edge blur), the
  // street around it.
  auto video = video::open_source(q.out.string());
  ASSERT_TRUE(video);
  Frame f;
  int frames = 0;
  const cv::Rect inside(104, 104, 292, 242), outside(450, 0, 318, 576);
  while ((*video)->read(f).status == video::ReadStatus::kFrame) {
    ++frames;
    double lo = 0, hi = 0;
    cv::minMaxLoc(f.image(inside).reshape(1), &lo, &hi);
    ASSERT_LE(hi, 24) << "masked pixels in exported frame " << frames;
    EXPECT_GT(cv::mean(f.image(outside))[1], 40) << frames;
  }
  EXPECT_EQ(frames, done->frames);

  const auto manifest = nlohmann::json::parse(read_file(done->manifest));
  EXPECT_EQ(manifest["format"], "vigie.export/1");
  EXPECT_EQ(manifest["case_reference"], "PV-2026-0042");
  EXPECT_EQ(manifest["requester"], "OPJ Martin");
  EXPECT_EQ(manifest["file"]["sha256"], done->sha256);
  EXPECT_EQ(manifest["frames"], done->frames);
  EXPECT_EQ(manifest["privacy_masks_applied"], 1);
  ASSERT_EQ(manifest["sources"].size(), 2u);
  EXPECT_EQ(manifest["sources"][1]["sha256"], r.segments[1].sha256);
  EXPECT_EQ(done->manifest_sha256, *file_sha256(done->manifest.string()));
  const auto audit = nlohmann::json::parse(export_audit_detail(q, *done));
  EXPECT_EQ(audit["case_reference"], "PV-2026-0042");
  EXPECT_EQ(audit["sha256"], done->sha256);

  // The same name again: refused, the first export untouched.
  auto again = export_masked(o.root, o.key, masks, r.segments, q);
  ASSERT_FALSE(again);
  EXPECT_THAT(again.error().message, HasSubstr("exists"));
  EXPECT_EQ(*file_sha256(q.out.string()), done->sha256);
}

TEST_F(Export, RefusesWithoutCaseOrRequesterOutsideTheRecordingAndAnAlteredSegment) {
  ExportRequest q;
  q.camera = "gate", q.from_epoch = t0 + 12, q.to_epoch = t0 + 14, q.case_reference = "PV-1", q.requester = "OPJ";
  q.out = dir / "out.mp4";
  auto refused = [&](ExportRequest changed, const SecretKey& key, const char* why) {
    auto e = export_masked(o.root, key, {}, r.segments, changed);
    ASSERT_FALSE(e) << why;
    EXPECT_THAT(e.error().message, HasSubstr(why));
    EXPECT_FALSE(fs::exists(changed.out));
    EXPECT_FALSE(fs::exists(changed.out.string() + ".part"));
  };
  ExportRequest no_case = q;
  no_case.case_reference.clear();
  refused(no_case, o.key, "case reference");
  ExportRequest no_requester = q;
  no_requester.requester.clear();
  refused(no_requester, o.key, "requester");
  ExportRequest backwards = q;
  std::swap(backwards.from_epoch, backwards.to_epoch);
  refused(backwards, o.key, "end is after its start");
  ExportRequest later = q;
  later.from_epoch = t0 + 100, later.to_epoch = t0 + 200;
  refused(later, o.key, "no recording between");
  ExportRequest other = q;
  other.camera = "south";
  refused(other, o.key, "no recording between");
  refused(q, camera_key(key_of_byte(4), "south"), "fails authentication");
  // The middle segment altered on disk after it was indexed.
  std::string bytes = read_file(o.root / r.segments[1].path);
  bytes[bytes.size() / 2] ^= 0x20;
  write_file(o.root / r.segments[1].path, bytes);
  refused(q, o.key, "not the file indexed");
}

// The original pixels need two people: refused while the request is pending, refused when
// the auditor refused, refused to the account that asked; once approved, one export, with
// the street under the mask, and no second one.
TEST_F(Export, TheUnmaskedExportNeedsASecondPersonsApprovalAndIsMadeOnce) {
  auto store = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store) << store.error().message;
  auto ask = [&] {
    events::UnmaskedRequest q;
    q.camera = "gate", q.from_epoch = t0 + 5, q.to_epoch = t0 + 9, q.case_reference = "PV-2026-0043";
    q.requester = "Juge Durand", q.reason = "identify the driver: the mask covers the car park";
    q.requested_by = "supervisor1", q.requested_epoch = t0 + 100;
    EXPECT_TRUE((*store)->request_unmasked(q));
    return q;
  };
  auto unmasked = [&](const events::UnmaskedRequest& q, const fs::path& out) {
    return export_unmasked(o.root, o.key, **store, q.id, r.segments, "operator", out, t0 + 300);
  };
  auto refused = [&](const events::UnmaskedRequest& q, const char* why) {
    const fs::path out = dir / ("refused-" + q.id + ".mp4");
    auto e = unmasked(q, out);
    ASSERT_FALSE(e) << why;
    EXPECT_THAT(e.error().message, HasSubstr(why));
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(out.string() + ".manifest.json"));
  };

  const auto pending = ask();
  refused(pending, "not approved yet");
  events::UnmaskedRequest missing = pending;
  missing.id = "no-such-request";
  refused(missing, "no unmasked export request");
  // The account that asked cannot approve its own request.
  auto self = (*store)->decide_unmasked(pending.id, true, "supervisor1", "mine", t0 + 150);
  ASSERT_FALSE(self);
  EXPECT_THAT(self.error().message, HasSubstr("another person"));
  refused(pending, "not approved yet");

  const auto denied = ask();
  ASSERT_TRUE((*store)->decide_unmasked(denied.id, false, "auditor1", "no judge's order attached", t0 + 160));
  refused(denied, "refused by auditor1");
  EXPECT_FALSE((*store)->decide_unmasked(denied.id, true, "auditor2", "changed my mind", t0 + 170));

  auto approved = (*store)->decide_unmasked(pending.id, true, "auditor1", "order PV-2026-0043 seen", t0 + 200);
  ASSERT_TRUE(approved) << approved.error().message;
  const fs::path out = dir / "unmasked.mp4";
  auto done = unmasked(pending, out);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_NEAR(done->frames, 41, 1);  // the request's range, 5 s to 9 s at 10 fps
  // The pixels the camera's mask would hide are there: the street, not black.
  auto video = video::open_source(out.string());
  ASSERT_TRUE(video);
  Frame f;
  ASSERT_EQ((*video)->read(f).status, video::ReadStatus::kFrame);
  EXPECT_GT(cv::mean(f.image(cv::Rect(104, 104, 292, 242)))[1], 40);
  const auto manifest = nlohmann::json::parse(read_file(done->manifest));
  EXPECT_EQ(manifest["privacy_masks_applied"], 0);
  EXPECT_EQ(manifest["unmasked"]["request"], pending.id);
  EXPECT_EQ(manifest["unmasked"]["requested_by"], "supervisor1");
  EXPECT_EQ(manifest["unmasked"]["approved_by"], "auditor1");
  EXPECT_EQ(manifest["case_reference"], "PV-2026-0043");
  auto used = (*store)->unmasked_request(pending.id);
  ASSERT_TRUE(used && *used);
  EXPECT_EQ((*used)->state, events::UnmaskedRequest::State::kUsed);
  EXPECT_EQ((*used)->used_epoch, t0 + 300);
  // One approval, one export.
  refused(pending, "used already");

  // An export that fails after taking the approval (no segment to read) gives it back,
  // and leaves no file.
  const auto second = ask();
  ASSERT_TRUE((*store)->decide_unmasked(second.id, true, "auditor1", "ok", t0 + 210));
  const fs::path failed = dir / "failed.mp4";
  auto nothing = export_unmasked(o.root, o.key, **store, second.id, {}, "operator", failed, t0 + 310);
  ASSERT_FALSE(nothing);
  EXPECT_THAT(nothing.error().message, HasSubstr("no recording between"));
  EXPECT_EQ((*(*store)->unmasked_request(second.id))->state, events::UnmaskedRequest::State::kApproved);
  for (const auto& f : {failed, fs::path(failed.string() + ".part"), fs::path(failed.string() + ".manifest.json")})
    EXPECT_FALSE(fs::exists(f)) << f;
  EXPECT_EQ(done->unmasked->id, pending.id);
  EXPECT_EQ(done->unmasked->decided_by, "auditor1");
  ASSERT_TRUE((*store)->use_unmasked(second.id, t0 + 400));
  EXPECT_TRUE((*store)->release_unmasked(second.id));
  EXPECT_EQ((*(*store)->unmasked_request(second.id))->state, events::UnmaskedRequest::State::kApproved);
  // A supervisor's own requests, whoever else asks: all three are supervisor1's.
  events::UnmaskedRequest other = second;
  other.requested_by = "supervisor2";
  ASSERT_TRUE((*store)->request_unmasked(other));
  auto mine = (*store)->unmasked_requests(1000, "supervisor1");
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->size(), 3u);
  for (const auto& m : *mine) EXPECT_EQ(m.requested_by, "supervisor1");
  EXPECT_EQ((*store)->unmasked_requests(1000, "supervisor2")->size(), 1u);
  EXPECT_EQ((*store)->unmasked_requests()->size(), 4u);
}

// --- Retention and quota --------------------------------------------------------------------

TEST(RecordingLimits, RetentionThenQuotaDeleteACamerasOldestFirstAndNoOtherCamerasFiles) {
  const auto dir = vigie::testing::fresh_temp_dir("recording_limits");
  auto store = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store) << store.error().message;
  const double day = 86400, now = 1764633600;
  // Two cameras, a segment every 10 days back to 40 days ago, 1000 bytes each.
  std::vector<events::SegmentRow> all;
  for (const std::string camera : {"a", "b"}) {
    fs::create_directories(dir / "rec" / camera);
    for (int age : {40, 31, 20, 10, 0}) {
      const double end = now - age * day;
      events::SegmentRow s{camera + "/" + segment_file_name(end - 60), camera, end - 60, end, 1000, "h", "csu-1"};
      write_file(dir / "rec" / s.path, std::string(1000, 's'));
      ASSERT_TRUE((*store)->record_segment(s));
      all.push_back(s);
    }
  }
  auto exists = [&](const events::SegmentRow& s) { return fs::exists(dir / "rec" / s.path); };
  // 30 days: a's 40- and 31-day-old ones go; b's stay (another camera's, maybe another machine's).
  auto r = enforce_limits(**store, dir / "rec", "a", "csu-1", now, Limits{30, 0});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->segments_deleted, 2);
  EXPECT_EQ(r->bytes_deleted, 2000);
  EXPECT_EQ(*(*store)->recorded_bytes("a", "csu-1"), 3000);
  EXPECT_EQ(*(*store)->recorded_bytes("b", "csu-1"), 5000);
  for (const auto& s : all) EXPECT_EQ(exists(s), s.camera == "b" || s.end_epoch >= now - 30 * day) << s.path;
  // A quota of 1500 bytes: a's 20- and 10-day-old ones go, today's stays.
  r = enforce_limits(**store, dir / "rec", "a", "csu-1", now, Limits{30, 1500});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->segments_deleted, 2);
  const auto left = (*store)->oldest_segments("a", "csu-1", 100);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_DOUBLE_EQ((*left)[0].end_epoch, now);
  EXPECT_TRUE(exists(all[4]));
  EXPECT_EQ((*store)->oldest_segments("b", "csu-1", 100)->size(), 5u);
  // Time moves on (the clock is the caller's): 31 days later, nothing of a's is left.
  r = enforce_limits(**store, dir / "rec", "a", "csu-1", now + 31 * day, Limits{30, 1500});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->segments_deleted, 1);
  EXPECT_TRUE((*store)->oldest_segments("a", "csu-1", 100)->empty());
  EXPECT_TRUE(fs::is_empty(dir / "rec" / "a"));
  // A file already gone is no error: its row goes.
  fs::remove(dir / "rec" / all[5].path);
  r = enforce_limits(**store, dir / "rec", "b", "csu-1", now, Limits{30, 0});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->segments_deleted, 2);
  EXPECT_EQ(*(*store)->recorded_bytes("b", "csu-1"), 3000);
}

TEST(RecordingLimits, OnlyThisMachinesFilesAndOnlyUnderTheCamerasFolderAreDeleted) {
  const auto dir = vigie::testing::fresh_temp_dir("recording_limits_paths");
  auto store = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store) << store.error().message;
  const double now = 1764633600, old = now - 40 * 86400;
  fs::create_directories(dir / "rec" / "a");
  write_file(dir / "precious.txt", "not a recording");
  write_file(dir / "rec" / "a" / "notes.txt", "not a segment");
  const std::string name = segment_file_name(old);
  write_file(dir / "rec" / "a" / name, "sealed");
  fs::create_directories(dir / "rec" / "b");
  write_file(dir / "rec" / "b" / name, "sealed");
  write_file(dir / "rec" / "a" / (name + ".open"), "being written");
  const std::vector<events::SegmentRow> rows = {
      {"a/" + name, "a", old, old + 60, 6, "h", "csu-2"},                          // on another machine's disk
      {"../precious.txt", "a", old, old + 61, 15, "h", "csu-1"},                   // outside the folder
      {(dir / "precious.txt").string(), "a", old, old + 62, 15, "h", "csu-1"},     // absolute
      {"a/notes.txt", "a", old, old + 63, 13, "h", "csu-1"},                       // not a segment's name
      {"b/" + name, "a", old, old + 64, 6, "h", "csu-1"},                          // another camera's folder
      {"a/" + name + ".open", "a", old, old + 65, 6, "h", "csu-1"}};               // still being written
  for (const auto& r : rows) ASSERT_TRUE((*store)->record_segment(r));
  auto r = enforce_all(**store, dir / "rec", "csu-1", now, Limits{30, 0});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->segments_deleted, 5);  // their rows; no file
  EXPECT_TRUE(fs::exists(dir / "precious.txt"));
  EXPECT_TRUE(fs::exists(dir / "rec" / "b" / name));
  EXPECT_TRUE(fs::exists(dir / "rec" / "a" / (name + ".open")));
  EXPECT_TRUE(fs::exists(dir / "rec" / "a" / "notes.txt"));
  EXPECT_TRUE(fs::exists(dir / "rec" / "a" / name)) << "csu-2's segment, deleted by csu-1";
  EXPECT_EQ((*store)->oldest_segments("a", "csu-2", 10)->size(), 1u);
  EXPECT_TRUE((*store)->oldest_segments("a", "csu-1", 10)->empty());
  EXPECT_EQ(*(*store)->recorded_cameras("csu-2"), std::vector<std::string>{"a"});
  EXPECT_TRUE((*store)->recorded_cameras("csu-1")->empty());
}

// The console's exports wait a week for their download, then go; younger ones stay.
TEST(RecordingLimits, ConsoleExportsGoAfterAWeek) {
  const auto dir = vigie::testing::fresh_temp_dir("recording_limits_exports");
  auto store = events::Store::open((dir / "v.db").string());
  ASSERT_TRUE(store) << store.error().message;
  const double now = 1764633600;
  const fs::path exports = console_exports_folder(dir / "rec");
  fs::create_directories(exports);
  const auto written = [&](const std::string& name, double days_ago) {
    write_file(exports / name, "video");
    const auto at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::duration<double>(now - days_ago * 86400)));
    fs::last_write_time(exports / name, std::chrono::file_clock::from_sys(at));
  };
  written("export-old.mp4", 8);
  written("export-old.mp4.manifest.json", 8);
  written("export-new.mp4", 6);
  auto r = enforce_all(**store, dir / "rec", "csu-1", now, Limits{30, 0});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exports_deleted, 2);
  EXPECT_FALSE(fs::exists(exports / "export-old.mp4"));
  EXPECT_FALSE(fs::exists(exports / "export-old.mp4.manifest.json"));
  EXPECT_TRUE(fs::exists(exports / "export-new.mp4"));
}

}  // namespace
}  // namespace vigie::record
