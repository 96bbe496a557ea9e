#include "record/export.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include "core/time_text.h"
#include "record/memory_io.h"
#include "record/sealed_file.h"
#include "video/libav.h"
#include "video/mp4_writer.h"
#include "video/privacy_mask.h"

namespace vigie::record {
namespace {

// Decodes one unsealed segment, calling `frame(bgr, epoch)` for each picture.
struct SegmentDecoder {
  AVCodecContext* codec = nullptr;
  AVFrame* picture = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* to_bgr = nullptr;
  ~SegmentDecoder() {
    sws_freeContext(to_bgr);
    av_packet_free(&packet);
    av_frame_free(&picture);
    avcodec_free_context(&codec);
  }
};

Result<Ok> decode_segment(const std::string& mp4, double start_epoch, double* fps,
                          const std::function<Result<Ok>(const cv::Mat&, double)>& frame) {
  MemoryInput input(mp4);
  if (auto why = input.open(); !why.empty()) return Error{why};
  AVFormatContext* format = input.format();
  const AVCodec* decoder = nullptr;
  const int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (stream < 0 || !decoder) return Error{"no decodable video"};
  const AVStream* st = format->streams[stream];
  SegmentDecoder d;
  d.codec = avcodec_alloc_context3(decoder);
  d.picture = av_frame_alloc();
  d.packet = av_packet_alloc();
  if (!d.codec || !d.picture || !d.packet) return Error{"out of memory"};
  avcodec_parameters_to_context(d.codec, st->codecpar);
  d.codec->thread_count = 0;
  if (int r = avcodec_open2(d.codec, decoder, nullptr); r < 0) return Error{"decoder: " + video::av_error_text(r)};
  const AVRational rate = st->avg_frame_rate.num ? st->avg_frame_rate : st->r_frame_rate;
  if (rate.num && rate.den && av_q2d(rate) >= 1 && av_q2d(rate) <= 240) *fps = av_q2d(rate);
  const double tb = av_q2d(st->time_base);
  std::optional<int64_t> zero;  // the segment's first picture's time is its start
  cv::Mat bgr;
  auto receive = [&]() -> Result<Ok> {
    while (avcodec_receive_frame(d.codec, d.picture) == 0) {
      const int w = d.picture->width, h = d.picture->height;
      d.to_bgr = sws_getCachedContext(d.to_bgr, w, h, static_cast<AVPixelFormat>(d.picture->format), w, h,
                                      AV_PIX_FMT_BGR24, SWS_BILINEAR, nullptr, nullptr, nullptr);
      if (!d.to_bgr) return Error{"no colour conversion"};
      bgr.create(h, w, CV_8UC3);
      uint8_t* dst[4] = {bgr.data, nullptr, nullptr, nullptr};
      int stride[4] = {static_cast<int>(bgr.step), 0, 0, 0};
      sws_scale(d.to_bgr, d.picture->data, d.picture->linesize, 0, h, dst, stride);
      const int64_t ts = d.picture->best_effort_timestamp != AV_NOPTS_VALUE ? d.picture->best_effort_timestamp : 0;
      if (!zero) zero = ts;
      av_frame_unref(d.picture);
      if (auto r = frame(bgr, start_epoch + static_cast<double>(ts - *zero) * tb); !r) return r;
    }
    return Ok{};
  };
  while (av_read_frame(format, d.packet) >= 0) {
    if (d.packet->stream_index == stream) avcodec_send_packet(d.codec, d.packet);
    av_packet_unref(d.packet);
    if (auto r = receive(); !r) return r;
  }
  avcodec_send_packet(d.codec, nullptr);
  return receive();
}

// Who asked for the original pixels, why, and who approved: null for a masked export.
nlohmann::json unmasked_json(const ExportRequest& q) {
  if (!q.unmasked) return nullptr;
  const auto& u = *q.unmasked;
  return {{"request", u.id},          {"reason", u.reason},
          {"requested_by", u.requested_by}, {"requested", utc_text(u.requested_epoch)},
          {"approved_by", u.decided_by},    {"approved", utc_text(u.decided_epoch)}};
}

nlohmann::json manifest_json(const ExportRequest& q, const ExportResult& r, size_t masks) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : r.sources)
    sources.push_back({{"path", s.path}, {"start", utc_text(s.start_epoch, "%Y-%m-%dT%H:%M:%S")},
                       {"start_epoch", s.start_epoch}, {"end_epoch", s.end_epoch}, {"bytes", s.bytes},
                       {"sha256", s.sha256}});
  return {{"format", "vigie.export/1"},
          {"case_reference", q.case_reference},
          {"requester", q.requester},
          {"exported_by", q.exported_by},
          {"camera", q.camera},
          {"from_epoch", q.from_epoch},
          {"to_epoch", q.to_epoch},
          {"first_frame_epoch", r.first_epoch},
          {"last_frame_epoch", r.last_epoch},
          {"frames", r.frames},
          {"privacy_masks_applied", masks},
          {"unmasked", unmasked_json(q)},
          {"file", {{"name", q.out.filename().string()}, {"bytes", r.bytes}, {"sha256", r.sha256}}},
          {"sources", sources}};
}

}  // namespace

Result<ExportResult> export_masked(const std::filesystem::path& root, const SecretKey& key,
                                   const std::vector<Polygon>& masks, const std::vector<events::SegmentRow>& segments,
                                   const ExportRequest& q, const std::function<void(size_t, size_t)>& progress) {
  if (q.case_reference.empty()) return Error{"an export needs the requisition's case reference"};
  if (q.requester.empty()) return Error{"an export needs the requester (who asked for it)"};
  if (!(q.to_epoch > q.from_epoch)) return Error{"an export needs a time range whose end is after its start"};
  const std::filesystem::path manifest = q.out.string() + ".manifest.json";
  for (const auto& f : {q.out, manifest})
    if (std::filesystem::exists(f))
      return Error{fmt::format("'{}' exists: an export never replaces a file, give another name", f.string())};
  ExportResult result;
  for (const auto& s : segments)
    if (s.camera == q.camera && s.end_epoch >= q.from_epoch && s.start_epoch <= q.to_epoch) result.sources.push_back(s);
  if (result.sources.empty())
    return Error{fmt::format("camera {} has no recording between {} and {}", q.camera, utc_text(q.from_epoch),
                             utc_text(q.to_epoch))};
  const video::PrivacyMask mask(masks);
  const std::string part = q.out.string() + ".part";
  std::error_code ec;
  auto fail = [&](Error e) {
    std::filesystem::remove(part, ec);
    return e;
  };
  std::unique_ptr<video::Mp4Writer> writer;
  double fps = 25;
  for (size_t i = 0; i < result.sources.size(); ++i) {
    const auto& s = result.sources[i];
    const auto file = root / s.path;
    // Read once: the bytes hashed are the bytes decrypted.
    auto bytes = read_whole_file(file.string());
    if (!bytes) return fail(bytes.error());
    if (const std::string sha = sha256_of(*bytes); sha != s.sha256)
      return fail(Error{fmt::format("recording '{}' is not the file indexed (SHA-256 {}, indexed {}): replaced or "
                                    "altered, not exported",
                                    file.string(), sha, s.sha256)});
    auto plain = unseal(*bytes, key, file.string());
    if (!plain) return fail(plain.error());
    auto decoded = decode_segment(plain->plain, s.start_epoch, &fps, [&](const cv::Mat& bgr, double epoch) -> Result<Ok> {
      if (epoch < q.from_epoch || epoch > q.to_epoch) return Ok{};
      cv::Mat shown = bgr;  // the decoder's buffer, ours until the next frame
      mask.apply(shown);
      if (!writer) {
        auto w = video::Mp4Writer::open(part, shown.size(), fps);
        if (!w) return w.error();
        writer = std::move(w.value());
        result.first_epoch = epoch;
      }
      if (auto r = writer->write(shown); !r) return r;
      ++result.frames;
      result.last_epoch = epoch;
      return Ok{};
    });
    if (!decoded) return fail(Error{fmt::format("recording '{}': {}", file.string(), decoded.error().message)});
    if (progress) progress(i + 1, result.sources.size());
  }
  if (!writer) return fail(Error{fmt::format("camera {}'s recording holds no frame between {} and {}", q.camera,
                                             utc_text(q.from_epoch), utc_text(q.to_epoch))});
  if (auto r = writer->finish(); !r) return fail(r.error());
  writer.reset();
  auto sha = file_sha256(part);
  if (!sha) return fail(sha.error());
  result.sha256 = *sha;
  result.bytes = static_cast<int64_t>(std::filesystem::file_size(part, ec));
  // The manifest first, then both moved into place without replacing a file made since
  // the check above (renameat2 RENAME_NOREPLACE: also on the FAT of a USB stick, where
  // link() is refused).
  result.manifest = manifest;
  const std::string text = manifest_json(q, result, masks.size()).dump(2) + "\n";
  const std::string manifest_part = manifest.string() + ".part";
  std::ofstream(manifest_part, std::ios::trunc) << text;
  if (std::filesystem::file_size(manifest_part, ec) != text.size()) {
    std::filesystem::remove(manifest_part, ec);
    return fail(Error{fmt::format("cannot write '{}'", manifest.string())});
  }
  result.manifest_sha256 = sha256_of(text);
  auto place = [](const std::string& from, const std::filesystem::path& to) {
    return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0;
  };
  std::string why;
  if (!place(part, q.out)) {
    why = fmt::format("cannot write '{}': {}", q.out.string(), std::strerror(errno));
  } else if (!place(manifest_part, manifest)) {
    why = fmt::format("cannot write '{}': {}", manifest.string(), std::strerror(errno));
    std::filesystem::remove(q.out, ec);
  }
  std::filesystem::remove(manifest_part, ec);
  std::filesystem::remove(part, ec);
  if (!why.empty()) return Error{why};
  return result;
}

std::string export_audit_detail(const ExportRequest& q, const ExportResult& r) {
  return nlohmann::json{{"case_reference", q.case_reference},
                        {"requester", q.requester},
                        {"file", q.out.filename().string()},
                        {"camera", q.camera},
                        {"from", utc_text(q.from_epoch)},
                        {"to", utc_text(q.to_epoch)},
                        {"frames", r.frames},
                        {"sha256", r.sha256},
                        {"manifest_sha256", r.manifest_sha256},
                        {"unmasked", unmasked_json(q)}}
      .dump();
}

Result<ExportResult> export_unmasked(const std::filesystem::path& root, const SecretKey& key, events::Store& store,
                                     const std::string& request_id, const std::vector<events::SegmentRow>& segments,
                                     const std::string& exported_by, const std::filesystem::path& out,
                                     double now_epoch, const std::function<void(size_t, size_t)>& progress) {
  if (std::filesystem::exists(out))
    return Error{fmt::format("'{}' exists: an export never replaces a file, give another name", out.string())};
  auto taken = store.use_unmasked(request_id, now_epoch);
  if (!taken) return taken.error();
  ExportRequest q;
  q.camera = taken->camera, q.from_epoch = taken->from_epoch, q.to_epoch = taken->to_epoch;
  q.case_reference = taken->case_reference, q.requester = taken->requester;
  q.exported_by = exported_by, q.out = out, q.unmasked = *taken;
  Result<ExportResult> done = Error{""};
  try {
    done = export_masked(root, key, /*masks=*/{}, segments, q, progress);
  } catch (const std::exception& e) {
    std::error_code ec;
    std::filesystem::remove(out.string() + ".part", ec);
    std::filesystem::remove(out.string() + ".manifest.json.part", ec);
    done = Error{fmt::format("the unmasked export failed: {}", e.what())};
  }
  if (!done) {
    // Nothing was handed over: the approval still stands for a second try.
    if (auto r = store.release_unmasked(request_id); !r)
      return Error{fmt::format("{} (and the request could not be given back: {})", done.error().message,
                               r.error().message)};
    return done;
  }
  done->unmasked = *taken;
  return done;
}

}  // namespace vigie::record
