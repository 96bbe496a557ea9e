// `vigie eval-colours`: the clothing colour names on a labelled set of person crops.
#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "cli/commands.h"
#include "describe/body.h"
#include "eval/colour_eval.h"
#include "video/source.h"

namespace vigie::cli {
namespace {

// The frames a video's labels need, and the scene's background: the per-pixel median of
// frames spread over the whole video (people move; the pavement stays), as a camera's
// background model would have it.
struct VideoFrames {
  std::map<int, cv::Mat> wanted;
  cv::Mat background;
};

VideoFrames read_frames(const std::string& name, const std::string& path, const std::set<int>& wanted) {
  auto source = video::open_source(path);
  if (!source) throw UsageError(fmt::format("video '{}': {}", name, source.error().message));
  const int64_t count = (*source)->frame_count();
  constexpr int kBackgroundFrames = 25;
  const int64_t every = count > 0 ? std::max<int64_t>(1, count / kBackgroundFrames) : 10;
  VideoFrames out;
  std::vector<cv::Mat> samples;
  Frame frame;
  for (int n = 1;; ++n) {
    const auto r = (*source)->read(frame);
    if (r.status == video::ReadStatus::kError) throw UsageError(fmt::format("video '{}': {}", name, r.error));
    if (r.status == video::ReadStatus::kEnd) break;
    if (wanted.count(n)) out.wanted[n] = frame.image.clone();
    if ((n - 1) % every == 0) samples.push_back(frame.image.clone());
  }
  for (int f : wanted)
    if (!out.wanted.count(f)) throw UsageError(fmt::format("video '{}' has no frame {}", name, f));
  if (samples.size() >= 3) {
    out.background.create(samples[0].size(), samples[0].type());
    std::vector<uchar> v(samples.size());
    for (int y = 0; y < out.background.rows; ++y)
      for (int x = 0; x < out.background.cols * 3; ++x) {
        for (size_t i = 0; i < samples.size(); ++i) v[i] = samples[i].ptr<uchar>(y)[x];
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        out.background.ptr<uchar>(y)[x] = v[v.size() / 2];
      }
  }
  return out;
}

nlohmann::json names_json(const describe::ColourNames& names) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& n : names) j.push_back({{"colour", describe::colour_name(n.colour)}, {"share", n.share}});
  return j;
}

}  // namespace

int eval_colours(const EvalColoursOptions& o) {
  auto labels = eval::read_colour_labels(o.labels_path);
  if (!labels) throw UsageError(labels.error().message);
  std::map<std::string, std::string> videos;
  for (const auto& v : o.videos) {
    const auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("--video '{}': expected NAME=FILE", v));
    videos[v.substr(0, eq)] = v.substr(eq + 1);
  }
  std::map<std::string, std::set<int>> wanted;
  for (const auto& l : *labels) {
    if (!videos.count(l.video))
      throw UsageError(fmt::format("{}:{}: video '{}' was not given (--video {}=FILE)", o.labels_path, l.line, l.video,
                                   l.video));
    wanted[l.video].insert(l.frame);
  }
  std::map<std::string, VideoFrames> frames;
  for (const auto& [name, set] : wanted) frames[name] = read_frames(name, videos[name], set);

  std::vector<eval::ColourGuess> guesses;
  double compute_s = 0;
  for (const auto& l : *labels) {
    const auto& v = frames[l.video];
    const auto t0 = std::chrono::steady_clock::now();
    const auto votes = describe::vote_body(v.wanted.at(l.frame), l.box, o.no_background ? cv::Mat() : v.background);
    guesses.push_back({describe::names_from_votes(votes.upper), describe::names_from_votes(votes.lower)});
    compute_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const auto score = eval::score_colours(*labels, guesses);
  const double ms_per_crop = score.crops ? 1000 * compute_s / score.crops : 0;
  if (o.json) {
    nlohmann::json j = {{"crops", score.crops},
                        {"upper_accuracy", score.upper_accuracy},
                        {"lower_accuracy", score.lower_accuracy},
                        {"ms_per_crop", ms_per_crop},
                        {"confusion", score.confusion}};
    if (o.list) {
      j["guesses"] = nlohmann::json::array();
      for (size_t i = 0; i < guesses.size(); ++i)
        j["guesses"].push_back({{"line", (*labels)[i].line}, {"upper", names_json(guesses[i].upper)},
                                {"lower", names_json(guesses[i].lower)}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{} crops: upper body {:.3f}, lower body {:.3f} (most likely name among the accepted ones); {:.2f} ms "
             "per crop\n",
             score.crops, score.upper_accuracy, score.lower_accuracy, ms_per_crop);
  fmt::print("confusion (labelled → named, both regions):\n");
  for (const auto& [wanted_name, said] : score.confusion) {
    std::string row;
    for (const auto& [name, n] : said) row += fmt::format(" {} {}", name, n);
    fmt::print("  {:<7}→{}\n", wanted_name, row);
  }
  if (o.list)
    for (const auto& m : score.mistakes)
      fmt::print("{}:{}: {} named {}, labelled {}\n", o.labels_path, m.line, m.region, m.said, m.wanted);
  return 0;
}

}  // namespace vigie::cli
