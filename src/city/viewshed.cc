#include "city/viewshed.h"

#include <boost/geometry/index/rtree.hpp>
#include <boost/iterator/function_output_iterator.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace vigie::city {

namespace bgi = boost::geometry::index;
using std::numbers::pi;

struct Obstacles::Index {
  // Walls by segment, buildings by bounding box (value: index into the lists).
  bgi::rtree<std::pair<Segment, size_t>, bgi::rstar<16>> walls;
  bgi::rtree<std::pair<BBox, size_t>, bgi::rstar<16>> boxes;
};

Obstacles::Obstacles(std::vector<Polygon> buildings) : buildings_(std::move(buildings)), index_(new Index) {
  std::vector<std::pair<Segment, size_t>> walls;
  std::vector<std::pair<BBox, size_t>> boxes;
  for (size_t b = 0; b < buildings_.size(); ++b) {
    boxes.emplace_back(bg::return_envelope<BBox>(buildings_[b]), b);
    auto add_ring = [&](const Ring& r) {
      for (size_t i = 0; i + 1 < r.size(); ++i) walls.emplace_back(Segment(r[i], r[i + 1]), b);
    };
    add_ring(buildings_[b].outer());
    for (const auto& inner : buildings_[b].inners()) add_ring(inner);
  }
  // Bulk loading (packing) builds a better tree than one insert at a time.
  index_->walls = decltype(index_->walls)(walls.begin(), walls.end());
  index_->boxes = decltype(index_->boxes)(boxes.begin(), boxes.end());
}

Obstacles::~Obstacles() = default;
Obstacles::Obstacles(Obstacles&&) noexcept = default;
Obstacles& Obstacles::operator=(Obstacles&&) noexcept = default;

void Obstacles::walls_near(const BBox& box, std::vector<Wall>& out) const {
  out.clear();
  index_->walls.query(bgi::intersects(box), boost::make_function_output_iterator([&](const auto& v) {
                        out.push_back({v.first, v.second});
                      }));
}

double Obstacles::distance_to_outline(XY p, size_t i) const {
  const Polygon& b = buildings_[i];
  double d = bg::distance(p, Linestring(b.outer().begin(), b.outer().end()));
  for (const auto& in : b.inners()) d = std::min(d, bg::distance(p, Linestring(in.begin(), in.end())));
  return d;
}

std::vector<size_t> Obstacles::outlines_near(XY p, double tolerance) const {
  const BBox box({p.x() - tolerance, p.y() - tolerance}, {p.x() + tolerance, p.y() + tolerance});
  std::vector<size_t> out;
  index_->boxes.query(bgi::intersects(box), boost::make_function_output_iterator([&](const auto& v) {
                        if (distance_to_outline(p, v.second) <= tolerance) out.push_back(v.second);
                      }));
  return out;
}

std::optional<size_t> Obstacles::building_containing(XY p) const {
  std::optional<size_t> found;
  index_->boxes.query(bgi::contains(p), boost::make_function_output_iterator([&](const auto& v) {
                        if (!found && bg::within(p, buildings_[v.second])) found = v.second;
                      }));
  return found;
}

namespace {

constexpr double kTwoPi = 2 * pi;
constexpr int kBins = 360;
constexpr double kMinRay = 0.05;  // a ray stopped at the camera keeps this length: no self-touching ring

double wrap(double a) {
  a = std::fmod(a, kTwoPi);
  return a < 0 ? a + kTwoPi : a;
}

int bin_of(double angle) { return std::min(kBins - 1, static_cast<int>(wrap(angle) / kTwoPi * kBins)); }

// Distance along the ray from the origin with unit direction d to segment (a, b), or −1.
double ray_hit(double dx, double dy, const XY& a, const XY& b) {
  const double ex = b.x() - a.x(), ey = b.y() - a.y();
  const double denom = dx * ey - dy * ex;
  if (std::abs(denom) < 1e-12) return -1;
  const double t = (a.x() * ey - a.y() * ex) / denom;  // along the ray
  const double u = (a.x() * dy - a.y() * dx) / denom;  // along the wall
  return (t >= 0 && u >= -1e-9 && u <= 1 + 1e-9) ? t : -1;
}

struct LocalWall {
  XY a, b;  // relative to the eye
  bool host;
};

class RayCaster {
 public:
  RayCaster(XY eye, double range, const Obstacles& obstacles, const ViewshedOptions& opt)
      : eye_(eye), range_(range), obstacles_(obstacles), tolerance_(opt.wall_tolerance_m) {
    hosts_ = obstacles.outlines_near(eye, tolerance_);
    const BBox box({eye.x() - range, eye.y() - range}, {eye.x() + range, eye.y() + range});
    std::vector<Obstacles::Wall> near;
    obstacles.walls_near(box, near);
    for (const auto& w : near) add_wall(w);
  }

  // Math angles (counter-clockwise from east) of the wall corners in sight range.
  const std::vector<double>& corner_angles() const { return corners_; }

  double cast(double angle) const {
    const double dx = std::cos(angle), dy = std::sin(angle);
    if (into_host(dx, dy)) return kMinRay;
    double best = range_;
    for (const size_t w : bins_[bin_of(angle)]) {
      const auto& wall = walls_[w];
      const double t = ray_hit(dx, dy, wall.a, wall.b);
      // A wall the camera is mounted on does not hide what lies in front of it.
      if (t >= 0 && t < best && !(wall.host && t < 2 * tolerance_)) best = t;
    }
    return std::max(best, kMinRay);
  }

 private:
  void add_wall(const Obstacles::Wall& w) {
    const XY a(w.segment.first.x() - eye_.x(), w.segment.first.y() - eye_.y());
    const XY b(w.segment.second.x() - eye_.x(), w.segment.second.y() - eye_.y());
    const bool host = std::find(hosts_.begin(), hosts_.end(), w.building) != hosts_.end();
    const size_t index = walls_.size();
    walls_.push_back({a, b, host});
    double a0 = std::atan2(a.y(), a.x()), a1 = std::atan2(b.y(), b.x());
    corners_.push_back(a0);
    corners_.push_back(a1);
    // The wall spans the shorter arc between its corners (it cannot pass the eye, or it
    // would be a host wall touching it: then it spans both sides, so take every bin).
    double span = wrap(a1 - a0);
    if (span > pi) {
      std::swap(a0, a1);
      span = kTwoPi - span;
    }
    const bool through_eye = std::abs(a.x() * b.y() - a.y() * b.x()) < 1e-9;
    const int first = bin_of(a0), n = through_eye ? kBins : bin_of(a0 + span) - first + 1;
    for (int i = 0; i < (n <= 0 ? n + kBins : n); ++i) bins_[(first + i) % kBins].push_back(index);
  }

  // Does the ray start into a building the camera is mounted on?
  bool into_host(double dx, double dy) const {
    if (hosts_.empty()) return false;
    const XY probe(eye_.x() + dx * (tolerance_ + 0.05), eye_.y() + dy * (tolerance_ + 0.05));
    for (const size_t h : hosts_)
      if (bg::within(probe, obstacles_.building(h))) return true;
    return false;
  }

  XY eye_;
  double range_;
  const Obstacles& obstacles_;
  double tolerance_;
  std::vector<size_t> hosts_;
  std::vector<LocalWall> walls_;
  std::vector<double> corners_;
  std::array<std::vector<size_t>, kBins> bins_;
};

bool in_sector(double angle, double start, double width) { return wrap(angle - start) <= width; }

}  // namespace

Polygon compute_viewshed(XY eye, std::optional<double> heading_deg, double fov_deg, double range_m,
                         const Obstacles& obstacles, const ViewshedOptions& options) {
  const bool all_around = !heading_deg || fov_deg >= 360;
  const double width = all_around ? kTwoPi : fov_deg * pi / 180;
  // Compass bearing b (clockwise from north) is the math angle 90° − b.
  const double start = all_around ? 0 : wrap(pi / 2 - *heading_deg * pi / 180 - width / 2);
  RayCaster caster(eye, range_m, obstacles, options);

  // Rays at a regular step, plus just before, at and after every wall corner in the sector,
  // so that the polygon's corners fall on the walls' corners.
  std::vector<double> offsets;
  const int steps = std::max(1, static_cast<int>(std::ceil(width / (options.angular_step_deg * pi / 180))));
  for (int i = 0; i <= steps; ++i) offsets.push_back(width * i / steps);
  constexpr double kEps = 1e-7;
  for (const double c : caster.corner_angles())
    for (const double e : {-kEps, 0.0, kEps})
      if (in_sector(c + e, start, width)) offsets.push_back(wrap(c + e - start));
  std::sort(offsets.begin(), offsets.end());
  if (all_around) offsets.pop_back();  // 2π is 0 again

  Polygon poly;
  auto& ring = poly.outer();
  if (!all_around) ring.push_back(eye);
  for (const double off : offsets) {
    const double angle = start + off;
    const double r = caster.cast(angle);
    const XY p(eye.x() + r * std::cos(angle), eye.y() + r * std::sin(angle));
    if (ring.empty() || distance(ring.back(), p) > 1e-6) ring.push_back(p);
  }
  bg::correct(poly);  // orientation and closure as Boost expects
  return poly;
}

}  // namespace vigie::city
