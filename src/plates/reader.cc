#include "plates/reader.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

namespace vigie::plates {
namespace {

namespace fs = std::filesystem;

// The sizes the models were converted for (scripts/make-plate-models): the detector's
// inputs, width × height, and the recogniser's line.
const cv::Size kDetectorSizes[] = {{640, 640}, {640, 480}, {480, 640}};
constexpr int kLineHeight = 48, kLineWidth = 256;

// PP-OCR's DB post-processing, as its authors publish it: a pixel is text above 0.3, a
// region is kept when its mean score is above 0.6, and its outline is grown by
// area × 1.5 / perimeter (the network is trained on shrunk text regions); 1.6 here keeps
// a plate's first and last character inside the cut.
constexpr float kTextPixel = 0.3f, kTextRegion = 0.6f, kGrowth = 1.6f;

// A French plate whose least sure character is this likely stops the search (see read()).
constexpr double kCertain = 0.9;

// A plate line is 2 to 10 times wider than high (a SIV plate's text is about 5), and a
// line under 6 pixels high holds no legible character.
constexpr float kMinAspect = 2, kMaxAspect = 10, kMinHeight = 6;

Result<Alphabet> read_alphabet(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Error{fmt::format("cannot read the recogniser's symbols '{}'", path.string())};
  std::vector<std::string> symbols{""};  // 0: the CTC blank
  for (std::string line; std::getline(in, line);) symbols.push_back(line);
  symbols.push_back(" ");  // PP-OCR appends the space
  Alphabet alphabet(std::move(symbols));
  if (alphabet.letters().size() != 26 || alphabet.digits().size() != 10)
    return Error{fmt::format("'{}' does not hold the letters A–Z and digits 0–9", path.string())};
  return alphabet;
}

// The detector input that wastes least of its area on this photo.
int detector_for(const cv::Mat& photo) {
  int best = 0;
  double best_used = 0;
  for (int i = 0; i < static_cast<int>(std::size(kDetectorSizes)); ++i) {
    const cv::Size size = kDetectorSizes[i];
    const double scale = std::min(double(size.width) / photo.cols, double(size.height) / photo.rows);
    const double used = photo.cols * scale * photo.rows * scale / size.area();
    if (used > best_used + 1e-9) best = i, best_used = used;
  }
  return best;
}

// The photo scaled into the detector's input (top-left, the rest the mean colour, which
// normalises to 0), normalised as PP-OCR feeds its detector: channels in the photo's BGR
// order, each (x / 255 − mean) / deviation with ImageNet's figures by channel index.
cv::Mat detector_input(const cv::Mat& photo, cv::Size size, double& scale) {
  scale = std::min(double(size.width) / photo.cols, double(size.height) / photo.rows);
  const cv::Scalar mean(0.485 * 255, 0.456 * 255, 0.406 * 255);
  const double deviation[] = {0.229, 0.224, 0.225};
  cv::Mat input(size, CV_8UC3, mean);
  const cv::Size scaled(std::clamp(static_cast<int>(std::lround(photo.cols * scale)), 1, size.width),
                        std::clamp(static_cast<int>(std::lround(photo.rows * scale)), 1, size.height));
  cv::resize(photo, input(cv::Rect(cv::Point(0, 0), scaled)), scaled, 0, 0, cv::INTER_AREA);
  // blobFromImage subtracts the mean (in pixel units) before scaling.
  cv::Mat blob = cv::dnn::blobFromImage(input, 1.0 / 255, cv::Size(), mean, /*swapRB=*/false);
  for (int c = 0; c < 3; ++c) {
    cv::Mat plane(size, CV_32F, blob.ptr<float>(0, c));
    plane *= 1.0 / deviation[c];
  }
  return blob;
}

struct Line {
  float score = 0;
  cv::RotatedRect rect;  // in the photo's pixels
};

// The text lines of the detector's probability map (the photo's part of it).
std::vector<Line> text_lines(const cv::Mat& map, double scale) {
  cv::Mat mask = map > kTextPixel;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  std::vector<Line> lines;
  for (const auto& contour : contours) {
    if (contour.size() < 3) continue;
    const cv::Rect bounds = cv::boundingRect(contour);
    cv::Mat inside = cv::Mat::zeros(bounds.size(), CV_8U);
    cv::fillPoly(inside, std::vector<std::vector<cv::Point>>{contour}, 255, cv::LINE_8, 0, -bounds.tl());
    const float score = static_cast<float>(cv::mean(map(bounds), inside)[0]);
    if (score < kTextRegion) continue;
    cv::RotatedRect r = cv::minAreaRect(contour);
    const float perimeter = 2 * (r.size.width + r.size.height);
    if (perimeter <= 0) continue;
    const float grow = r.size.area() * kGrowth / perimeter;
    const float s = static_cast<float>(scale);
    r = cv::RotatedRect(r.center / s, cv::Size2f((r.size.width + 2 * grow) / s, (r.size.height + 2 * grow) / s),
                        r.angle);
    const float long_side = std::max(r.size.width, r.size.height), short_side = std::min(r.size.width, r.size.height);
    if (short_side < kMinHeight || long_side < kMinAspect * short_side || long_side > kMaxAspect * short_side)
      continue;
    lines.push_back({score, r});
  }
  std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.score > b.score; });
  return lines;
}

// The line cut out of the photo along its angle, upright, left to right. The corners come
// from the rectangle's own axes (its long side read left to right), not from sorting
// points, which fails at 45° and turns lines past it upside down.
cv::Mat rectified(const cv::Mat& photo, const cv::RotatedRect& r) {
  const double radians = r.angle * CV_PI / 180;
  cv::Point2f along(static_cast<float>(std::cos(radians)), static_cast<float>(std::sin(radians)));
  float length = r.size.width, thickness = r.size.height;
  if (thickness > length) {
    along = {-along.y, along.x};
    std::swap(length, thickness);
  }
  if (along.x < 0 || (along.x == 0 && along.y < 0)) along = -along;  // read left to right
  const cv::Point2f down(-along.y, along.x);                            // image y grows downwards
  if (length < 4 || thickness < 4) return {};
  const cv::Point2f half_along = along * (length / 2), half_down = down * (thickness / 2);
  const cv::Point2f from[4] = {r.center - half_along - half_down, r.center + half_along - half_down,
                               r.center + half_along + half_down, r.center - half_along + half_down};
  const cv::Point2f to[4] = {{0, 0}, {length, 0}, {length, thickness}, {0, thickness}};
  cv::Mat cut;
  cv::warpPerspective(photo, cut, cv::getPerspectiveTransform(from, to),
                      cv::Size(static_cast<int>(length), static_cast<int>(thickness)), cv::INTER_LINEAR,
                      cv::BORDER_REPLICATE);
  return cut;
}

// The line at the recogniser's height, left-aligned in its width, normalised to [-1, 1]
// (BGR, as PP-OCR's recogniser was trained).
cv::Mat recogniser_input(const cv::Mat& line) {
  const int width = std::clamp(static_cast<int>(std::lround(kLineHeight * line.cols / double(line.rows))), 1, kLineWidth);
  cv::Mat resized;
  cv::resize(line, resized, cv::Size(width, kLineHeight));
  resized.convertTo(resized, CV_32FC3, 2.0 / 255, -1.0);
  cv::Mat padded = cv::Mat::zeros(kLineHeight, kLineWidth, CV_32FC3);
  resized.copyTo(padded(cv::Rect(0, 0, width, kLineHeight)));
  return cv::dnn::blobFromImage(padded);
}

class PaddleReader final : public PlateReader {
 public:
  PaddleReader(std::vector<cv::dnn::Net> detectors, cv::dnn::Net recogniser, Alphabet alphabet, int max_lines)
      : detectors_(std::move(detectors)), recogniser_(std::move(recogniser)), alphabet_(std::move(alphabet)),
        max_lines_(max_lines) {}

  std::vector<PlateRead> read(const cv::Mat& given) override {
    if (given.empty() || given.depth() != CV_8U) return {};
    cv::Mat photo = given;
    if (given.channels() == 1) cv::cvtColor(given, photo, cv::COLOR_GRAY2BGR);
    if (given.channels() == 4) cv::cvtColor(given, photo, cv::COLOR_BGRA2BGR);
    if (photo.channels() != 3) return {};
    const int which = detector_for(photo);
    const cv::Size size = kDetectorSizes[which];
    double scale = 1;
    detectors_[which].setInput(detector_input(photo, size, scale));
    const cv::Mat out = detectors_[which].forward();
    if (out.type() != CV_32F || out.total() != static_cast<size_t>(size.area())) return {};  // another model
    const cv::Mat map(size, CV_32F, const_cast<float*>(out.ptr<float>()));
    const int width = std::clamp(static_cast<int>(std::lround(photo.cols * scale)), 1, size.width);
    const int height = std::clamp(static_cast<int>(std::lround(photo.rows * scale)), 1, size.height);
    std::vector<PlateRead> reads;
    int tried = 0;
    for (const Line& line : text_lines(map(cv::Rect(0, 0, width, height)), scale)) {
      if (tried == max_lines_) break;
      const cv::Mat cut = rectified(photo, line.rect);
      if (cut.empty()) continue;
      ++tried;
      auto plate = recognise(cut);
      if (!plate) continue;
      reads.push_back({*plate, line.rect, Box::from(line.rect.boundingRect())});
      // A French plate read with every character near-certain: the other lines cost a
      // recogniser pass each and could only add a second plate.
      if (plate->format != PlateFormat::kForeign && plate->format != PlateFormat::kOther &&
          plate->confidence >= kCertain)
        break;
    }
    // A line in a known plate shape before one in none (a shop sign, a vanity plate).
    std::stable_sort(reads.begin(), reads.end(), [](const PlateRead& a, const PlateRead& b) {
      const bool a_known = a.plate.format != PlateFormat::kOther, b_known = b.plate.format != PlateFormat::kOther;
      return a_known != b_known ? a_known : a.plate.confidence > b.plate.confidence;
    });
    return reads;
  }

 private:
  std::optional<PlateText> recognise(const cv::Mat& line) {
    recogniser_.setInput(recogniser_input(line));
    const cv::Mat out = recogniser_.forward();  // 1 × steps × symbols
    if (out.dims != 3 || out.size[2] != alphabet_.size()) return std::nullopt;
    CharacterScores scores;
    scores.steps = out.size[1];
    scores.symbols = out.size[2];
    scores.probabilities.assign(out.ptr<float>(), out.ptr<float>() + out.total());
    return read_plate(scores, alphabet_);
  }

  std::vector<cv::dnn::Net> detectors_;  // one per kDetectorSizes
  cv::dnn::Net recogniser_;
  Alphabet alphabet_;
  int max_lines_;
};

Result<cv::dnn::Net> load(const fs::path& path) {
  if (!fs::exists(path))
    return Error{fmt::format("no plate model '{}': `make build` makes it (scripts/make-plate-models)", path.string())};
  try {
    return cv::dnn::readNetFromONNX(path.string());
  } catch (const cv::Exception& e) {
    return Error{fmt::format("cannot load '{}': {}", path.string(), e.what())};
  }
}

}  // namespace

std::string default_models_folder() {
  if (const char* env = std::getenv("VIGIE_PLATE_MODELS"); env && *env) return env;
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return "plate-models";
  const fs::path installed = bin.parent_path() / "share" / "vigie" / "plate-models";  // the Debian package
  return fs::exists(bin / "plate-models", ec) || !fs::exists(installed, ec) ? (bin / "plate-models").string()
                                                                           : installed.string();
}

Result<std::unique_ptr<PlateReader>> PlateReader::open(const ReaderSettings& settings) {
  if (settings.max_lines < 1) return Error{"the plate reader must read at least one text line a photo"};
  const fs::path folder = settings.models.empty() ? fs::path(default_models_folder()) : fs::path(settings.models);
  std::vector<cv::dnn::Net> detectors;
  for (const cv::Size size : kDetectorSizes) {
    auto detector = load(folder / fmt::format("text-detector-{}x{}.onnx", size.width, size.height));
    if (!detector) return detector.error();
    detectors.push_back(std::move(*detector));
  }
  auto recogniser = load(folder / "text-recogniser.onnx");
  if (!recogniser) return recogniser.error();
  auto alphabet = read_alphabet(folder / "text-recogniser.keys");
  if (!alphabet) return alphabet.error();
  return std::unique_ptr<PlateReader>(
      new PaddleReader(std::move(detectors), std::move(*recogniser), std::move(*alphabet), settings.max_lines));
}

}  // namespace vigie::plates
