// A MOTChallenge image sequence: SEQ/img1/000001.jpg … with the rate in SEQ/seqinfo.ini.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "video/internal.h"

namespace vigie::video {
namespace {
namespace fs = std::filesystem;

bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp";
}

// Reads frameRate=N from a MOTChallenge seqinfo.ini; 0 if absent.
double seqinfo_fps(const fs::path& ini) {
  std::ifstream in(ini);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("frameRate=", 0) == 0) {
      try {
        return std::stod(line.substr(10));
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

class ImageFolderSource final : public Source {
 public:
  ImageFolderSource(std::vector<fs::path> files, double fps) : files_(std::move(files)), fps_(fps) {}

  ReadResult read(Frame& out) override {
    if (next_ >= files_.size()) return {ReadStatus::kEnd, {}};
    const fs::path& file = files_[next_];
    out.image = cv::imread(file.string(), cv::IMREAD_COLOR);
    if (out.image.empty())
      return {ReadStatus::kError, fmt::format("cannot decode image '{}'", file.string())};
    out.index = static_cast<int64_t>(next_);
    out.time_s = static_cast<double>(next_) / fps_;
    ++next_;
    return {ReadStatus::kFrame, {}};
  }
  double nominal_fps() const override { return fps_; }
  int64_t frame_count() const override { return static_cast<int64_t>(files_.size()); }

 private:
  std::vector<fs::path> files_;
  double fps_;
  size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<Source>> open_image_folder(const std::string& dir, const SourceOptions& options) {
  fs::path images = dir;
  if (fs::is_directory(images / "img1")) images /= "img1";  // given the sequence folder
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(images, ec))
    if (entry.is_regular_file() && is_image(entry.path())) files.push_back(entry.path());
  if (ec) return Error{fmt::format("cannot list '{}': {}", images.string(), ec.message())};
  if (files.empty()) return Error{fmt::format("no .jpg/.png images in '{}'", images.string())};
  std::sort(files.begin(), files.end());  // 000001.jpg, 000002.jpg, …
  double fps = seqinfo_fps(images.parent_path() / "seqinfo.ini");
  if (fps <= 0) fps = seqinfo_fps(images / "seqinfo.ini");
  if (fps <= 0) fps = options.default_fps;
  return std::unique_ptr<Source>(new ImageFolderSource(std::move(files), fps));
}

}  // namespace vigie::video
