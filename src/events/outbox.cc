#include "events/outbox.h"
#include "events/track_search.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <limits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace vigie::events {
namespace {

constexpr int kFormat = 1;

const char* kind_name(StoreWrite::Kind k) {
  switch (k) {
    case StoreWrite::Kind::kAlert: return "alert";
    case StoreWrite::Kind::kTrack: return "track";
    case StoreWrite::Kind::kSnapshot: return "snapshot";
    case StoreWrite::Kind::kClip: return "clip";
    case StoreWrite::Kind::kSegment: return "segment";
  }
  return "?";
}

nlohmann::json to_line(const StoreWrite& w) {
  nlohmann::json j{{"v", kFormat}, {"kind", kind_name(w.kind)}};
  switch (w.kind) {
    case StoreWrite::Kind::kAlert: {
      const auto& e = w.alert;
      j["alert"] = {{"phase", rules::phase_name(e.phase)},
                    {"id", e.alert_id},
                    {"run_id", e.run_id},
                    {"camera", e.camera},
                    {"rule", e.rule},
                    {"rule_type", e.rule_type},
                    {"where", e.where},
                    {"detail", e.detail},
                    {"track_ids", e.track_ids},
                    {"start_s", e.start_s},
                    {"time_s", e.time_s},
                    {"epoch_s", e.epoch_s},
                    {"frame_index", e.frame_index},
                    {"peak", e.peak},
                    {"box", {e.box.x, e.box.y, e.box.w, e.box.h}}};
      if (e.position) j["alert"]["position"] = {e.position->lat, e.position->lon};
      break;
    }
    case StoreWrite::Kind::kTrack: {
      const auto& t = w.track;
      j["track"] = {{"camera", t.camera},       {"id", t.track_id},       {"label", t.label}, {"run_id", t.run_id},
                    {"first", t.first_epoch}, {"last", t.last_epoch}, {"path", path_to_json(t.path)}};
      // Attributes (since schema 6) beside the key, as the store writes them: a line
      // without some reads as a track without them.
      j["track"].update(track_attributes_json(t));
      j["track"]["thumbnail"] = t.thumbnail_path;
      break;
    }
    case StoreWrite::Kind::kSnapshot:
    case StoreWrite::Kind::kClip: j["media"] = {{"alert_id", w.alert_id}, {"file", w.file}}; break;
    case StoreWrite::Kind::kSegment: {
      const auto& g = w.segment;
      j["segment"] = {{"path", g.path},         {"camera", g.camera}, {"start", g.start_epoch},
                      {"end", g.end_epoch},     {"bytes", g.bytes},   {"sha256", g.sha256},
                      {"host", g.host}};
      break;
    }
  }
  return j;
}

rules::Phase phase_named(const std::string& name) {
  for (auto p : {rules::Phase::kStart, rules::Phase::kUpdate, rules::Phase::kEnd})
    if (name == rules::phase_name(p)) return p;
  throw std::runtime_error("unknown phase '" + name + "'");
}

// Numbers read back checked: nlohmann's get<int>() of 1e28, or get<float>() of 1e300, is
// undefined behaviour (found by fuzzing).
template <typename T>
T whole(const nlohmann::json& j) {
  if (!j.is_number_integer()) throw std::runtime_error("expected an integer, not " + j.dump());
  if (j.is_number_unsigned() ? j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max())
                             : j.get<int64_t>() < std::numeric_limits<T>::min() ||
                                   j.get<int64_t>() > std::numeric_limits<T>::max())
    throw std::runtime_error("integer out of range: " + j.dump());
  return static_cast<T>(j.get<int64_t>());
}

float single(const nlohmann::json& j) {
  const double v = j.get<double>();
  if (!(std::abs(v) <= std::numeric_limits<float>::max())) throw std::runtime_error("number out of range: " + j.dump());
  return static_cast<float>(v);
}

// Throws (nlohmann's or runtime_error) on a line that is not a write of this format.
StoreWrite from_line(const std::string& line) {
  const auto j = nlohmann::json::parse(line);
  if (whole<int>(j.at("v")) != kFormat)
    throw std::runtime_error(fmt::format("format version {}, this vigie reads {}", j.at("v").dump(), kFormat));
  StoreWrite w;
  const std::string kind = j.at("kind").get<std::string>();
  if (kind == "alert") {
    const auto& a = j.at("alert");
    auto& e = w.alert;
    e.phase = phase_named(a.at("phase").get<std::string>());
    e.alert_id = a.at("id").get<std::string>(), e.run_id = a.at("run_id").get<std::string>();
    e.camera = a.at("camera").get<std::string>(), e.rule = a.at("rule").get<std::string>();
    e.rule_type = a.at("rule_type").get<std::string>(), e.where = a.at("where").get<std::string>();
    e.detail = a.at("detail").get<std::string>();
    for (const auto& id : a.at("track_ids")) e.track_ids.push_back(whole<int>(id));
    e.start_s = a.at("start_s").get<double>(), e.time_s = a.at("time_s").get<double>();
    e.epoch_s = a.at("epoch_s").get<double>(), e.frame_index = whole<int64_t>(a.at("frame_index"));
    e.peak = a.at("peak").get<double>();
    const auto& b = a.at("box");
    e.box = {single(b.at(0)), single(b.at(1)), single(b.at(2)), single(b.at(3))};
    if (a.contains("position"))  // a moving camera's (since schema 9)
      e.position = rules::GeoPosition{a.at("position").at(0).get<double>(), a.at("position").at(1).get<double>()};
  } else if (kind == "track") {
    w.kind = StoreWrite::Kind::kTrack;
    const auto& t = j.at("track");
    auto& r = w.track;
    r.camera = t.at("camera").get<std::string>(), r.track_id = whole<int>(t.at("id"));
    r.label = t.at("label").get<std::string>(), r.run_id = t.at("run_id").get<std::string>();
    r.first_epoch = t.at("first").get<double>(), r.last_epoch = t.at("last").get<double>();
    for (const auto& p : t.at("path")) r.path.emplace_back(single(p.at(0)), single(p.at(1)));
    read_track_attributes(t, r);
    if (t.contains("thumbnail")) r.thumbnail_path = t.at("thumbnail").get<std::string>();
  } else if (kind == "snapshot" || kind == "clip") {
    w.kind = kind == "clip" ? StoreWrite::Kind::kClip : StoreWrite::Kind::kSnapshot;
    w.alert_id = j.at("media").at("alert_id").get<std::string>();
    w.file = j.at("media").at("file").get<std::string>();
  } else if (kind == "segment") {
    w.kind = StoreWrite::Kind::kSegment;
    const auto& g = j.at("segment");
    auto& r = w.segment;
    r.path = g.at("path").get<std::string>(), r.camera = g.at("camera").get<std::string>();
    r.start_epoch = g.at("start").get<double>(), r.end_epoch = g.at("end").get<double>();
    r.bytes = whole<int64_t>(g.at("bytes")), r.sha256 = g.at("sha256").get<std::string>();
    r.host = g.at("host").get<std::string>();
  } else {
    throw std::runtime_error("unknown kind '" + kind + "'");
  }
  return w;
}

// Appends `text` to `path` and syncs it (the folder too when the file is new). A write
// that fails part-way (a full disk) is cut off again, so that no fragment is left for the
// next line to be glued to.
Result<Ok> append_synced(const std::string& path, const std::string& text) {
  const bool is_new = !std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{fmt::format("cannot write outbox '{}': {}", path, std::strerror(errno))};
  struct stat before {};
  ::fstat(fd, &before);
  errno = 0;
  const ssize_t wrote = ::write(fd, text.data(), text.size());
  int err = wrote < 0 ? errno : wrote != static_cast<ssize_t>(text.size()) ? ENOSPC : 0;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (err != 0 && ::ftruncate(fd, before.st_size) == 0) ::fsync(fd);
  ::close(fd);
  if (err != 0) return Error{fmt::format("cannot write outbox '{}': {}", path, std::strerror(err))};
  if (is_new) {
    const auto folder = std::filesystem::path(path).parent_path();
    const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) ::fsync(dir), ::close(dir);
  }
  return Ok{};
}

}  // namespace

Result<Ok> apply(Store& store, const StoreWrite& w) {
  switch (w.kind) {
    case StoreWrite::Kind::kAlert: return store.record(w.alert);
    case StoreWrite::Kind::kTrack:
      return store.record_track(w.track);
    case StoreWrite::Kind::kSnapshot: return store.set_snapshot(w.alert_id, w.file);
    case StoreWrite::Kind::kClip: return store.set_clip(w.alert_id, w.file);
    case StoreWrite::Kind::kSegment: return store.record_segment(w.segment);
  }
  return Error{"unknown store write"};
}

Attempt try_apply(Store& store, const StoreWrite& write) {
  auto r = apply(store, write);
  if (r) return {};
  if (!store.reachable()) return {Attempt::Outcome::kAway, r.error().message};
  r = apply(store, write);
  if (r) return {};
  if (!store.reachable()) return {Attempt::Outcome::kAway, r.error().message};
  return {Attempt::Outcome::kRefused, r.error().message};
}

Outbox::~Outbox() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& path) {
  std::unique_ptr<Outbox> box(new Outbox(path));
  // One process per outbox: another's rewrite would drop what this one appended.
  box->lock_fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (box->lock_fd_ < 0) return Error{fmt::format("cannot open outbox lock '{}.lock': {}", path, std::strerror(errno))};
  if (::flock(box->lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return Error{fmt::format("outbox '{}' is in use by another vigie process (the same camera analysed twice?)",
                             path)};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (std::filesystem::exists(path)) return Error{fmt::format("cannot read outbox '{}'", path)};
    return box;  // nothing waits
  }
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  for (int line_no = 1; at < all.size(); ++line_no) {
    const size_t end = all.find('\n', at);
    const std::string line = all.substr(at, end == std::string::npos ? std::string::npos : end - at);
    try {
      if (end == std::string::npos) throw std::runtime_error("no end of line");
      (void)from_line(line);
      box->pending_.push_back(line);
    } catch (const std::exception& e) {
      if (end != std::string::npos)  // a whole line that does not read: not ours to drop
        return Error{fmt::format("outbox '{}' line {}: {} (fix or move the file; nothing was delivered)", path,
                                 line_no, e.what())};
      // The last line, cut short by a crash while it was appended: kept aside, reported.
      if (auto r = append_synced(path + ".torn", line + "\n"); !r) return r.error();
      box->warning_ = fmt::format("outbox '{}' line {} was cut short (the process stopped while writing it); "
                                  "its {} bytes are kept in '{}.torn'",
                                  path, line_no, line.size(), path);
      if (auto r = box->rewrite(); !r) return r.error();
      break;
    }
    at = end + 1;
  }
  return box;
}

Result<Ok> Outbox::add(const StoreWrite& write) {
  std::string line = to_line(write).dump();
  if (auto r = append_synced(path_, line + "\n"); !r) return r;
  pending_.push_back(std::move(line));
  return Ok{};
}

Result<Outbox::Delivery> Outbox::deliver(Store& store, size_t at_most) {
  Delivery d;
  size_t done = 0;
  for (; done < pending_.size() && done < at_most; ++done) {
    const StoreWrite w = from_line(pending_[done]);  // read back at open: cannot throw
    const Attempt a = try_apply(store, w);
    if (a.outcome == Attempt::Outcome::kStored) {
      ++d.delivered;
      continue;
    }
    if (a.outcome == Attempt::Outcome::kAway) break;
    nlohmann::json refused = nlohmann::json::parse(pending_[done]);
    refused["refused"] = a.error;
    if (auto a = append_synced(path_ + ".refused", refused.dump() + "\n"); !a) return a.error();
    ++d.refused;
  }
  if (done == 0) return d;
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<long>(done));
  if (auto r = rewrite(); !r) return r.error();
  return d;
}

Result<Ok> Outbox::rewrite() {
  const std::string tmp = path_ + ".tmp";
  std::string text;
  for (const auto& line : pending_) text += line + "\n";
  std::error_code ec;
  std::filesystem::remove(tmp, ec);
  if (auto r = append_synced(tmp, text); !r) return r;
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Error{fmt::format("cannot replace outbox '{}': {}", path_, std::strerror(errno))};
  const auto folder = std::filesystem::path(path_).parent_path();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) ::fsync(dir), ::close(dir);
  return Ok{};
}

}  // namespace vigie::events
