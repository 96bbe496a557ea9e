// group: at least min_count people whose foot points are linked by distances within
// `radius` (connected components: a line of people each close to the next is one group),
// held for min_seconds. A group keeps its identity from frame to frame while it shares at
// least two members with what it was, so people joining or one leaving do not make a new
// alert; it ends when it has been below min_count longer than max_gap_seconds.
#include <map>
#include <numeric>

#include "rules/internal.h"

namespace vigie::rules {
namespace {

std::vector<std::vector<int>> components(const std::vector<const Object*>& people, const Ground& ground,
                                         double radius) {
  const size_t n = people.size();
  std::vector<size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  std::function<size_t(size_t)> root = [&](size_t i) { return parent[i] == i ? i : parent[i] = root(parent[i]); };
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j)
      if (ground.distance(people[i]->box.foot(), people[j]->box.foot()) <= radius) parent[root(i)] = root(j);
  std::map<size_t, std::vector<int>> by_root;
  for (size_t i = 0; i < n; ++i) by_root[root(i)].push_back(static_cast<int>(i));
  std::vector<std::vector<int>> out;
  for (auto& [r, members] : by_root) out.push_back(std::move(members));
  return out;
}

class Group final : public Engine::Rule {
 public:
  Group(const std::string& cam, const CameraConfig& c, const RuleConfig& r, std::vector<AlertEvent>& out)
      : Rule(cam, r, out), settings_(config_.as<GroupRule>()), ground_(c.homography) {}

  void update(const FrameInput& in) override {
    const auto people = selected(in);
    for (const auto& members : components(people, ground_, settings_.radius)) {
      if (static_cast<int>(members.size()) < settings_.min_count) continue;
      std::set<int> ids;
      std::vector<Box> boxes;
      for (int m : members) ids.insert(people[m]->track_id), boxes.push_back(people[m]->box);
      Candidate& g = candidate_for(ids, in.time_s);
      g.members = ids;
      g.last_seen_s = in.time_s;
      const AlertBook::Situation s{{ids.begin(), ids.end()}, static_cast<double>(ids.size()), union_of(boxes), {}};
      if (book_.is_open(g.key)) book_.update(g.key, in, s);
      else if (in.time_s - g.since_s >= settings_.min_seconds) book_.open(g.key, in, g.since_s, s);
    }
    forget_unseen(candidates_, in, settings_.max_gap_seconds, book_, [](const Candidate& c) { return c.last_seen_s; });
  }

 private:
  struct Candidate {
    int64_t key;
    std::set<int> members;
    double since_s, last_seen_s;
  };

  // The candidate sharing the most members (at least two) with `ids`, or a new one.
  Candidate& candidate_for(const std::set<int>& ids, double now) {
    Candidate* best = nullptr;
    size_t best_shared = 1;
    for (auto& [key, g] : candidates_) {
      size_t shared = 0;
      for (int id : ids) shared += g.members.count(id);
      if (shared > best_shared) best = &g, best_shared = shared;
    }
    if (best) return *best;
    const int64_t key = next_key_++;
    return candidates_[key] = Candidate{key, ids, now, now};
  }

  const GroupRule& settings_;
  Ground ground_;
  std::map<int64_t, Candidate> candidates_;
  int64_t next_key_ = 1;
};

}  // namespace

std::unique_ptr<Engine::Rule> make_group(const std::string& cam, const CameraConfig& c, const RuleConfig& r,
                                         std::vector<AlertEvent>& out) {
  return std::make_unique<Group>(cam, c, r, out);
}

}  // namespace vigie::rules
