// vigie-camsim: serves video files as live H.264 RTSP cameras (with Opus sound when the
// file has some) on loopback, with
// GStreamer's RTSP server, so that the pipeline and its tests ingest real RTSP.
//
//   vigie-camsim [--loop] --port 8554 cam1=/path/a.avi cam2=/path/b.mp4
//   → rtsp://127.0.0.1:8554/cam1, rtsp://127.0.0.1:8554/cam2
//
// Each file is read once at start (an H.264 file as it is, any other encoded once) and
// every client gets its own pipeline that replays those samples at the file's native rate.
// Without --loop the stream ends with the file (clients see the camera drop); with --loop
// the next pass starts where the last ended, timestamps continuing, so the stream never
// ends — a camera that is always on. (Seeking the media back, as an earlier version did,
// could block gst-rtsp-server for good after some minutes of many cameras.)
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

GMainLoop* g_loop = nullptr;

void on_signal(int) {
  if (g_loop) g_main_loop_quit(g_loop);
}

int usage() {
  std::fprintf(stderr,
               "usage: vigie-camsim [--loop] [--port N] [--address A] NAME=FILE [NAME=FILE ...]\n"
               "Serves each FILE as rtsp://A:N/NAME (default 127.0.0.1:8554).\n");
  return 2;
}

// A clip read once, as the encoded samples each client is sent: H.264 access units, and
// Opus packets when the file has sound. Every client replays the same buffers (shared,
// not copied) with its own timestamps, so a camera costs no decoder and no encoder, and
// a loop is a timestamp offset: no seek, no end of stream, nothing to wait for.
struct Track {
  GstCaps* caps = nullptr;
  std::vector<GstBuffer*> buffers;
};

struct Clip {
  Track video, audio;
  GstClockTime start = 0, period = 0;  // first timestamp; length of one pass (all tracks)
};

// One client's stream of one track: where it is in the clip, and how many passes it made.
struct Replay {
  const Clip* clip;
  const Track* track;
  bool loop;
  size_t next = 0;
  GstClockTime offset = 0;
};

GstClockTime shifted(GstClockTime t, const Replay& r) {
  return GST_CLOCK_TIME_IS_VALID(t) ? t - r.clip->start + r.offset : t;
}

// appsrc asks for more: the next buffer of the pass, or the first of the next pass.
void need_data(GstAppSrc* src, guint, gpointer data) {
  auto& r = *static_cast<Replay*>(data);
  if (r.next == r.track->buffers.size()) {
    if (!r.loop) {
      gst_app_src_end_of_stream(src);
      return;
    }
    r.next = 0;
    r.offset += r.clip->period;
  }
  GstBuffer* b = gst_buffer_copy(r.track->buffers[r.next++]);  // metadata copied, memory shared
  GST_BUFFER_PTS(b) = shifted(GST_BUFFER_PTS(b), r);
  GST_BUFFER_DTS(b) = shifted(GST_BUFFER_DTS(b), r);
  gst_app_src_push_buffer(src, b);
}

void attach_replay(GstElement* bin, const char* name, const Clip& clip, const Track& track, bool loop) {
  GstElement* src = gst_bin_get_by_name(GST_BIN(bin), name);
  if (!src) return;
  g_object_set(src, "format", GST_FORMAT_TIME, "caps", track.caps, nullptr);
  GstAppSrcCallbacks callbacks{};
  callbacks.need_data = need_data;
  gst_app_src_set_callbacks(GST_APP_SRC(src), &callbacks, new Replay{&clip, &track, loop},
                            [](gpointer r) { delete static_cast<Replay*>(r); });
  gst_object_unref(src);
}

struct Mount {
  const Clip* clip;
  bool loop;
};

void on_media_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer data) {
  const auto& m = *static_cast<const Mount*>(data);
  GstElement* bin = gst_rtsp_media_get_element(media);
  attach_replay(bin, "video", *m.clip, m.clip->video, m.loop);
  attach_replay(bin, "audio", *m.clip, m.clip->audio, m.loop);
  gst_object_unref(bin);
}

// What the file holds (GStreamer's discoverer reads its headers).
struct Probe {
  bool audio = false;
  bool h264 = false;  // the video is H.264 already: parsed, not re-encoded
};

Probe probe(const std::string& file) {
  Probe p;
  GError* error = nullptr;
  GstDiscoverer* discoverer = gst_discoverer_new(10 * GST_SECOND, &error);
  if (!discoverer) {
    if (error) g_error_free(error);
    return p;
  }
  gchar* uri = gst_filename_to_uri(file.c_str(), nullptr);
  GstDiscovererInfo* info = uri ? gst_discoverer_discover_uri(discoverer, uri, &error) : nullptr;
  if (info) {
    GList* audio = gst_discoverer_info_get_audio_streams(info);
    p.audio = audio != nullptr;
    gst_discoverer_stream_info_list_free(audio);
    GList* video = gst_discoverer_info_get_video_streams(info);
    if (video) {
      GstCaps* caps = gst_discoverer_stream_info_get_caps(GST_DISCOVERER_STREAM_INFO(video->data));
      p.h264 = caps && gst_structure_has_name(gst_caps_get_structure(caps, 0), "video/x-h264");
      if (caps) gst_caps_unref(caps);
    }
    gst_discoverer_stream_info_list_free(video);
    g_object_unref(info);
  }
  if (error) g_error_free(error);
  g_free(uri);
  g_object_unref(discoverer);
  return p;
}

// The pipeline that reads a file into a Clip. H.264 is only parsed (`scripts/camsim-encode`
// makes such a file from any clip); anything else is decoded and encoded once as
// low-latency H.264 with a short GOP, as a surveillance camera sends. Sound becomes Opus
// (a camera with a microphone).
std::string reader_line(const std::string& file, const Probe& p) {
  gchar* quoted = g_strescape(file.c_str(), nullptr);
  std::string line = std::string("filesrc location=\"") + quoted + "\" ! ";
  g_free(quoted);
  const std::string au = "h264parse ! video/x-h264,stream-format=byte-stream,alignment=au ! appsink name=video sync=false";
  if (p.h264)
    line += "parsebin name=d d. ! video/x-h264 ! queue ! " + au;
  else
    line += "decodebin name=d d. ! video/x-raw ! queue ! videoconvert ! video/x-raw,format=I420 ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bitrate=2000 ! " + au;
  if (p.audio)
    line += std::string(" d. ! ") + (p.h264 ? "queue ! decodebin ! " : "audio/x-raw ! queue ! ") +
            "audioconvert ! audioresample ! opusenc ! appsink name=audio sync=false";
  return line;
}

// Takes every sample the appsink gives until its end of stream; false on a pipeline error.
bool drain(GstElement* pipeline, const char* name, Track& track, std::string& error) {
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), name);
  GstBus* bus = gst_element_get_bus(pipeline);
  bool ok = true;
  while (!gst_app_sink_is_eos(GST_APP_SINK(sink))) {
    if (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 100 * GST_MSECOND)) {
      if (!track.caps) track.caps = gst_caps_ref(gst_sample_get_caps(s));
      track.buffers.push_back(gst_buffer_ref(gst_sample_get_buffer(s)));
      gst_sample_unref(s);
    } else if (GstMessage* m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) {
      GError* e = nullptr;
      gst_message_parse_error(m, &e, nullptr);
      error = e ? e->message : "unknown error";
      if (e) g_error_free(e);
      gst_message_unref(m);
      ok = false;
      break;
    }
  }
  gst_object_unref(bus);
  gst_object_unref(sink);
  return ok;
}

// The span of a track's timestamps, the last buffer's duration included (or the mean
// frame interval when the file gives none).
void extend(const Track& t, GstClockTime& first, GstClockTime& end) {
  if (t.buffers.empty()) return;
  GstClockTime lo = GST_CLOCK_TIME_NONE, hi = 0;
  for (GstBuffer* b : t.buffers)
    if (GST_BUFFER_PTS_IS_VALID(b)) {
      lo = std::min(lo, GST_BUFFER_PTS(b));  // GST_CLOCK_TIME_NONE is the largest value
      hi = std::max(hi, GST_BUFFER_PTS(b) + (GST_BUFFER_DURATION_IS_VALID(b) ? GST_BUFFER_DURATION(b) : 0));
    }
  if (!GST_CLOCK_TIME_IS_VALID(lo)) return;
  if (!GST_BUFFER_DURATION_IS_VALID(t.buffers.back()) && t.buffers.size() > 1) hi += (hi - lo) / (t.buffers.size() - 1);
  first = std::min(first, lo);
  end = std::max(end, hi);
}

std::optional<Clip> read_clip(const std::string& file, const Probe& p, std::string& error) {
  GError* e = nullptr;
  GstElement* pipeline = gst_parse_launch(reader_line(file, p).c_str(), &e);
  if (!pipeline) {
    error = e ? e->message : "cannot build the reader";
    if (e) g_error_free(e);
    return std::nullopt;
  }
  if (e) g_error_free(e);
  Clip clip;
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  // Video then sound: the appsinks keep everything, so neither branch waits on the other.
  bool ok = drain(pipeline, "video", clip.video, error) && (!p.audio || drain(pipeline, "audio", clip.audio, error));
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  GstClockTime first = GST_CLOCK_TIME_NONE, end = 0;
  extend(clip.video, first, end);
  extend(clip.audio, first, end);
  if (ok && (clip.video.buffers.empty() || !GST_CLOCK_TIME_IS_VALID(first) || end <= first)) {
    error = "no timed video in it";
    ok = false;
  }
  if (!ok) return std::nullopt;
  clip.start = first;
  clip.period = end - first;
  return clip;
}

// Each client's pipeline: appsrc → payloader, fed by need_data.
std::string launch_line(const Clip& clip) {
  std::string line = "( appsrc name=video ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1";
  if (!clip.audio.buffers.empty()) line += " appsrc name=audio ! rtpopuspay name=pay1 pt=97";
  return line + " )";
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string port = "8554", address = "127.0.0.1";
  GstRTSPServer* server = gst_rtsp_server_new();
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  int cameras = 0;
  bool loop = false;
  std::map<std::string, std::unique_ptr<Clip>> clips;  // one per file, shared by its cameras
  std::deque<Mount> mounts_data;                        // stable addresses for the callbacks
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--loop") loop = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--loop") {
      loop = true;
    } else if (arg == "--port" && i + 1 < argc) {
      port = argv[++i];
    } else if (arg == "--address" && i + 1 < argc) {
      address = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      return usage();
    } else if (auto eq = arg.find('='); eq != std::string::npos && eq > 0) {
      const std::string name = arg.substr(0, eq), file = arg.substr(eq + 1);
      if (!std::filesystem::is_regular_file(file)) {
        std::fprintf(stderr, "vigie-camsim: error: '%s' is not a file\n", file.c_str());
        return 2;
      }
      auto& clip = clips[std::filesystem::absolute(file).string()];
      if (!clip) {
        const Probe p = probe(file);
        std::string error;
        auto read = read_clip(file, p, error);
        if (!read) {
          std::fprintf(stderr, "vigie-camsim: error: cannot read '%s': %s\n", file.c_str(), error.c_str());
          return 2;
        }
        clip = std::make_unique<Clip>(*read);
        std::printf("vigie-camsim: %s: %.1f s, %zu frames, H.264 %s%s\n", file.c_str(),
                    double(clip->period) / GST_SECOND, clip->video.buffers.size(),
                    p.h264 ? "as it is" : "encoded once", clip->audio.buffers.empty() ? "" : ", sound as Opus");
      }
      GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
      gst_rtsp_media_factory_set_launch(factory, launch_line(*clip).c_str());
      gst_rtsp_media_factory_set_shared(factory, FALSE);
      mounts_data.push_back({clip.get(), loop});
      g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), &mounts_data.back());
      gst_rtsp_mount_points_add_factory(mounts, ("/" + name).c_str(), factory);
      ++cameras;
    } else {
      return usage();
    }
  }
  g_object_unref(mounts);
  if (cameras == 0) return usage();
  gst_rtsp_server_set_address(server, address.c_str());
  gst_rtsp_server_set_service(server, port.c_str());
  if (gst_rtsp_server_attach(server, nullptr) == 0) {
    std::fprintf(stderr, "vigie-camsim: error: cannot listen on %s:%s\n", address.c_str(), port.c_str());
    return 1;
  }
  std::printf("vigie-camsim: serving %d camera(s) on rtsp://%s:%s/\n", cameras, address.c_str(), port.c_str());
  std::fflush(stdout);
  g_loop = g_main_loop_new(nullptr, FALSE);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  g_main_loop_run(g_loop);
  g_main_loop_unref(g_loop);
  g_object_unref(server);
  return 0;
}
