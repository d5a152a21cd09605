#include "agent/report/report_diagram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "agent/report/markup.h"

namespace cloison {

namespace {

constexpr double kMargin = 20, kZoneWidth = 280, kGapX = 190, kGapY = 50, kHeader = 58;
constexpr double kNodeHeight = 40, kNodeGap = 10, kPadding = 20;
constexpr std::size_t kLabelItems = 8;
constexpr std::size_t kAllItems = std::numeric_limits<std::size_t>::max();

struct box {
  double x = 0, y = 0, w = 0, h = 0;
  double cx() const { return x + w / 2; }
  double cy() const { return y + h / 2; }
};

enum class node_kind { host, directory, vantage };

struct node {
  node_kind kind;
  std::string name;
  std::string detail;  // address, URI, or "via ..."
  bool current = false;
  box at;
};

struct zone {
  std::string name;
  std::string role;
  std::string cidrs;
  std::vector<node> nodes;
  box at;
};

struct edge {
  std::string css;  // declared-open | declared-untested | forbidden-open
  std::string from, to;
  std::string ports;
  const box* source = nullptr;  // the zones or nodes it joins
  const box* target = nullptr;
  box from_at, to_at;  // where it is drawn between
};

std::string num(double v) {
  std::ostringstream s;
  s << std::round(v * 10) / 10;
  return s.str();
}

std::string joined(const std::vector<std::string>& items, std::size_t max_items) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < max_items; ++i)
    out += (i ? ", " : "") + items[i];
  if (items.size() > max_items)
    out += ", +" + std::to_string(items.size() - max_items);
  return out;
}

// Sorted ports as "22, 445, 2500-3300".
std::vector<std::string> port_ranges(const std::set<unsigned>& ports) {
  std::vector<std::string> out;
  for (auto it = ports.begin(); it != ports.end();) {
    unsigned first = *it, last = *it;
    while (++it != ports.end() && *it == last + 1)
      last = *it;
    out.push_back(first == last ? std::to_string(first)
                                : std::to_string(first) + "-" + std::to_string(last));
  }
  return out;
}

// The point where the ray from b's centre towards (tx, ty) leaves b.
std::pair<double, double> border_point(const box& b, double tx, double ty) {
  const double dx = tx - b.cx(), dy = ty - b.cy();
  if (dx == 0 && dy == 0)
    return {b.cx(), b.cy()};
  const double t =
      std::min(dx != 0 ? (b.w / 2) / std::abs(dx) : 1e9, dy != 0 ? (b.h / 2) / std::abs(dy) : 1e9);
  return {b.cx() + dx * t, b.cy() + dy * t};
}

bool inside(const box& inner, const box& outer) {
  return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.w <= outer.x + outer.w &&
         inner.y + inner.h <= outer.y + outer.h;
}

class diagram {
 public:
  explicit diagram(const report& r) : r_(r), t_(*r.topology) {
    place_zones();
    collect_edges();
  }

  std::string svg() const {
    std::ostringstream out;
    out << "<svg class=\"diagram\" viewBox=\"0 0 " << num(width_) << " " << num(height_)
        << "\" width=\"" << num(width_) << "\" height=\"" << num(height_)
        << "\" role=\"img\" font-family=\"sans-serif\"><title>" << escape_markup(r_.establishment)
        << "</title>\n";
    for (const auto& z : zones_)
      draw_zone(out, z);
    for (std::size_t i = 0; i < edges_.size(); ++i)
      draw_edge(out, edges_[i], offset_of(i));
    out << "</svg>\n";
    return out.str();
  }

 private:
  zone* zone_named(const std::string& name) {
    for (auto& z : zones_) {
      if (z.name == name)
        return &z;
    }
    return nullptr;
  }

  const node* node_named(const std::string& name) const {
    for (const auto& z : zones_) {
      for (const auto& n : z.nodes) {
        if (n.name == name && n.kind != node_kind::vantage)
          return &n;
      }
    }
    return nullptr;
  }

  // Adds a node to its segment's zone, or to the zone of the unplaced ("—") when the segment is
  // not declared.
  void add_node(const std::string& segment, node n) {
    zone* z = zone_named(segment);
    if (!z || segment.empty()) {
      z = zone_named("\xE2\x80\x94");
      if (!z)
        z = &zones_.emplace_back(zone{"\xE2\x80\x94", "other", "", {}, {}});
    }
    z->nodes.push_back(std::move(n));
  }

  void place_zones() {
    for (const auto& s : t_.segments)
      zones_.push_back({s.name, s.role, joined(s.cidrs, 3), {}, {}});
    for (const auto& v : t_.vantage_points) {
      add_node(v.segment, {node_kind::vantage,
                           v.name,
                           v.via == "local" ? "" : "via " + v.via,
                           v.name == t_.vantage,
                           {}});
    }
    for (const auto& h : t_.hosts)
      add_node(h.segment, {node_kind::host, h.name, h.address + "  " + h.os, false, {}});
    for (const auto& d : t_.directories)
      add_node(d.segment, {node_kind::directory, d.name, d.uri, false, {}});
    for (const auto& f : r_.flows) {  // a tested destination the topology does not name
      if (!node_named(f.to))
        add_node("", {node_kind::host, f.to, f.address, false, {}});
    }
    // Backup segments in the middle column; production-side segments on the left, the
    // administration on the right, the others where there are fewer zones.
    std::array<std::vector<zone*>, 3> columns;
    for (auto& z : zones_) {
      std::size_t side = z.role == "backup" ? 1 : z.role == "administration" ? 2 : 0;
      if (z.role == "other")
        side = columns[0].size() < columns[2].size() ? 0 : 2;
      if (side != 1 && columns[side].size() > columns[2 - side].size() + 1)
        side = 2 - side;
      columns[side].push_back(&z);
    }
    std::array<double, 3> heights{};
    for (std::size_t c = 0; c < 3; ++c) {
      for (auto* z : columns[c]) {
        z->at.h = kHeader +
                  static_cast<double>(std::max<std::size_t>(z->nodes.size(), 1)) *
                      (kNodeHeight + kNodeGap) +
                  kPadding;
        heights[c] += z->at.h + (heights[c] > 0 ? kGapY : 0);
      }
    }
    const double tallest = *std::max_element(heights.begin(), heights.end());
    double x = kMargin;
    for (std::size_t c = 0; c < 3; ++c) {
      if (columns[c].empty())
        continue;
      double y = kMargin + (tallest - heights[c]) / 2;
      for (auto* z : columns[c]) {
        z->at = {x, y, kZoneWidth, z->at.h};
        double ny = y + kHeader;
        for (auto& n : z->nodes) {
          n.at = {x + kPadding, ny, kZoneWidth - 2 * kPadding, kNodeHeight};
          ny += kNodeHeight + kNodeGap;
        }
        y += z->at.h + kGapY;
      }
      width_ = x + kZoneWidth + kMargin;
      x += kZoneWidth + kGapX;
    }
    height_ = tallest + 2 * kMargin;
    width_ = std::max(width_, 2 * kMargin);
  }

  const box* zone_box(const std::string& name) {
    const auto* z = zone_named(name);
    return z ? &z->at : nullptr;
  }

  const box* node_box(const std::string& name) const {
    const auto* n = node_named(name);
    return n ? &n->at : nullptr;
  }

  void collect_edges() {
    for (const auto& f : t_.flows) {
      const bool seen_open = std::any_of(r_.flows.begin(), r_.flows.end(), [&](const auto& p) {
        if (p.expected != "allowed" || p.verdict != "open" || p.from != f.from)
          return false;
        if (p.to == f.to)
          return true;
        const auto* n = node_named(p.to);
        const auto* z = zone_named(f.to);
        return n && z && inside(n->at, z->at);
      });
      add_edge({seen_open ? "declared-open" : "declared-untested",
                f.from,
                f.to,
                joined(f.ports, kLabelItems),
                nullptr,
                nullptr,
                {},
                {}});
    }
    std::map<std::pair<std::string, std::string>, std::set<unsigned>> open;
    for (const auto& p : r_.flows) {
      if (p.expected == "forbidden" && p.verdict == "open")
        open[{p.from, p.to}].insert(p.port);
    }
    for (const auto& [pair, ports] : open)
      add_edge({"forbidden-open",
                pair.first,
                pair.second,
                joined(port_ranges(ports), kAllItems),
                nullptr,
                nullptr,
                {},
                {}});
  }

  // Flows leave a segment; they reach a host or directory, else a segment. Between two segments
  // they join the zones' header bands, above the hosts.
  void add_edge(edge e) {
    e.source = zone_box(e.from) ? zone_box(e.from) : node_box(e.from);
    const bool to_node = node_box(e.to) != nullptr;
    e.target = to_node ? node_box(e.to) : zone_box(e.to);
    if (!e.source || !e.target || e.source == e.target || inside(*e.target, *e.source))
      return;
    const auto band = [](const box& b) { return box{b.x, b.y, b.w, kHeader}; };
    const bool zones = !to_node && zone_box(e.from);
    e.from_at = zones ? band(*e.source) : *e.source;
    e.to_at = zones ? band(*e.target) : *e.target;
    edges_.push_back(std::move(e));
  }

  // Edges between the same two boxes are drawn side by side.
  double offset_of(std::size_t i) const {
    std::size_t rank = 0, count = 0;
    for (std::size_t j = 0; j < edges_.size(); ++j) {
      const bool same =
          (edges_[j].source == edges_[i].source && edges_[j].target == edges_[i].target) ||
          (edges_[j].source == edges_[i].target && edges_[j].target == edges_[i].source);
      if (same) {
        rank += j < i;
        ++count;
      }
    }
    return (static_cast<double>(rank) - static_cast<double>(count - 1) / 2) * 16;
  }

  static void draw_zone(std::ostringstream& out, const zone& z) {
    out << "<g class=\"zone\" data-segment=\"" << escape_markup(z.name) << "\" data-role=\""
        << escape_markup(z.role) << "\"><rect x=\"" << num(z.at.x) << "\" y=\"" << num(z.at.y)
        << "\" width=\"" << num(z.at.w) << "\" height=\"" << num(z.at.h) << "\" rx=\"10\" fill=\""
        << colours_of_role(z.role).fill << "\" stroke=\"" << colours_of_role(z.role).stroke
        << "\" stroke-width=\"2\"/><text x=\"" << num(z.at.x + 12) << "\" y=\"" << num(z.at.y + 24)
        << "\" font-size=\"15\" font-weight=\"bold\" fill=\"" << colours_of_role(z.role).stroke
        << "\">" << escape_markup(z.name) << "</text><text x=\"" << num(z.at.x + 12) << "\" y=\""
        << num(z.at.y + 43) << "\" font-size=\"11\" fill=\"#333\">" << escape_markup(z.cidrs)
        << "</text></g>\n";
    for (const auto& n : z.nodes) {
      const bool vantage = n.kind == node_kind::vantage;
      out << "<g class=\"node "
          << (vantage                     ? "vantage"
              : n.kind == node_kind::host ? "host"
                                          : "directory")
          << (n.current ? " current" : "") << "\"><rect x=\"" << num(n.at.x) << "\" y=\""
          << num(n.at.y) << "\" width=\"" << num(n.at.w) << "\" height=\"" << num(n.at.h)
          << "\" rx=\"" << (n.kind == node_kind::directory ? 18 : 4)
          << "\" fill=\"#ffffff\" stroke=\""
          << (n.current ? "#000" : colours_of_role(z.role).stroke) << "\" stroke-width=\""
          << (n.current ? 2.5 : 1.2) << "\"" << (vantage ? " stroke-dasharray=\"4 3\"" : "")
          << "/><text x=\"" << num(n.at.x + 10) << "\" y=\"" << num(n.at.y + 16)
          << "\" font-size=\"12\" font-weight=\"bold\">"
          << (vantage ? (n.current ? "\xE2\x98\x85 " : "\xE2\x97\x86 ") : "")
          << escape_markup(n.name) << "</text><text x=\"" << num(n.at.x + 10) << "\" y=\""
          << num(n.at.y + 31) << "\" font-size=\"10\" fill=\"#444\">" << escape_markup(n.detail)
          << "</text></g>\n";
    }
  }

  static void draw_edge(std::ostringstream& out, const edge& e, double offset) {
    const char* colour = colour_of_flow(e.css);
    const auto& s = e.from_at;
    const auto& t = e.to_at;
    double dx = t.cx() - s.cx(), dy = t.cy() - s.cy();
    const double len = std::max(std::hypot(dx, dy), 1.0);
    const double ox = -dy / len * offset, oy = dx / len * offset;
    auto [x1, y1] = border_point(box{s.x + ox, s.y + oy, s.w, s.h}, t.cx() + ox, t.cy() + oy);
    auto [x2, y2] = border_point(box{t.x + ox, t.y + oy, t.w, t.h}, s.cx() + ox, s.cy() + oy);
    dx = x2 - x1;
    dy = y2 - y1;
    const double l2 = std::max(std::hypot(dx, dy), 1.0);
    const double ux = dx / l2, uy = dy / l2;
    const double bx = x2 - ux * 11, by = y2 - uy * 11;
    const double lx = (x1 + x2) / 2, ly = (y1 + y2) / 2;
    const double label_w = 7.0 * static_cast<double>(e.ports.size()) + 10;
    out << "<g class=\"flow " << e.css << "\" data-from=\"" << escape_markup(e.from)
        << "\" data-to=\"" << escape_markup(e.to) << "\" data-ports=\"" << escape_markup(e.ports)
        << "\"><line x1=\"" << num(x1) << "\" y1=\"" << num(y1) << "\" x2=\"" << num(bx)
        << "\" y2=\"" << num(by) << "\" stroke=\"" << colour << "\" stroke-width=\""
        << (e.css == "forbidden-open" ? 3 : 2) << "\""
        << (e.css == "declared-untested" ? " stroke-dasharray=\"6 4\"" : "")
        << "/><polygon points=\"" << num(x2) << "," << num(y2) << " " << num(bx - uy * 6) << ","
        << num(by + ux * 6) << " " << num(bx + uy * 6) << "," << num(by - ux * 6) << "\" fill=\""
        << colour << "\"/><rect x=\"" << num(lx - label_w / 2) << "\" y=\"" << num(ly - 9)
        << "\" width=\"" << num(label_w) << "\" height=\"17\" rx=\"3\" fill=\"#ffffff\" stroke=\""
        << colour << "\"/><text x=\"" << num(lx) << "\" y=\"" << num(ly + 4)
        << "\" font-size=\"11\" text-anchor=\"middle\" fill=\"" << colour << "\">"
        << escape_markup(e.ports) << "</text></g>\n";
  }

  const report& r_;
  const topology& t_;
  std::vector<zone> zones_;
  std::vector<edge> edges_;
  double width_ = 0, height_ = 0;
};

}  // namespace

role_colours colours_of_role(std::string_view role) {
  if (role == "production")
    return {"#fdebd9", "#c46a12"};
  if (role == "backup")
    return {"#dfeafb", "#2a62b3"};
  if (role == "administration")
    return {"#ece3f7", "#7248a8"};
  if (role == "directory")
    return {"#dcf2ee", "#1f8070"};
  return {"#efefef", "#808080"};
}

const char* colour_of_flow(std::string_view edge_class) {
  if (edge_class == "forbidden-open")
    return "#c0392b";
  if (edge_class == "declared-open")
    return "#2e8540";
  return "#7a7a7a";
}

std::string render_svg(const report& r) {
  if (!r.topology)
    return "";
  return diagram(r).svg();
}

}  // namespace cloison
