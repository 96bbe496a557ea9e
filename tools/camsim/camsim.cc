// vigie-camsim: serves video files as live H.264 RTSP cameras (with Opus sound when the
// file has some) on loopback, with
// GStreamer's RTSP server, so that the pipeline and its tests ingest real RTSP.
//
//   vigie-camsim [--loop] --port 8554 cam1=/path/a.avi cam2=/path/b.mp4
//   → rtsp://127.0.0.1:8554/cam1, rtsp://127.0.0.1:8554/cam2
//
// An H.264 file is sent as it is (stream copy: no encoder per camera); any other file is
// re-encoded. Each client gets its own pipeline that plays the file at its native rate. Without
// --loop the stream ends with the file (clients see the camera drop); with --loop the
// end of the file is caught before it reaches the payloader and the media seeks back
// to the start, so the stream never ends — a camera that is always on.
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <gst/rtsp-server/rtsp-server.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

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

// Seeks the media back to its start; runs on the main loop, not the streaming thread.
gboolean rewind_media(gpointer data) {
  auto* media = static_cast<GstRTSPMedia*>(data);
  GstRTSPTimeRange range{};
  range.unit = GST_RTSP_RANGE_NPT;
  range.min.type = GST_RTSP_TIME_SECONDS;
  range.min.seconds = 0;
  range.max.type = GST_RTSP_TIME_END;
  gst_rtsp_media_seek(media, &range);
  g_object_unref(media);
  return G_SOURCE_REMOVE;
}

// The end of the file, seen on the payloader's input: dropped, and a rewind scheduled.
GstPadProbeReturn on_event(GstPad*, GstPadProbeInfo* info, gpointer media) {
  if (GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) != GST_EVENT_EOS) return GST_PAD_PROBE_OK;
  g_idle_add(rewind_media, g_object_ref(media));
  return GST_PAD_PROBE_DROP;
}

// The sound's end of file is dropped without a rewind of its own: the video's does it.
GstPadProbeReturn drop_eos(GstPad*, GstPadProbeInfo* info, gpointer) {
  return GST_EVENT_TYPE(GST_PAD_PROBE_INFO_EVENT(info)) == GST_EVENT_EOS ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

void probe_payloader(GstElement* bin, const char* name, GstPadProbeCallback callback, gpointer data) {
  GstElement* pay = gst_bin_get_by_name(GST_BIN(bin), name);
  if (!pay) return;
  GstPad* sink = gst_element_get_static_pad(pay, "sink");
  gst_pad_add_probe(sink, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, callback, data, nullptr);
  gst_object_unref(sink);
  gst_object_unref(pay);
}

void on_media_configure(GstRTSPMediaFactory*, GstRTSPMedia* media, gpointer) {
  GstElement* bin = gst_rtsp_media_get_element(media);
  probe_payloader(bin, "pay0", on_event, media);
  probe_payloader(bin, "pay1", drop_eos, nullptr);
  gst_object_unref(bin);
}

// What the file holds (GStreamer's discoverer reads its headers).
struct Probe {
  bool audio = false;
  bool h264 = false;  // the video is H.264 already: served by stream copy
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

// H.264 files are served by stream copy: demuxed, parsed and payloaded, no decoder and no
// encoder per client, so dozens of cameras fit on a small machine
// (`scripts/camsim-encode` makes such a file from any clip, once). Anything else is
// decoded and re-encoded as low-latency H.264. Sound, if any, goes out as Opus (a camera
// with a microphone). Either way the file plays at its own rate, like a real camera.
std::string launch_line(const std::string& file, const Probe& p) {
  gchar* quoted = g_strescape(file.c_str(), nullptr);
  std::string line = std::string("( filesrc location=\"") + quoted + "\" ! ";
  if (p.h264)
    line += "parsebin name=d d. ! video/x-h264 ! queue ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1";
  else
    line += "decodebin name=d d. ! video/x-raw ! queue ! videoconvert ! video/x-raw,format=I420 ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bitrate=2000 ! "
            "rtph264pay name=pay0 pt=96 config-interval=1";
  if (p.audio)
    line += std::string(" d. ! ") + (p.h264 ? "queue ! decodebin ! " : "audio/x-raw ! queue ! ") +
            "audioconvert ! audioresample ! opusenc ! rtpopuspay name=pay1 pt=97";
  line += " )";
  g_free(quoted);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  std::string port = "8554", address = "127.0.0.1";
  GstRTSPServer* server = gst_rtsp_server_new();
  GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
  int cameras = 0;
  bool loop = false;
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
      GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
      const Probe p = probe(file);
      gst_rtsp_media_factory_set_launch(factory, launch_line(file, p).c_str());
      std::printf("vigie-camsim: /%s: %s%s\n", name.c_str(), p.h264 ? "H.264 by stream copy" : "re-encoded to H.264",
                  p.audio ? ", sound as Opus" : "");
      gst_rtsp_media_factory_set_shared(factory, FALSE);
      if (loop) g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), nullptr);
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
