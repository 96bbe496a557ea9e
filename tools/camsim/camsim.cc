// vigie-camsim: serves video files as live H.264 RTSP cameras on loopback, with
// GStreamer's RTSP server, so that the pipeline and its tests ingest real RTSP.
//
//   vigie-camsim --port 8554 cam1=/path/a.avi cam2=/path/b.mp4
//   → rtsp://127.0.0.1:8554/cam1, rtsp://127.0.0.1:8554/cam2
//
// Each client gets its own pipeline that plays the file once at its native rate; the
// stream ends at the end of the file (clients see the camera drop).
#include <gst/gst.h>
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
               "usage: vigie-camsim [--port N] [--address A] NAME=FILE [NAME=FILE ...]\n"
               "Serves each FILE as rtsp://A:N/NAME (default 127.0.0.1:8554).\n");
  return 2;
}

// Decodes any file GStreamer can read and re-encodes it as low-latency H.264, paced at
// the file's own frame rate like a real camera.
std::string launch_line(const std::string& file) {
  gchar* quoted = g_strescape(file.c_str(), nullptr);
  std::string line = std::string("( filesrc location=\"") + quoted +
                     "\" ! decodebin ! videoconvert ! video/x-raw,format=I420 ! "
                     "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 bitrate=2000 ! "
                     "rtph264pay name=pay0 pt=96 config-interval=1 )";
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
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--port" && i + 1 < argc) {
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
      gst_rtsp_media_factory_set_launch(factory, launch_line(file).c_str());
      gst_rtsp_media_factory_set_shared(factory, FALSE);
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
