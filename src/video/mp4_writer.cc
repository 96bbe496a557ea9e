#include "video/mp4_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <fmt/format.h>

#include "video/libav.h"

namespace vigie::video {

struct Mp4Writer::Impl {
  std::string path;
  AVFormatContext* format = nullptr;
  AVCodecContext* encoder = nullptr;
  AVStream* stream = nullptr;
  SwsContext* to_yuv = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  cv::Size size;
  int64_t next_pts = 0;
  bool finished = false;

  ~Impl() {
    if (format && format->pb && !(format->oformat->flags & AVFMT_NOFILE)) avio_closep(&format->pb);
    avformat_free_context(format);
    avcodec_free_context(&encoder);
    sws_freeContext(to_yuv);
    av_frame_free(&frame);
    av_packet_free(&packet);
  }

  Error error(const char* what, int code) const {
    return Error{fmt::format("clip '{}': {}: {}", path, what, av_error_text(code))};
  }

  // Sends a frame (nullptr: the end) and writes the packets the encoder has ready.
  Result<Ok> encode(AVFrame* f) {
    if (int r = avcodec_send_frame(encoder, f); r < 0) return error("encoding", r);
    for (;;) {
      const int r = avcodec_receive_packet(encoder, packet);
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Ok{};
      if (r < 0) return error("encoding", r);
      packet->duration = 1;  // a frame; without it the last one has none, and players drop it
      av_packet_rescale_ts(packet, encoder->time_base, stream->time_base);
      packet->stream_index = stream->index;
      if (int w = av_interleaved_write_frame(format, packet); w < 0) return error("writing", w);
    }
  }
};

Mp4Writer::Mp4Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Mp4Writer::~Mp4Writer() = default;

Result<std::unique_ptr<Mp4Writer>> Mp4Writer::open(const std::string& path, cv::Size size, double fps) {
  set_libav_defaults();  // else x264 and the muxer say a dozen lines per clip
  auto w = std::make_unique<Impl>();
  w->path = path;
  w->size = size;
  const int width = size.width & ~1, height = size.height & ~1;
  if (width < 2 || height < 2) return Error{fmt::format("clip '{}': a frame of {}x{} is too small", path, size.width, size.height)};
  if (int r = avformat_alloc_output_context2(&w->format, nullptr, "mp4", path.c_str()); r < 0)
    return w->error("opening", r);
  const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
  if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (!codec) return Error{fmt::format("clip '{}': libav has no H.264 encoder", path)};
  w->stream = avformat_new_stream(w->format, nullptr);
  w->encoder = avcodec_alloc_context3(codec);
  w->frame = av_frame_alloc();
  w->packet = av_packet_alloc();
  if (!w->stream || !w->encoder || !w->frame || !w->packet) return Error{fmt::format("clip '{}': out of memory", path)};
  AVCodecContext* e = w->encoder;
  e->width = width, e->height = height, e->pix_fmt = AV_PIX_FMT_YUV420P;
  e->framerate = av_d2q(fps > 0 ? fps : 10, 100000);
  e->time_base = av_inv_q(e->framerate);
  e->gop_size = 50;
  e->max_b_frames = 0;  // no reordering: the clip starts at its first frame, with no edit list to honour
  e->thread_count = 1;  // a clip is written beside the analysis: one core's share at most
  if (w->format->oformat->flags & AVFMT_GLOBALHEADER) e->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "preset", "veryfast", 0);
  const int opened = avcodec_open2(e, codec, &options);
  av_dict_free(&options);
  if (opened < 0) return w->error("opening the H.264 encoder", opened);
  if (int r = avcodec_parameters_from_context(w->stream->codecpar, e); r < 0) return w->error("opening", r);
  w->stream->time_base = e->time_base;
  // An odd last column or row is left out (4:2:0 needs even sizes): the same pixels, not
  // a resampled picture.
  w->to_yuv = sws_getContext(width, height, AV_PIX_FMT_BGR24, width, height, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                             nullptr, nullptr, nullptr);
  if (!w->to_yuv) return Error{fmt::format("clip '{}': no colour conversion for {}x{}", path, width, height)};
  w->frame->format = AV_PIX_FMT_YUV420P, w->frame->width = width, w->frame->height = height;
  if (int r = av_frame_get_buffer(w->frame, 0); r < 0) return w->error("allocating a frame", r);
  if (int r = avio_open(&w->format->pb, path.c_str(), AVIO_FLAG_WRITE); r < 0) return w->error("creating the file", r);
  // The index first, so that a browser plays the clip as it arrives.
  AVDictionary* muxing = nullptr;
  av_dict_set(&muxing, "movflags", "+faststart", 0);
  const int header = avformat_write_header(w->format, &muxing);
  av_dict_free(&muxing);
  if (header < 0) return w->error("writing the header", header);
  return std::unique_ptr<Mp4Writer>(new Mp4Writer(std::move(w)));
}

Result<Ok> Mp4Writer::write(const cv::Mat& bgr) {
  Impl& w = *impl_;
  if (bgr.size() != w.size || bgr.type() != CV_8UC3)
    return Error{fmt::format("clip '{}': a frame of {}x{} in a clip of {}x{}", w.path, bgr.cols, bgr.rows, w.size.width,
                             w.size.height)};
  if (int r = av_frame_make_writable(w.frame); r < 0) return w.error("allocating a frame", r);
  const uint8_t* planes[4] = {bgr.data};  // sws_scale reads four of each
  const int strides[4] = {static_cast<int>(bgr.step)};
  if (sws_scale(w.to_yuv, planes, strides, 0, w.frame->height, w.frame->data, w.frame->linesize) != w.frame->height)
    return Error{fmt::format("clip '{}': colour conversion failed", w.path)};
  w.frame->pts = w.next_pts++;
  return w.encode(w.frame);
}

Result<Ok> Mp4Writer::finish() {
  Impl& w = *impl_;
  if (w.finished) return Ok{};
  if (auto r = w.encode(nullptr); !r) return r;
  if (int r = av_write_trailer(w.format); r < 0) return w.error("writing the index", r);
  w.finished = true;
  return Ok{};
}

}  // namespace vigie::video
