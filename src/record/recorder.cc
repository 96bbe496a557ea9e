#include "record/recorder.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <cmath>
#include <cstring>
#include <ctime>

#include "record/memory_io.h"
#include "record/sealed_file.h"
#include "video/libav.h"

namespace vigie::record {
namespace {

constexpr const char* kFinishedSuffix = ".mp4.sealed";
constexpr const char* kOpenSuffix = ".mp4.sealed.open";
constexpr int kIoBuffer = 1 << 16;

}  // namespace

std::string segment_file_name(double start_epoch) {
  const auto ms = static_cast<int64_t>(std::llround(start_epoch * 1000));
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%S", &tm);
  return fmt::format("{}.{:03}Z{}", text, ms % 1000, kFinishedSuffix);
}

std::optional<double> segment_start_of(const std::string& name) {
  std::tm tm{};
  const char* rest = strptime(name.c_str(), "%Y%m%dT%H%M%S", &tm);
  int ms = 0, used = 0;
  if (!rest || std::sscanf(rest, ".%3dZ%n", &ms, &used) != 1 || used != 5) return std::nullopt;
  const std::string tail = rest + used;
  if (tail != kFinishedSuffix && tail != kOpenSuffix) return std::nullopt;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

// One segment being written: the MP4 muxer writing through a custom AVIO into the sealed
// file, one chunk per flush (a fragment, or 64 KiB of one).
struct Recorder::Segment {
  std::filesystem::path open_path, final_path;
  std::string relative;
  double start_epoch = 0;
  int64_t first_ts = 0;  // the stream timestamp its time 0 stands for
  std::unique_ptr<SealedWriter> sealed;
  AVFormatContext* format = nullptr;
  std::string write_error;

  ~Segment() {
    if (format) {
      if (format->pb) {
        av_freep(&format->pb->buffer);
        avio_context_free(&format->pb);
      }
      avformat_free_context(format);
    }
  }

  static int write(void* self, uint8_t* data, int size) {
    auto* s = static_cast<Segment*>(self);
    if (auto r = s->sealed->write(data, static_cast<size_t>(size)); !r) {
      s->write_error = r.error().message;
      return AVERROR(EIO);
    }
    return size;
  }

  // Opens the muxer on `codec`; "" or why not.
  std::string open(const AVCodecParameters& codec, int tb_num, int tb_den) {
    if (int r = avformat_alloc_output_context2(&format, nullptr, "mp4", nullptr); r < 0) return video::av_error_text(r);
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
    format->pb = avio_alloc_context(buffer, kIoBuffer, 1, this, nullptr, &Segment::write, nullptr);
    if (!buffer || !format->pb) return "out of memory";
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
    format->flush_packets = 1;  // each fragment to the file as soon as it is made
    AVStream* st = avformat_new_stream(format, nullptr);
    if (!st || avcodec_parameters_copy(st->codecpar, &codec) < 0) return "out of memory";
    st->codecpar->codec_tag = 0;  // the container's own tag for the codec
    st->time_base = AVRational{tb_num, tb_den};
    AVDictionary* opts = nullptr;
    // Fragments at each key frame and at least every second, with the index (moov)
    // first: every fragment stands on its own.
    av_dict_set(&opts, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
    av_dict_set(&opts, "frag_duration", "1000000", 0);
    const int r = avformat_write_header(format, &opts);
    av_dict_free(&opts);
    if (r < 0) return !write_error.empty() ? write_error : video::av_error_text(r);
    return {};
  }
};

Recorder::Recorder(RecorderOptions options) : options_(std::move(options)) { video::set_libav_defaults(); }

Recorder::~Recorder() {
  close_segment();
  avcodec_parameters_free(&codec_);
}

void Recorder::begin_stream(const AVCodecParameters& codec, int time_base_num, int time_base_den) {
  close_segment();
  avcodec_parameters_free(&codec_);
  codec_ = avcodec_parameters_alloc();
  if (!codec_ || avcodec_parameters_copy(codec_, &codec) < 0) avcodec_parameters_free(&codec_);
  tb_num_ = time_base_num > 0 ? time_base_num : 1;
  tb_den_ = time_base_den > 0 ? time_base_den : 90000;
  first_ts_ = last_dts_ = INT64_MIN;  // anchored at the first packet (probing came before)
  last_duration_ = 0;
}

void Recorder::anchor(int64_t ts) {
  anchor_epoch_ = options_.clock ? options_.clock() : 0;
  first_ts_ = ts;
}

void Recorder::end_stream() {
  close_segment();
  avcodec_parameters_free(&codec_);
}

void Recorder::packet(const AVPacket& in) {
  if (!codec_) return;
  const bool key = (in.flags & AV_PKT_FLAG_KEY) != 0;
  // A stream's timestamps: its decoding time, or its presentation time, or (neither: some
  // AVI and raw streams) one frame after the last.
  int64_t ts = in.dts != AV_NOPTS_VALUE ? in.dts : in.pts;
  if (ts == AV_NOPTS_VALUE) ts = last_dts_ == INT64_MIN ? 0 : last_dts_ + std::max<int64_t>(last_duration_, 1);
  const double tb = static_cast<double>(tb_num_) / tb_den_;
  // A clock that jumps (a camera rebooted behind a proxy, a wrapped counter) by more than
  // 10 s either way starts afresh: the segment ends, and time is anchored again.
  if (last_dts_ != INT64_MIN && std::abs(static_cast<double>(ts - last_dts_) * tb) > 10) {
    close_segment();
    last_dts_ = first_ts_ = INT64_MIN;
  }
  if (last_dts_ != INT64_MIN && ts <= last_dts_) ts = last_dts_ + 1;  // never backwards
  if (first_ts_ == INT64_MIN) anchor(ts);
  if (last_dts_ != INT64_MIN) last_duration_ = in.duration > 0 ? in.duration : ts - last_dts_;
  else if (in.duration > 0) last_duration_ = in.duration;
  const double after_s = static_cast<double>(ts - (segment_ ? segment_->first_ts : 0)) * tb;
  if (segment_ && key && after_s >= options_.segment_seconds) {
    close_segment(ts);
    // Days on one connection: the camera's clock and ours part. More than 2 s apart, the
    // next segment is dated by ours (a small gap or overlap, said by the index).
    if (options_.live && options_.clock && std::abs(epoch_of(ts) - options_.clock()) > 2) anchor(ts);
  }
  if (!segment_ && key) open_segment(ts);
  last_dts_ = ts;
  if (!segment_) return;  // before a first key frame, or after a failure
  AVPacket* p = av_packet_clone(&in);
  if (!p) return fail("out of memory");
  const int64_t pts = in.pts != AV_NOPTS_VALUE ? std::max(in.pts, ts) : ts;
  p->dts = ts - segment_->first_ts, p->pts = pts - segment_->first_ts;
  p->stream_index = 0;
  p->pos = -1;
  av_packet_rescale_ts(p, AVRational{tb_num_, tb_den_}, segment_->format->streams[0]->time_base);
  const int r = av_write_frame(segment_->format, p);
  av_packet_free(&p);
  if (r < 0) return fail(!segment_->write_error.empty() ? segment_->write_error : "writing: " + video::av_error_text(r));
  ++packets_written_;
  packet_bytes_ += in.size;
}

double Recorder::epoch_of(int64_t ts) const {
  return anchor_epoch_ + static_cast<double>(ts - first_ts_) * tb_num_ / tb_den_;
}

void Recorder::open_segment(int64_t ts) {
  auto s = std::make_unique<Segment>();
  s->first_ts = ts;
  s->start_epoch = epoch_of(ts);
  const auto folder = options_.root / options_.camera;
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  // Two segments cannot start in the same millisecond of one camera, but a clock set back
  // could name one that exists: the next millisecond then.
  for (int i = 0; i < 100 && !s->sealed; ++i) {
    const std::string name = segment_file_name(s->start_epoch + i / 1000.0);
    s->final_path = folder / name;
    s->open_path = folder / (name + ".open");
    if (std::filesystem::exists(s->final_path) || std::filesystem::exists(s->open_path)) continue;
    auto sealed = SealedWriter::create(s->open_path.string(), options_.key);
    if (!sealed) return fail(sealed.error().message);
    s->sealed = std::move(sealed.value());
    s->relative = (std::filesystem::path(options_.camera) / name).string();
  }
  if (!s->sealed) return fail(fmt::format("no free segment name in '{}'", folder.string()));
  if (auto why = s->open(*codec_, tb_num_, tb_den_); !why.empty()) {
    std::filesystem::remove(s->open_path, ec);
    return fail(fmt::format("cannot record {} as MP4: {}", avcodec_get_name(codec_->codec_id), why));
  }
  segment_ = std::move(s);
}

void Recorder::close_segment(int64_t next_ts) {
  if (!segment_) return;
  auto s = std::move(segment_);
  const int64_t end_ts = next_ts != INT64_MIN ? next_ts : last_dts_ + last_duration_;
  const int trailer = av_write_trailer(s->format);
  auto finished = trailer < 0 ? Result<Ok>{Error{video::av_error_text(trailer)}} : s->sealed->finish();
  std::error_code ec;
  if (finished) std::filesystem::rename(s->open_path, s->final_path, ec);
  if (!finished || ec) {
    // Left open: recover_open_segments() keeps what was whole.
    return fail(fmt::format("cannot finish segment '{}': {}", s->open_path.string(),
                            finished ? ec.message() : finished.error().message));
  }
  last_error_.clear();
  if (options_.on_segment)
    options_.on_segment({s->relative, options_.camera, s->start_epoch, epoch_of(end_ts), s->sealed->bytes(),
                         s->sealed->sha256(), options_.host});
}

void Recorder::fail(const std::string& why) {
  segment_.reset();
  if (why != last_error_ && options_.on_error) options_.on_error(why);
  last_error_ = why;
}

// --- Reading -----------------------------------------------------------------------------

MemoryInput::~MemoryInput() {
  avformat_close_input(&format_);
  if (io_) {
    av_freep(&io_->buffer);
    avio_context_free(&io_);
  }
}

std::string MemoryInput::open() {
  video::set_libav_defaults();
  format_ = avformat_alloc_context();
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
  io_ = avio_alloc_context(buffer, kIoBuffer, 0, this, &MemoryInput::read, nullptr, &MemoryInput::seek);
  if (!format_ || !buffer || !io_) return "out of memory";
  format_->pb = io_;
  format_->flags |= AVFMT_FLAG_CUSTOM_IO;
  if (int r = avformat_open_input(&format_, nullptr, av_find_input_format("mp4"), nullptr); r < 0)
    return "not an MP4: " + video::av_error_text(r);  // the context is freed on failure
  if (int r = avformat_find_stream_info(format_, nullptr); r < 0) return "unreadable MP4: " + video::av_error_text(r);
  return {};
}

int MemoryInput::read(void* self, uint8_t* out, int size) {
  auto* m = static_cast<MemoryInput*>(self);
  const int64_t left = static_cast<int64_t>(m->bytes_.size()) - m->at_;
  if (left <= 0) return AVERROR_EOF;
  const int n = static_cast<int>(std::min<int64_t>(left, size));
  std::memcpy(out, m->bytes_.data() + m->at_, static_cast<size_t>(n));
  m->at_ += n;
  return n;
}

int64_t MemoryInput::seek(void* self, int64_t offset, int whence) {
  auto* m = static_cast<MemoryInput*>(self);
  const auto size = static_cast<int64_t>(m->bytes_.size());
  if (whence & AVSEEK_SIZE) return size;
  const int64_t base = (whence & 3) == SEEK_CUR ? m->at_ : (whence & 3) == SEEK_END ? size : 0;
  if (base + offset < 0 || base + offset > size) return AVERROR(EINVAL);
  return m->at_ = base + offset;
}

Result<SegmentInfo> probe_mp4(const std::string& bytes) {
  MemoryInput input(bytes);
  if (auto why = input.open(); !why.empty()) return Error{why};
  AVFormatContext* format = input.format();
  SegmentInfo info;
  AVPacket* p = av_packet_alloc();
  bool first = true;
  while (av_read_frame(format, p) >= 0) {
    const AVRational tb = format->streams[p->stream_index]->time_base;
    const int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
    if (ts != AV_NOPTS_VALUE) {
      const double t = ts * av_q2d(tb), end = (ts + p->duration) * av_q2d(tb);
      info.first_s = first ? t : std::min(info.first_s, t);
      info.end_s = std::max(info.end_s, end);
      first = false;
    }
    ++info.packets;
    av_packet_unref(p);
  }
  av_packet_free(&p);
  info.duration_s = info.packets ? info.end_s - info.first_s : 0;
  return info;
}

namespace {

// A segment file read back: its index row, or why not. `cut`: a file left open, cut
// after its last whole chunk. Nullopt: it held no frame.
Result<std::optional<events::SegmentRow>> reindex(const std::filesystem::path& file, const std::string& camera,
                                                  const std::string& host, const SecretKey& key, bool cut) {
  const std::string name = file.filename().string();
  const auto start = segment_start_of(name);
  if (!start) return Error{"not a segment's name"};
  auto bytes = read_whole_file(file.string());
  if (!bytes) return bytes.error();
  auto unsealed = unseal(*bytes, key, file.string());
  if (!unsealed) return unsealed.error();
  auto info = probe_mp4(unsealed->plain);
  if (!info && !unsealed->plain.empty()) return Error{info.error().message};
  if (!info || info->packets == 0) return std::optional<events::SegmentRow>{};
  // A file without its end (cut, or renamed before its end was written): cut after its
  // last whole chunk, so that what is hashed is what is kept.
  cut = cut || !unsealed->complete;
  bytes->resize(static_cast<size_t>(unsealed->whole_bytes));
  std::error_code ec;
  if (cut) std::filesystem::resize_file(file, bytes->size(), ec);
  if (ec) return Error{ec.message()};
  return std::optional<events::SegmentRow>{events::SegmentRow{
      (std::filesystem::path(camera) / (name.ends_with(kOpenSuffix) ? name.substr(0, name.size() - 5) : name)).string(),
      camera, *start,
      *start + info->duration_s, static_cast<int64_t>(bytes->size()), sha256_of(*bytes), host}};
}

}  // namespace

Recovery recover_segments(const std::filesystem::path& root, const std::string& camera, const std::string& host,
                          const SecretKey& key, const std::set<std::string>* indexed) {
  Recovery out;
  std::error_code ec;
  std::vector<std::filesystem::path> files;  // listed first: recovery renames as it goes
  for (const auto& entry : std::filesystem::directory_iterator(root / camera, ec)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string name = file.filename().string();
    const bool open = name.ends_with(kOpenSuffix);
    const std::string relative = (std::filesystem::path(camera) / name).string();
    if (!open && !(name.ends_with(kFinishedSuffix) && indexed && !indexed->count(relative))) continue;
    auto row = reindex(file, camera, host, key, open);
    if (!row) {
      out.errors.push_back(fmt::format("'{}': {}", file.string(), row.error().message));
      continue;
    }
    if (!*row) {  // it held no frame
      std::filesystem::remove(file, ec);
      continue;
    }
    // Never over an existing file: link, then unlink the open name.
    if (open && ::link(file.c_str(), (root / (*row)->path).c_str()) != 0) {
      out.errors.push_back(fmt::format("'{}': cannot rename to '{}': {}", file.string(), (*row)->path,
                                       std::strerror(errno)));
      continue;
    }
    if (open) std::filesystem::remove(file, ec);
    out.segments.push_back(**row);
  }
  return out;
}

Result<std::unique_ptr<FolderLock>> FolderLock::take(const std::filesystem::path& folder) {
  const auto path = folder / ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error{fmt::format("cannot open '{}': {}", path.string(), std::strerror(errno))};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{fmt::format("'{}' is being recorded by another runner or process", folder.string())};
  }
  return std::unique_ptr<FolderLock>(new FolderLock(fd));
}

FolderLock::~FolderLock() { ::close(fd_); }

}  // namespace vigie::record
