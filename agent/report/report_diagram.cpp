#include "agent/report/report_diagram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "agent/report/markup.h"
#include "core/flow_ranges.h"

namespace cloison {

namespace {

constexpr double kMargin = 20, kZoneWidth = 250, kGapY = 50, kHeader = 58;
constexpr double kNodeHeight = 40, kNodeGap = 10, kPadding = 16;
// A gutter holds the label stack of the column on its left (edges entering it from the right),
// kClearance, the stack of the column on its right; kLeader separates a stack from its column.
constexpr double kLabelHeight = 17, kLabelPitch = 21, kLabelFont = 11, kLeader = 28,
                 kClearance = 60;
constexpr double kBand = 34;  // above the zones: the cut point's label
constexpr std::size_t kLabelChars = 18;
// An em dash: the zone of what no declared segment holds, the date of a drill never held.
const std::string kDash = "\xE2\x80\x94";

struct box {
  double x = 0, y = 0, w = 0, h = 0;
  double cx() const { return x + w / 2; }
  double cy() const { return y + h / 2; }
};

std::string num(double v) {
  std::ostringstream s;
  s << std::round(v * 10) / 10;
  return s.str();
}

// A generous estimate of the width of `text` at `size` px in DejaVu Sans (one of the widest sans
// fonts; its bold is ~10% wider): what texts are cut and gutters sized by.
double text_width(std::string_view text, double size, bool bold = false) {
  double em = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      em += (c & 0xC0) == 0xC0 ? 1.0 : 0;  // a code point, counted at its first byte
      continue;
    }
    em += std::string_view(" ,.:;'!|()[]fijlI").find(ch) != std::string_view::npos ? 0.42
          : std::string_view("mwMW@%").find(ch) != std::string_view::npos          ? 1.0
          : c >= 'A' && c <= 'Z'                                                   ? 0.8
                                                                                   : 0.66;
  }
  return em * size * (bold ? 1.1 : 1.0);
}

// `text`, cut at a code point and ended with "…" to fit `width`.
std::string fitted(std::string text, double width, double size, bool bold = false) {
  if (text_width(text, size, bold) <= width)
    return text;
  const std::string ellipsis = "\xE2\x80\xA6";
  while (!text.empty() && text_width(text + ellipsis, size, bold) > width) {
    while ((static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
      text.pop_back();
    text.pop_back();
  }
  return text + ellipsis;
}

// As many items as fit kLabelChars with the count of the others: "22, 80, 443 +12".
std::string shortened(const std::vector<std::string>& items) {
  std::string out;
  std::size_t i = 0;
  for (; i < items.size(); ++i) {
    const std::string more =
        i + 1 < items.size() ? " +" + std::to_string(items.size() - i - 1) : "";
    const std::string next = out + (i ? ", " : "") + items[i];
    if (i > 0 && next.size() + more.size() > kLabelChars)
      break;
    out = next;
  }
  return i < items.size() ? out + " +" + std::to_string(items.size() - i) : out;
}

enum class node_kind { host, directory, vantage };

struct node {
  node_kind kind;
  std::string name;
  std::string detail;  // address, URI, or "via ..."
  std::string result;  // a vantage point's forbidden flows: "✗ 3/120", "✓ 0/120", "0/0"
  bool current = false;
  std::array<std::size_t, 2> entering{};  // labels of the edges it receives, from each side
  box at;
};

struct zone {
  std::string name;
  std::string role;
  std::string cidrs;
  std::vector<node> nodes;
  std::size_t column = 0;
  box at;
};

// An edge's end: a zone, or a node of it.
struct endpoint {
  zone* z = nullptr;
  node* n = nullptr;
  const box& at() const { return n ? n->at : z->at; }
  double y() const { return n ? n->at.cy() : z->at.y + kHeader / 2; }
};

// Beside one side of a column: the labels of the edges entering it, and the passages (free rows)
// through which the edges leaving it from that side cross the stack, one per source.
struct stack {
  double x = 0, w = 0;
  std::vector<std::size_t> edges;
  std::vector<endpoint> sources;
  std::vector<double> passages;  // the sources' rows (top), after place()
};

struct column {
  std::vector<zone*> zones;
  double x = 0, h = 0;
  std::array<stack, 2> sides;  // edges entering from the left, from the right
};

struct edge {
  std::string css;  // declared-open | declared-untested | forbidden-open
  std::string from, to;
  std::string ports;  // all of them
  std::string label;  // shortened
  endpoint source, target;
  std::size_t side = 0;  // of the target's column it enters: 0 left, 1 right
  double label_y = 0;
  const stack* exit = nullptr;  // the stack beside its source it crosses
  double start_y = 0;
};

struct tally {
  std::size_t open = 0, tested = 0;
};

std::string result_of(const tally& t) {
  const std::string counts = std::to_string(t.open) + "/" + std::to_string(t.tested);
  if (t.open)
    return "\xE2\x9C\x97 " + counts;
  return t.tested ? "\xE2\x9C\x93 " + counts : counts;
}

class diagram {
 public:
  explicit diagram(const report& r) : r_(r), t_(*r.topology) {
    add_nodes();
    assign_columns();
    collect_edges();
    place();
  }

  std::string svg() const {
    std::ostringstream out;
    out << "<svg class=\"diagram\" viewBox=\"0 0 " << num(width_) << " " << num(height_)
        << "\" width=\"" << num(width_) << "\" height=\"" << num(height_)
        << "\" role=\"img\" font-family=\"sans-serif\"><title>" << escape_markup(r_.establishment)
        << "</title>\n";
    for (const auto& z : zones_)
      draw_zone(out, z);
    draw_cut(out);
    for (const auto& e : edges_)
      draw_edge(out, e);
    out << "</svg>\n";
    return out.str();
  }

 private:
  zone* zone_named(const std::string& name) {
    const auto it =
        std::find_if(zones_.begin(), zones_.end(), [&](const zone& z) { return z.name == name; });
    return it == zones_.end() ? nullptr : &*it;
  }

  // A zone by its segment's name, else a host or directory by its name.
  endpoint find(const std::string& name) {
    if (auto* z = zone_named(name))
      return {z, nullptr};
    for (auto& z : zones_) {
      for (auto& n : z.nodes) {
        if (n.name == name && n.kind != node_kind::vantage)
          return {&z, &n};
      }
    }
    return {};
  }

  // Adds a node to its segment's zone, or to the zone of the unplaced when the segment is not
  // declared.
  void add_node(const std::string& segment, node n) {
    zone* z = segment.empty() ? nullptr : zone_named(segment);
    if (!z)
      z = zone_named(kDash);
    if (!z)
      z = &zones_.emplace_back(zone{kDash, "other", "", {}, 0, {}});
    z->nodes.push_back(std::move(n));
  }

  std::string first_segment_of_role(const std::string& role) const {
    const auto it = std::find_if(t_.segments.begin(), t_.segments.end(),
                                 [&](const auto& s) { return s.role == role; });
    return it == t_.segments.end() ? "" : it->name;
  }

  void add_nodes() {
    for (const auto& s : t_.segments)
      zones_.push_back({s.name, s.role, fitted(joined(s.cidrs), kZoneWidth - 24, 11), {}, 0, {}});
    // Every vantage point: the declared ones, then those only the flows name (in their segment).
    auto vantages = t_.vantage_points;
    std::map<std::string, tally> tallies;
    for (const auto& f : r_.flows) {
      const auto& v = f.vantage.empty() ? t_.vantage : f.vantage;  // earlier reports: this run's
      if (v.empty())
        continue;
      if (std::none_of(vantages.begin(), vantages.end(), [&](auto& p) { return p.name == v; }))
        vantages.push_back({v, f.from, ""});
      if (f.expected == "forbidden" && f.verdict != "error") {
        tallies[v].tested += f.port_count();
        tallies[v].open += f.verdict == "open" ? f.port_count() : 0;
      }
    }
    for (const auto& v : vantages) {
      add_node(v.segment, {node_kind::vantage,
                           v.name,
                           v.via.empty() || v.via == "local" ? "" : "via " + v.via,
                           result_of(tallies[v.name]),
                           v.name == t_.vantage,
                           {},
                           {}});
    }
    for (const auto& h : t_.hosts) {
      std::string addresses = h.address;
      for (const auto& a : h.other_addresses)
        addresses += " " + a;
      add_node(h.segment, {node_kind::host, h.name, addresses + "  " + h.os, "", false, {}, {}});
    }
    for (const auto& d : t_.directories) {  // one declared by DNS name: in its side's first zone
      add_node(d.segment.empty() ? first_segment_of_role(d.role) : d.segment,
               {node_kind::directory, d.name, d.uri, "", false, {}, {}});
    }
    for (const auto& f : r_.flows) {  // a tested destination the topology does not name
      if (!find(f.to).z)
        add_node("", {node_kind::host, f.to, f.address, "", false, {}, {}});
    }
  }

  // Backup segments in the middle column; production-side segments on the left, the
  // administration on the right, the others where there are fewer zones. Empty columns go.
  void assign_columns() {
    std::array<std::vector<zone*>, 3> sides;
    for (auto& z : zones_) {
      std::size_t side = z.role == "backup" ? 1 : z.role == "administration" ? 2 : 0;
      if (z.role == "other")
        side = sides[0].size() < sides[2].size() ? 0 : 2;
      if (side != 1 && sides[side].size() > sides[2 - side].size() + 1)
        side = 2 - side;
      sides[side].push_back(&z);
    }
    for (auto& zones : sides) {
      if (zones.empty())
        continue;
      for (auto* z : zones)
        z->column = columns_.size();
      columns_.push_back({std::move(zones), 0, 0, {}});
    }
  }

  void collect_edges() {
    for (const auto& f : t_.flows) {
      const bool seen_open = std::any_of(r_.flows.begin(), r_.flows.end(), [&](const auto& p) {
        if (p.expected != "allowed" || p.verdict != "open" || p.from != f.from)
          return false;
        const auto to = find(p.to);
        return p.to == f.to || (to.n && to.z->name == f.to);
      });
      add_edge(seen_open ? "declared-open" : "declared-untested", f.from, f.to, f.ports);
    }
    std::map<std::pair<std::string, std::string>, std::set<unsigned>> open;
    for (const auto& p : r_.flows) {
      if (p.expected == "forbidden" && p.verdict == "open")
        add_ports(p, open[{p.from, p.to}]);
    }
    for (const auto& [pair, ports] : open)
      add_edge("forbidden-open", pair.first, pair.second, port_ranges(ports));
  }

  // Flows leave a segment; they reach a host or directory, else a segment. An edge within one
  // zone is not drawn.
  void add_edge(std::string css, const std::string& from, const std::string& to,
                const std::vector<std::string>& ports) {
    edge e{std::move(css), from, to, joined(ports), shortened(ports), find(from), find(to)};
    if (!e.source.z || !e.target.z || e.source.z == e.target.z)
      return;
    e.side = e.source.z->column < e.target.z->column ? 0 : 1;
    auto& lane = columns_[e.target.z->column].sides[e.side];
    lane.w = std::max(lane.w, text_width(e.label, kLabelFont) + 12);
    lane.edges.push_back(edges_.size());
    if (e.target.n)
      ++e.target.n->entering[e.side];
    edges_.push_back(std::move(e));
  }

  bool cut_drawn() const {
    return t_.isolation && std::any_of(zones_.begin(), zones_.end(),
                                       [](const auto& z) { return z.role == "backup"; });
  }

  // A node's slot: its box and gap, taller when more labels enter it from one side.
  static double slot(const node& n) {
    const auto labels = static_cast<double>(std::max(n.entering[0], n.entering[1]));
    return std::max(kNodeHeight + kNodeGap, labels * kLabelPitch);
  }

  void place() {
    double x = kMargin;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      auto& [left, right] = columns_[c].sides;
      x += c > 0 ? kClearance : 0;
      if (!left.edges.empty()) {
        left.x = x;
        x += left.w + kLeader;
      }
      columns_[c].x = x;
      x += kZoneWidth;
      if (!right.edges.empty()) {
        right.x = x + kLeader;
        x += kLeader + right.w;
      }
    }
    width_ = x + kMargin;
    top_ = kMargin + (cut_drawn() ? kBand : 0);
    double tallest = 0;
    for (auto& col : columns_) {
      for (auto* z : col.zones) {
        z->at.h = kHeader + kPadding;
        for (const auto& n : z->nodes)
          z->at.h += slot(n);
        z->at.h = std::max(z->at.h, kHeader + kPadding + kNodeHeight + kNodeGap);
        col.h += z->at.h + (col.h > 0 ? kGapY : 0);
      }
      tallest = std::max(tallest, col.h);
    }
    for (auto& col : columns_) {
      double y = top_ + (tallest - col.h) / 2;
      for (auto* z : col.zones) {
        z->at = {col.x, y, kZoneWidth, z->at.h};
        double ny = y + kHeader;
        for (auto& n : z->nodes) {
          n.at = {col.x + kPadding, ny + (slot(n) - kNodeHeight - kNodeGap) / 2,
                  kZoneWidth - 2 * kPadding, kNodeHeight};
          ny += slot(n);
        }
        y += z->at.h + kGapY;
      }
    }
    bottom_ = top_ + tallest;
    height_ = bottom_;
    for (auto& e : edges_) {  // leaving through a stack of labels: by a passage of its own
      const auto from = e.source.z->column, to = e.target.z->column;
      auto& exit = columns_[from].sides[from < to ? 1 : 0];
      if (from == to || exit.edges.empty())
        continue;
      e.exit = &exit;
      if (passage_of(exit, e.source) == exit.sources.size())
        exit.sources.push_back(e.source);
    }
    for (auto& col : columns_) {
      for (auto& lane : col.sides)
        stack_labels(lane);
    }
    for (auto& e : edges_) {
      e.start_y = e.source.y();
      if (e.exit)
        e.start_y = e.exit->passages[passage_of(*e.exit, e.source)] + kLabelHeight / 2;
    }
    height_ += kMargin;
  }

  // The rank of `source`'s passage through `lane`, or the count of passages when it has none.
  static std::size_t passage_of(const stack& lane, const endpoint& source) {
    const auto it = std::find_if(lane.sources.begin(), lane.sources.end(),
                                 [&](const endpoint& s) { return &s.at() == &source.at(); });
    return static_cast<std::size_t>(it - lane.sources.begin());
  }

  // Each label as near as it can be to its target (those entering one target side by side), each
  // passage to its source, kLabelPitch apart, from top_ down and at best within the zones' height.
  void stack_labels(stack& lane) {
    std::vector<std::pair<double, std::size_t>> wanted;  // top, then the label's or passage's rank
    std::map<const box*, std::size_t> seen;
    for (const auto i : lane.edges) {
      const auto& e = edges_[i];
      const auto entering = e.target.n ? e.target.n->entering[e.side] : 1;
      const auto rank = seen[&e.target.at()]++;
      const double shift =
          (static_cast<double>(rank) - static_cast<double>(entering - 1) / 2) * kLabelPitch;
      wanted.emplace_back(e.target.y() + shift - kLabelHeight / 2, wanted.size());
    }
    for (const auto& source : lane.sources)
      wanted.emplace_back(source.y() - kLabelHeight / 2, wanted.size());
    lane.passages.resize(lane.sources.size());
    std::stable_sort(wanted.begin(), wanted.end());
    double next = top_;
    for (auto& [y, i] : wanted) {
      y = std::max(y, next);
      next = y + kLabelPitch;
    }
    double last = std::max(bottom_, top_ + static_cast<double>(wanted.size()) * kLabelPitch);
    for (auto it = wanted.rbegin(); it != wanted.rend(); ++it) {
      it->first = std::min(it->first, last - kLabelHeight);
      last = it->first - (kLabelPitch - kLabelHeight);
      const auto k = it->second;
      (k < lane.edges.size() ? edges_[lane.edges[k]].label_y
                             : lane.passages[k - lane.edges.size()]) = it->first;
    }
    height_ = std::max(height_, next);
  }

  // The isolation procedure: a dashed line around the backup column, labelled at its top.
  void draw_cut(std::ostringstream& out) const {
    if (!cut_drawn())
      return;
    const auto& i = *t_.isolation;
    const auto backup = std::find_if(zones_.begin(), zones_.end(),
                                     [](const auto& z) { return z.role == "backup"; });
    const double x = columns_[backup->column].x - 10;
    // ✓ / ✗: the last `cloison drill` passed or not (nothing when the date was typed by hand).
    const std::string result = i.last_drill_result.empty()       ? ""
                               : i.last_drill_result == "passed" ? " \xE2\x9C\x93"
                                                                 : " \xE2\x9C\x97";
    const std::string drill = " (" + (i.last_drill.empty() ? kDash : i.last_drill) + result + ")";
    const double room = width_ - kMargin - x - text_width("\xE2\x9C\x82 " + drill, 12);
    out << "<g class=\"cut\" data-last-drill=\"" << escape_markup(i.last_drill)
        << "\" data-last-drill-result=\"" << escape_markup(i.last_drill_result) << "\"><title>"
        << escape_markup(i.description + " \xE2\x80\x94 " + i.triggered_by + drill)
        << "</title><rect x=\"" << num(x) << "\" y=\"" << num(top_ - 10) << "\" width=\""
        << num(kZoneWidth + 20) << "\" height=\"" << num(bottom_ - top_ + 20)
        << "\" rx=\"14\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" "
           "stroke-dasharray=\"8 5\"/><text x=\""
        << num(x) << "\" y=\"" << num(kMargin + 14) << "\" font-size=\"12\" fill=\"#c0392b\">"
        << "\xE2\x9C\x82 " << escape_markup(fitted(i.description, room, 12) + drill)
        << "</text></g>\n";
  }

  static void draw_zone(std::ostringstream& out, const zone& z) {
    out << "<g class=\"zone\" data-segment=\"" << escape_markup(z.name) << "\" data-role=\""
        << escape_markup(z.role) << "\"><rect x=\"" << num(z.at.x) << "\" y=\"" << num(z.at.y)
        << "\" width=\"" << num(z.at.w) << "\" height=\"" << num(z.at.h) << "\" rx=\"10\" fill=\""
        << colours_of_role(z.role).fill << "\" stroke=\"" << colours_of_role(z.role).stroke
        << "\" stroke-width=\"2\"/><text x=\"" << num(z.at.x + 12) << "\" y=\"" << num(z.at.y + 24)
        << "\" font-size=\"15\" font-weight=\"bold\" fill=\"" << colours_of_role(z.role).stroke
        << "\">" << escape_markup(fitted(z.name, kZoneWidth - 24, 15, true)) << "</text><text x=\""
        << num(z.at.x + 12) << "\" y=\"" << num(z.at.y + 43) << "\" font-size=\"11\" fill=\"#333\">"
        << escape_markup(z.cidrs) << "</text></g>\n";
    for (const auto& n : z.nodes)
      draw_node(out, n, colours_of_role(z.role).stroke);
  }

  static void draw_node(std::ostringstream& out, const node& n, const char* stroke) {
    const bool vantage = n.kind == node_kind::vantage;
    const double room = n.at.w - 20;
    const std::string full =
        (vantage ? (n.current ? "\xE2\x98\x85 " : "\xE2\x97\x86 ") : "") + n.name;
    const std::string name = fitted(full, room, 12, true);
    const std::string result = n.result.empty() ? "" : n.result + "  ";
    const std::string detail = fitted(n.detail, room - text_width(result, 10, true), 10);
    out << "<g class=\"node "
        << (vantage                     ? "vantage"
            : n.kind == node_kind::host ? "host"
                                        : "directory")
        << (n.current ? " current" : "") << "\">";
    if (name != full || detail != n.detail)  // cut: the whole in a tooltip
      out << "<title>" << escape_markup(n.name + "  " + n.detail) << "</title>";
    out << "<rect x=\"" << num(n.at.x) << "\" y=\"" << num(n.at.y) << "\" width=\"" << num(n.at.w)
        << "\" height=\"" << num(n.at.h) << "\" rx=\"" << (n.kind == node_kind::directory ? 18 : 4)
        << "\" fill=\"#ffffff\" stroke=\"" << (n.current ? "#000" : stroke) << "\" stroke-width=\""
        << (n.current ? 2.5 : 1.2) << "\"" << (vantage ? " stroke-dasharray=\"4 3\"" : "")
        << "/><text x=\"" << num(n.at.x + 10) << "\" y=\"" << num(n.at.y + 16)
        << "\" font-size=\"12\" font-weight=\"bold\">" << escape_markup(name) << "</text><text x=\""
        << num(n.at.x + 10) << "\" y=\"" << num(n.at.y + 31)
        << "\" font-size=\"10\" fill=\"#444\">";
    if (!result.empty()) {
      out << "<tspan font-weight=\"bold\" fill=\""
          << (n.result.starts_with("\xE2\x9C\x97")   ? colour_of_flow("forbidden-open")
              : n.result.starts_with("\xE2\x9C\x93") ? colour_of_flow("declared-open")
                                                     : "#444")
          << "\">" << escape_markup(result) << "</tspan>";
    }
    out << escape_markup(detail) << "</text></g>\n";
  }

  // From the source's side (through its passage) to the label, then on to the target's arrow.
  void draw_edge(std::ostringstream& out, const edge& e) const {
    const char* colour = colour_of_flow(e.css);
    const auto& lane = columns_[e.target.z->column].sides[e.side];
    const auto& s = e.source.at();
    const auto& t = e.target.at();
    const double ly = e.label_y + kLabelHeight / 2;
    const double label_cx = lane.x + lane.w / 2;
    const bool rightwards = s.cx() < label_cx;
    const double x0 = rightwards ? s.x + s.w : s.x;
    const double x1 = !e.exit ? x0 : rightwards ? e.exit->x + e.exit->w : e.exit->x;
    const std::string passage = e.exit ? "M" + num(x0) + " " + num(e.start_y) + "H" + num(x1) : "";
    const double into = rightwards ? lane.x : lane.x + lane.w;
    const double out_of = e.side == 0 ? lane.x + lane.w : lane.x;
    const double x2 = e.side == 0 ? t.x : t.x + t.w;
    const double y2 = e.target.y();
    const double dx = x2 - out_of, dy = y2 - ly;
    const double len = std::max(std::hypot(dx, dy), 1.0);
    const double ux = dx / len, uy = dy / len;
    const double bx = x2 - ux * 10, by = y2 - uy * 10;
    const char* dashes = e.css == "declared-untested" ? " stroke-dasharray=\"6 4\"" : "";
    const int stroke = e.css == "forbidden-open" ? 3 : 2;
    out << "<g class=\"flow " << e.css << "\" data-from=\"" << escape_markup(e.from)
        << "\" data-to=\"" << escape_markup(e.to) << "\" data-ports=\"" << escape_markup(e.ports)
        << "\">";
    if (e.label != e.ports)
      out << "<title>" << escape_markup(e.ports) << "</title>";
    out << "<line x1=\"" << num(x1) << "\" y1=\"" << num(e.start_y) << "\" x2=\"" << num(into)
        << "\" y2=\"" << num(ly) << "\" stroke=\"" << colour << "\" stroke-width=\"" << stroke
        << "\"" << dashes << "/><path d=\"" << passage << "M" << num(out_of) << " " << num(ly)
        << "L" << num(bx) << " " << num(by) << "\" fill=\"none\" stroke=\"" << colour
        << "\" stroke-width=\"" << stroke << "\"" << dashes << "/><polygon points=\"" << num(x2)
        << "," << num(y2) << " " << num(bx - uy * 5) << "," << num(by + ux * 5) << " "
        << num(bx + uy * 5) << "," << num(by - ux * 5) << "\" fill=\"" << colour << "\"/><rect x=\""
        << num(lane.x) << "\" y=\"" << num(e.label_y) << "\" width=\"" << num(lane.w)
        << "\" height=\"" << num(kLabelHeight) << "\" rx=\"3\" fill=\"#ffffff\" stroke=\"" << colour
        << "\"/><text x=\"" << num(label_cx) << "\" y=\"" << num(e.label_y + 12.5)
        << "\" font-size=\"" << num(kLabelFont) << "\" text-anchor=\"middle\" fill=\"" << colour
        << "\">" << escape_markup(e.label) << "</text></g>\n";
  }

  const report& r_;
  const topology& t_;
  std::vector<zone> zones_;
  std::vector<column> columns_;
  std::vector<edge> edges_;
  double width_ = 0, height_ = 0;
  double top_ = 0, bottom_ = 0;  // of the zones' columns
};

}  // namespace

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i ? ", " : "") + items[i];
  return out;
}

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
