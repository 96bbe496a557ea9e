// A camera with a microphone, live: vigie-camsim serves a clip whose sound has a loud
// stretch as RTSP (H.264 + Opus); `vigie analyze rtsp://…` with a sound_level rule stores
// an alert with a WAV clip while the stream plays.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/test_data.h"
#include "run.h"

namespace vigie::testing {
namespace {
namespace fs = std::filesystem;

// 20 s of a test pattern; the sound is faint noise with 3 s of loud noise from 6 s.
fs::path clip_with_sound(const fs::path& dir) {
  const auto clip = dir / "mic.mp4";
  const auto r = run("ffmpeg -loglevel error -y -f lavfi -i testsrc2=size=320x240:rate=10:duration=20 -f lavfi -i "
                     "\"aevalsrc=0.003*(2*random(0)-1)+if(between(t\\,6\\,9)\\,0.4*(2*random(1)-1)\\,0):s=48000:d=20\" "
                     "-c:v libx264 -pix_fmt yuv420p -c:a aac -shortest " + clip.string());
  EXPECT_EQ(r.code, 0) << r.err;
  return clip;
}

TEST(LiveAudio, ALoudStretchOnAStreamIsASoundAlertWithAClip) {
  if (!fs::exists(camsim_bin())) GTEST_SKIP() << "skipped: vigie-camsim was not built (no GStreamer RTSP server)";
  const auto dir = fresh_temp_dir("live_audio");
  const auto clip = clip_with_sound(dir);
  const int port = free_port();
  Background camsim({camsim_bin(), "--port", std::to_string(port), "mic=" + clip.string()}, port);
  ASSERT_TRUE(camsim.started());
  std::ofstream(dir / "site.yaml") << "store: { path: " << (dir / "v.db").string() << ", media: "
                                   << (dir / "media").string() << ", clip_pre_s: 1, clip_post_s: 1 }\n"
                                   << "cameras:\n  mic:\n    input: rtsp://127.0.0.1:" << port << "/mic\n"
                                   << "    rules:\n      - { type: sound_level, level: absolute, above_db: 80, min_seconds: 1 }\n";
  // Without --loop the camera's stream ends with the clip: analyze runs until it is
  // interrupted; 16 s covers the loud stretch and its report.
  const auto r = run("timeout -s INT 16 " + vigie_bin() + " analyze --quiet --json --config " +
                     (dir / "site.yaml").string());
  const auto list = run(vigie_bin() + " alerts list --json --store " + (dir / "v.db").string());
  ASSERT_EQ(list.code, 0) << list.err << r.err;
  const auto alerts = nlohmann::json::parse(list.out)["alerts"];
  ASSERT_EQ(alerts.size(), 1u) << list.out << r.err;
  EXPECT_EQ(alerts[0]["rule"], "sound_level");
  EXPECT_GT(alerts[0]["peak"].get<double>(), 80);
  const std::string wav = alerts[0]["clip_path"];
  ASSERT_TRUE(fs::exists(wav)) << wav;
  EXPECT_GT(fs::file_size(wav), 16000u);  // at least half a second of 16 kHz 16-bit sound
}

}  // namespace
}  // namespace vigie::testing
