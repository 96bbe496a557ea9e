#include "city/report.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <limits>
#include <sstream>

namespace vigie::city {

using nlohmann::json;

namespace {

json coords(const LocalFrame& frame, const std::vector<XY>& pts) {
  json c = json::array();
  for (const auto& p : pts) {
    const LatLon ll = frame.to_latlon(p);
    c.push_back({std::round(ll.lon * 1e7) / 1e7, std::round(ll.lat * 1e7) / 1e7});
  }
  return c;
}

json feature(json geometry, json properties) {
  return {{"type", "Feature"}, {"geometry", std::move(geometry)}, {"properties", std::move(properties)}};
}

json collection(json features) { return {{"type", "FeatureCollection"}, {"features", std::move(features)}}; }

json polygon_geometry(const LocalFrame& frame, const Polygon& poly) {
  json rings = json::array();
  rings.push_back(coords(frame, {poly.outer().begin(), poly.outer().end()}));
  for (const auto& in : poly.inners()) rings.push_back(coords(frame, {in.begin(), in.end()}));
  return {{"type", "Polygon"}, {"coordinates", rings}};
}

XY along(XY a, XY b, double s, double length) {
  const double t = length > 0 ? s / length : 0;
  return {a.x() + (b.x() - a.x()) * t, a.y() + (b.y() - a.y()) * t};
}

// Calls piece(edge, a, b, seen) for the seen and unseen stretches of every edge.
template <typename Piece>
void for_each_piece(const WalkNetwork& net, Piece piece) {
  for (const auto& e : net.edges()) {
    const XY a = net.nodes()[e.a].xy, b = net.nodes()[e.b].xy;
    for_each_stretch(e, [&](double s0, double s1, bool seen) {
      if (s1 - s0 > 1e-6) piece(e, along(a, b, s0, e.length_m), along(a, b, s1, e.length_m), seen);
    });
  }
}

std::vector<XY> route_points(const WalkNetwork& net, const Route& r) {
  std::vector<XY> pts;
  for (const auto n : r.nodes) pts.push_back(net.nodes()[n].xy);
  return pts;
}

// The drawing's extent: the streets (cameras far outside them would shrink the picture).
BBox extent(const CityModel& m) {
  BBox box;
  bg::assign_inverse(box);
  for (const auto& n : m.network.nodes()) bg::expand(box, n.xy);
  for (const auto& v : m.viewsheds)
    if (!v.outer().empty()) bg::expand(box, bg::return_envelope<BBox>(v));
  if (box.min_corner().x() > box.max_corner().x()) box = BBox({-100, -100}, {100, 100});
  return box;
}

const char* kRouteColours[] = {"#1f4fd1", "#d18a1f", "#7a1fd1", "#1fa3d1"};

}  // namespace

json viewsheds_geojson(const CityModel& m) {
  json features = json::array();
  for (size_t i = 0; i < m.viewsheds.size(); ++i) {
    if (m.viewsheds[i].outer().empty()) continue;
    const Camera& c = m.data.cameras[i];
    features.push_back(feature(polygon_geometry(m.frame, m.viewsheds[i]),
                               {{"camera", c.id}, {"kind", kind_name(c.kind)}, {"fov_deg", c.fov_deg},
                                {"range_m", c.range_m}, {"area_m2", std::round(bg::area(m.viewsheds[i]))}}));
  }
  return collection(features);
}

json segments_geojson(const CityModel& m) {
  json features = json::array();
  for_each_piece(m.network, [&](const NetworkEdge& e, XY a, XY b, bool seen) {
    features.push_back(feature({{"type", "LineString"}, {"coordinates", coords(m.frame, {a, b})}},
                               {{"way", m.network.way_ids()[e.way]}, {"seen", seen},
                                {"underground", e.underground}, {"crossing", e.crossing},
                                {"length_m", std::round(distance(a, b) * 100) / 100}}));
  });
  return collection(features);
}

json cells_geojson(const CityModel& m, const Coverage& cov) {
  json features = json::array();
  for (const auto& c : cov.cells) {
    const double g = cov.grid_m, x0 = c.ix * g, y0 = c.iy * g;
    Polygon square;
    for (const XY p : {XY(x0, y0), XY(x0, y0 + g), XY(x0 + g, y0 + g), XY(x0 + g, y0), XY(x0, y0)})
      square.outer().push_back(p);
    features.push_back(feature(polygon_geometry(m.frame, square),
                               {{"cell", fmt::format("{},{}", c.ix, c.iy)},
                                {"street_m", std::round(c.street_m)}, {"seen_m", std::round(c.seen_m)},
                                {"share", c.street_m > 0 ? std::round(c.seen_m / c.street_m * 1000) / 1000 : 0.0}}));
  }
  return collection(features);
}

json route_feature(const CityModel& m, const Route& r, const std::string& name) {
  json cams = json::array();
  for (const auto c : r.cameras) cams.push_back(m.data.cameras[c].id);
  return feature({{"type", "LineString"}, {"coordinates", coords(m.frame, route_points(m.network, r))}},
                 {{"name", name}, {"length_m", std::round(r.length_m * 10) / 10},
                  {"seen_m", std::round(r.seen_m * 10) / 10}, {"cameras", cams}});
}

std::string html_report(const CityModel& m, const Coverage& cov, const Costs& costs,
                        const std::vector<NamedRoute>& routes, const std::string& title) {
  const BBox box = extent(m);
  const double x0 = box.min_corner().x(), y1 = box.max_corner().y();
  const double w = box.max_corner().x() - x0, h = y1 - box.min_corner().y();
  // SVG y grows downwards; north stays up.
  auto pt = [&](XY p) { return fmt::format("{:.1f},{:.1f}", p.x() - x0, y1 - p.y()); };
  auto path_of = [&](const auto& ring) {
    std::string d = "M";
    for (const auto& p : ring) d += pt(p) + " ";
    return d + "Z";
  };
  std::ostringstream svg;
  svg << fmt::format("<svg viewBox='0 0 {:.0f} {:.0f}' xmlns='http://www.w3.org/2000/svg' style='width:100%;"
                     "background:#f4f1ea'>\n", w, h);
  svg << "<g fill='#c9c3b8' stroke='none'>";
  for (const auto& b : m.data.buildings)
    if (!b.underground) svg << "<path d='" << path_of(to_local(b, m.frame).outer()) << "'/>";
  svg << "</g>\n<g fill='#e0301e' fill-opacity='0.18' stroke='#e0301e' stroke-opacity='0.4' stroke-width='0.3'>";
  for (const auto& v : m.viewsheds)
    if (!v.outer().empty()) svg << "<path d='" << path_of(v.outer()) << "'/>";
  svg << "</g>\n<g stroke-width='1.5' stroke-linecap='round'>";
  for_each_piece(m.network, [&](const NetworkEdge& e, XY a, XY b, bool seen) {
    if (e.crossing || e.underground) return;
    svg << fmt::format("<line x1='{:.1f}' y1='{:.1f}' x2='{:.1f}' y2='{:.1f}' stroke='{}'/>", a.x() - x0, y1 - a.y(),
                       b.x() - x0, y1 - b.y(), seen ? "#c0281a" : "#3a7d44");
  });
  svg << "</g>\n";
  for (size_t i = 0; i < routes.size(); ++i) {
    svg << "<polyline fill='none' stroke-width='4' stroke-opacity='0.8' stroke='"
        << kRouteColours[i % std::size(kRouteColours)] << "' points='";
    for (const auto& p : route_points(m.network, routes[i].route)) svg << pt(p) << " ";
    svg << "'><title>" << routes[i].name << "</title></polyline>\n";
  }
  svg << "<g>";
  for (const auto& c : m.data.cameras) {
    if (c.indoor) continue;
    const XY p = m.frame.to_xy(c.position);
    svg << fmt::format("<circle cx='{:.1f}' cy='{:.1f}' r='2.5' fill='#111'><title>{}</title></circle>", p.x() - x0,
                       y1 - p.y(), c.id);
  }
  svg << "</g></svg>\n";

  std::ostringstream html;
  html << "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'><title>" << title
       << "</title>\n<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
          ".k{display:inline-block;width:1em;height:.6em;margin:0 .3em}</style></head><body>\n";
  html << "<h1>" << title << "</h1>\n";
  html << fmt::format(
      "<p><b>{:.1f} %</b> of {:.1f} km of walkable street is seen by at least one of {} street cameras "
      "({} indoor cameras left out, {} below ground). Below ground: {:.2f} of {:.2f} km seen.</p>\n",
      100 * cov.share(), cov.street_m / 1000, cov.street_cameras, cov.indoor_cameras, cov.underground_cameras,
      cov.underground_seen_m / 1000, cov.underground_m / 1000);
  html << fmt::format(
      "<p>Cost of {} cameras: {:.1f}–{:.1f} M€ to install, {:.2f} M€ a year to run; per km of street seen: "
      "{:.0f}–{:.0f} k€ installed, {:.0f} k€ a year.</p>\n",
      costs.cameras, costs.install_low_eur / 1e6, costs.install_high_eur / 1e6, costs.upkeep_eur_per_year / 1e6,
      costs.install_low_per_km / 1e3, costs.install_high_per_km / 1e3, costs.upkeep_per_km_year / 1e3);
  for (size_t i = 0; i < routes.size(); ++i)
    html << fmt::format("<p><span class='k' style='background:{}'></span>{}: {:.0f} m, {:.0f} m seen, {} cameras</p>\n",
                        kRouteColours[i % std::size(kRouteColours)], routes[i].name, routes[i].route.length_m,
                        routes[i].route.seen_m, routes[i].route.cameras.size());
  html << "<p><span class='k' style='background:#c0281a'></span>street seen <span class='k' "
          "style='background:#3a7d44'></span>street unseen <span class='k' style='background:#e0301e;opacity:.3'>"
          "</span>camera view <span class='k' style='background:#c9c3b8'></span>building. North is up; "
          "map data © OpenStreetMap contributors (ODbL).</p>\n";
  html << svg.str();
  html << fmt::format("<h2>Coverage per {:.0f} m cell</h2>\n<table><tr><th>cell (east, north)</th><th>street m</th>"
                      "<th>seen m</th><th>share</th></tr>\n", cov.grid_m);
  for (const auto& c : cov.cells)
    html << fmt::format("<tr><td>{},{}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.1f} %</td></tr>\n", c.ix, c.iy,
                        c.street_m, c.seen_m, c.street_m > 0 ? 100 * c.seen_m / c.street_m : 0);
  html << "</table>\n</body></html>\n";
  return html.str();
}

bool write_image(const CityModel& m, const std::vector<NamedRoute>& routes, const std::string& path, int width) {
  const BBox box = extent(m);
  const double x0 = box.min_corner().x(), y1 = box.max_corner().y();
  const double scale = width / (box.max_corner().x() - x0);
  const int height = std::max(1, static_cast<int>((y1 - box.min_corner().y()) * scale));
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(234, 241, 244));
  auto px = [&](XY p) { return cv::Point(cvRound((p.x() - x0) * scale), cvRound((y1 - p.y()) * scale)); };
  auto fill = [&](cv::Mat& target, const Ring& ring, cv::Scalar colour) {
    std::vector<cv::Point> pts;
    for (const auto& p : ring) pts.push_back(px(p));
    cv::fillPoly(target, std::vector<std::vector<cv::Point>>{pts}, colour, cv::LINE_AA);
  };
  for (const auto& b : m.data.buildings)
    if (!b.underground) fill(img, to_local(b, m.frame).outer(), cv::Scalar(184, 195, 201));
  cv::Mat views = img.clone();
  for (const auto& v : m.viewsheds)
    if (!v.outer().empty()) fill(views, v.outer(), cv::Scalar(30, 48, 224));
  cv::addWeighted(views, 0.25, img, 0.75, 0, img);
  const int line = std::max(1, width / 600);
  for_each_piece(m.network, [&](const NetworkEdge& e, XY a, XY b, bool seen) {
    if (e.crossing || e.underground) return;
    cv::line(img, px(a), px(b), seen ? cv::Scalar(26, 40, 192) : cv::Scalar(68, 125, 58), line, cv::LINE_AA);
  });
  const cv::Scalar route_bgr[] = {{209, 79, 31}, {31, 138, 209}, {209, 31, 122}, {209, 163, 31}};
  for (size_t i = 0; i < routes.size(); ++i) {
    std::vector<cv::Point> pts;
    for (const auto& p : route_points(m.network, routes[i].route)) pts.push_back(px(p));
    cv::polylines(img, pts, false, route_bgr[i % std::size(route_bgr)], 3 * line, cv::LINE_AA);
  }
  for (const auto& c : m.data.cameras)
    if (!c.indoor) cv::circle(img, px(m.frame.to_xy(c.position)), 2 * line, cv::Scalar(17, 17, 17), cv::FILLED, cv::LINE_AA);
  // Line drawings compress well in PNG; a JPEG at 85 keeps the thin streets legible.
  return cv::imwrite(path, img, {cv::IMWRITE_JPEG_QUALITY, 85, cv::IMWRITE_PNG_COMPRESSION, 9});
}

}  // namespace vigie::city
