#include "agent/report/report_diagram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

report estate() {
  report r;
  r.establishment = "CH Exemple";
  topology t;
  t.segments = {{"production", "production", {"10.10.0.0/16"}},
                {"backup", "backup", {"10.50.0.0/24"}},
                {"administration", "administration", {"10.60.0.0/24"}}};
  t.hosts = {{"repo01", "10.50.0.20", "backup", {"repository"}, "linux", "ssh", {"fd00:50::20"}},
             {"veeam01", "10.50.0.10", "backup", {}, "windows", "ssh", {}}};
  t.directories = {{"prod-ad", "production", "ldaps://10.10.0.5", "production"}};
  t.vantage_points = {{"agent", "administration", "local"}, {"inside", "production", "repo01"}};
  t.flows = {{"administration", "backup", "tcp", {"22", "2500-3300"}, "administration"}};
  t.vantage = "inside";
  r.topology = t;
  r.flows = {{"production", "repo01", "10.50.0.20", 22, "tcp", "open", "forbidden", 1, 1},
             {"production", "repo01", "10.50.0.20", 445, "tcp", "open", "forbidden", 1, 1},
             {"production", "repo01", "10.50.0.20", 446, "tcp", "open", "forbidden", 1, 1},
             {"production", "veeam01", "10.50.0.10", 9392, "tcp", "refused", "forbidden", 1, 1}};
  return r;
}

// Each flow edge: {class, from, to, ports}.
std::vector<std::vector<std::string>> edges(const std::string& svg) {
  std::vector<std::vector<std::string>> out;
  const std::regex edge(
      "<g class=\"flow ([a-z-]+)\" data-from=\"([^\"]*)\" data-to=\"([^\"]*)\" "
      "data-ports=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), edge); it != std::sregex_iterator();
       ++it) {
    out.push_back({(*it)[1], (*it)[2], (*it)[3], (*it)[4]});
  }
  return out;
}

using edge_list = std::vector<std::vector<std::string>>;

TEST(Diagram, ForbiddenFlowsFoundOpenAreRedEdgesWithTheirPorts) {
  const auto svg = render_svg(estate());
  const auto e = edges(svg);
  EXPECT_EQ(e, (edge_list{{"declared-untested", "administration", "backup", "22, 2500-3300"},
                          {"forbidden-open", "production", "repo01", "22, 445-446"}}));
  EXPECT_THAT(svg, HasSubstr("stroke=\"#c0392b\""));
  EXPECT_THAT(svg, HasSubstr(">22, 445-446</text>"));
  EXPECT_THAT(svg, HasSubstr("10.50.0.20 fd00:50::20  linux")) << "every address of a host";
}

TEST(Diagram, NoRedEdgeWhenTheForbiddenFlowsAreClosed) {
  auto r = estate();
  for (auto& f : r.flows)
    f.verdict = "filtered";
  const auto svg = render_svg(r);
  for (const auto& e : edges(svg))
    EXPECT_NE(e[0], "forbidden-open");
  EXPECT_THAT(svg, Not(HasSubstr("#c0392b")));
}

TEST(Diagram, DeclaredFlowsAreGreenWhenFoundOpenFromTheVantagePoint) {
  auto r = estate();
  r.flows = {{"administration", "repo01", "10.50.0.20", 22, "tcp", "open", "allowed", 1, 1}};
  const auto e = edges(render_svg(r));
  EXPECT_EQ(e, (edge_list{{"declared-open", "administration", "backup", "22, 2500-3300"}}));
  r.flows[0].verdict = "filtered";
  EXPECT_EQ(edges(render_svg(r))[0][0], "declared-untested");
}

TEST(Diagram, MarksVantagePointsAndTheAuditsOwn) {
  const auto svg = render_svg(estate());
  EXPECT_THAT(svg, HasSubstr("<g class=\"node vantage current\">"));
  EXPECT_THAT(svg, HasSubstr("\xE2\x98\x85 inside</text>"));
  EXPECT_THAT(svg, HasSubstr("\xE2\x97\x86 agent</text>"));
  EXPECT_THAT(svg, HasSubstr("<g class=\"node host\">"));
  EXPECT_THAT(svg, HasSubstr("<g class=\"node directory\">"));
}

struct rect {
  double x, y, w, h;
};

// The zone rectangles, by segment name, and the node rectangles in document order.
std::map<std::string, rect> zone_rects(const std::string& svg) {
  std::map<std::string, rect> out;
  const std::regex zone(
      "<g class=\"zone\" data-segment=\"([^\"]*)\" data-role=\"[^\"]*\"><rect x=\"([0-9.]+)\" "
      "y=\"([0-9.]+)\" width=\"([0-9.]+)\" height=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), zone); it != std::sregex_iterator();
       ++it) {
    out[(*it)[1]] = {std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]),
                     std::stod((*it)[5])};
  }
  return out;
}

TEST(Diagram, LaysOutEightSegmentsAndTwentyHostsWithoutOverlap) {
  report r;
  topology t;
  const char* roles[] = {"production", "backup", "administration", "directory", "other"};
  for (int s = 0; s < 8; ++s) {
    t.segments.push_back(
        {"seg" + std::to_string(s), roles[s % 5], {"10." + std::to_string(s) + ".0.0/24"}});
  }
  for (int h = 0; h < 20; ++h) {
    t.hosts.push_back({"host" + std::to_string(h),
                       "10." + std::to_string(h % 8) + ".0.9",
                       "seg" + std::to_string(h % 8),
                       {},
                       "linux",
                       "ssh",
                       {}});
  }
  r.topology = t;
  const auto svg = render_svg(r);
  EXPECT_EQ(svg, render_svg(r)) << "deterministic";
  const auto zones = zone_rects(svg);
  ASSERT_EQ(zones.size(), 8u);
  for (const auto& [a, ra] : zones) {
    for (const auto& [b, rb] : zones) {
      if (a == b)
        continue;
      const bool apart =
          ra.x + ra.w <= rb.x || rb.x + rb.w <= ra.x || ra.y + ra.h <= rb.y || rb.y + rb.h <= ra.y;
      EXPECT_TRUE(apart) << a << " overlaps " << b;
    }
  }
  for (int h = 0; h < 20; ++h)
    EXPECT_THAT(svg, HasSubstr(">host" + std::to_string(h) + "</text>"));
  // Each host is drawn inside its segment's zone.
  const std::regex node("<g class=\"node host\"><rect x=\"([0-9.]+)\" y=\"([0-9.]+)\"");
  int h = 0;
  std::vector<rect> nodes;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), node); it != std::sregex_iterator();
       ++it) {
    nodes.push_back({std::stod((*it)[1]), std::stod((*it)[2]), 0, 0});
  }
  ASSERT_EQ(nodes.size(), 20u);
  // Zones are drawn in segment order with their hosts in inventory order.
  for (int s = 0; s < 8; ++s) {
    const auto z = zones.at("seg" + std::to_string(s));
    for (int k = s; k < 20; k += 8, ++h) {
      EXPECT_GT(nodes[h].x, z.x);
      EXPECT_LT(nodes[h].x, z.x + z.w);
      EXPECT_GT(nodes[h].y, z.y);
      EXPECT_LT(nodes[h].y, z.y + z.h);
    }
  }
}

TEST(Diagram, EscapesNamesAndPlacesUnknownDestinations) {
  auto r = estate();
  r.topology->segments[0].name = "prod<script>\"&'";
  r.topology->vantage_points[1].segment = "prod<script>\"&'";
  r.topology->directories[0].segment = "prod<script>\"&'";
  for (auto& f : r.flows)
    f.from = "prod<script>\"&'";
  r.flows.push_back(
      {"prod<script>\"&'", "ghost", "10.50.0.99", 22, "tcp", "open", "forbidden", 1, 1});
  const auto svg = render_svg(r);
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, HasSubstr("prod&lt;script&gt;&quot;&amp;&#39;"));
  EXPECT_THAT(svg, HasSubstr(">ghost</text>")) << "a tested destination outside the topology";
  const auto e = edges(svg);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[2], (std::vector<std::string>{"forbidden-open", "prod&lt;script&gt;&quot;&amp;&#39;",
                                            "repo01", "22, 445-446"}));
  EXPECT_EQ(e[1][2], "ghost");
}

// The zone holding each node, by the node's name: the zone whose rectangle contains the node's.
std::map<std::string, std::string> zone_of_nodes(const std::string& svg) {
  const auto zones = zone_rects(svg);
  std::map<std::string, std::string> out;
  const std::regex node(
      "<g class=\"node [a-z ]+\">(?:<title>[^<]*</title>)?<rect x=\"([0-9.]+)\" "
      "y=\"([0-9.]+)\"[^>]*/><text[^>]*>(?:\xE2\x98\x85 |\xE2\x97\x86 )?([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), node); it != std::sregex_iterator();
       ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    for (const auto& [name, z] : zones) {
      if (x > z.x && x < z.x + z.w && y > z.y && y < z.y + z.h)
        out[(*it)[3]] = name;
    }
  }
  return out;
}

TEST(Diagram, PlacesDirectoriesDeclaredByDnsNameOnTheirSide) {
  auto r = estate();
  r.topology->segments.push_back({"backup-2", "backup", {"10.51.0.0/24"}});
  r.topology->directories = {{"backup-ad", "backup", "ldaps://dc1.backup.example", ""},
                             {"prod-ad", "production", "ldaps://ad.example", ""}};
  const auto svg = render_svg(r);
  const auto zones = zone_of_nodes(svg);
  EXPECT_EQ(zones.at("backup-ad"), "backup") << "the first backup segment";
  EXPECT_EQ(zones.at("prod-ad"), "production");
  EXPECT_THAT(svg, Not(HasSubstr("data-segment=\"\xE2\x80\x94\""))) << "no zone of the unplaced";
}

TEST(Diagram, ConsecutivePortsAreRangesAndLongListsAreShortened) {
  auto r = estate();
  r.flows.clear();
  for (unsigned port = 8000; port <= 8010; ++port)
    r.flows.push_back(
        {"production", "repo01", "10.50.0.20", port, "tcp", "open", "forbidden", 1, 1});
  for (unsigned port : {22u, 80u, 443u, 445u, 3389u, 5985u, 9392u})
    r.flows.push_back(
        {"production", "veeam01", "10.50.0.10", port, "tcp", "open", "forbidden", 1, 1});
  const auto svg = render_svg(r);
  const auto e = edges(svg);
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[1],
            (std::vector<std::string>{"forbidden-open", "production", "repo01", "8000-8010"}));
  EXPECT_EQ(e[2][3], "22, 80, 443, 445, 3389, 5985, 9392") << "data-ports holds them all";
  EXPECT_THAT(svg, HasSubstr(">8000-8010</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>22, 80, 443, 445, 3389, 5985, 9392</title>"));
  EXPECT_THAT(svg, HasSubstr(">22, 80, 443 +4</text>"));
  EXPECT_THAT(svg, HasSubstr(">22, 2500-3300</text>")) << "declared ranges kept";
}

TEST(Diagram, DrawsEveryVantagePointWithWhatWasTestedFromIt) {
  auto r = estate();
  r.topology->vantage.clear();  // a merged report
  for (auto& f : r.flows)
    f.vantage = "inside";
  r.flows.push_back(
      {"production", "veeam01", "10.50.0.10", 22, "tcp", "refused", "forbidden", 1, 1, "prod-2"});
  r.flows.push_back(
      {"production", "veeam01", "10.50.0.10", 23, "tcp", "error", "forbidden", 1, 1, "prod-2"});
  const auto svg = render_svg(r);
  EXPECT_THAT(svg, HasSubstr("\xE2\x97\x86 inside</text>"));
  EXPECT_THAT(svg, HasSubstr(">\xE2\x9C\x97 3/4  </tspan>via repo01</text>"))
      << "3 forbidden flows open of 4 tested";
  EXPECT_THAT(svg, HasSubstr("\xE2\x97\x86 prod-2</text>")) << "named by the flows only";
  EXPECT_THAT(svg, HasSubstr(">\xE2\x9C\x93 0/1  </tspan></text>")) << "an error is no test";
  EXPECT_THAT(svg, HasSubstr("\xE2\x97\x86 agent</text>"));
  EXPECT_THAT(svg, HasSubstr(">0/0  </tspan></text>"));
  EXPECT_EQ(zone_of_nodes(svg).at("prod-2"), "production");
}

TEST(Diagram, ARangeCountsEachOfItsPorts) {
  auto r = estate();
  r.flows.pop_back();  // 3 forbidden ports tested, all open
  r.flows[0].port_last = 0;
  r.flows[1].port_last = 446;  // 445-446 as one row
  r.flows.erase(r.flows.begin() + 2);
  flow_result swept = r.flows[0];
  swept.port = 1000;
  swept.port_last = 1999;
  swept.verdict = "filtered";
  r.flows.push_back(swept);
  const auto svg = render_svg(r);
  EXPECT_THAT(svg, HasSubstr(">\xE2\x9C\x97 3/1003  </tspan>via repo01</text>"))
      << "3 ports open of 1,003 tested";
  EXPECT_EQ(edges(svg)[1],
            (std::vector<std::string>{"forbidden-open", "production", "repo01", "22, 445-446"}));
}

TEST(Diagram, DrawsTheCutPointOfTheIsolationProcedure) {
  auto r = estate();
  EXPECT_THAT(render_svg(r), Not(HasSubstr("class=\"cut\""))) << "none declared";
  const std::string description =
      "Shut down the firewall interface of VLAN 50 (rule ISOLATE-BACKUP) and unplug the WAN "
      "uplink of the backup room, then call the CISO";
  r.topology->isolation =
      topology::isolation_procedure{description, "on-call <engineer>", "2026-03-14", ""};
  const auto svg = render_svg(r);
  EXPECT_THAT(svg, HasSubstr("<g class=\"cut\" data-last-drill=\"2026-03-14\" "
                             "data-last-drill-result=\"\"><title>" +
                             description + " \xE2\x80\x94 on-call &lt;engineer&gt; (2026-03-14)"));
  const std::regex label(">\xE2\x9C\x82 (Shut down [^<]*)\xE2\x80\xA6 \\(2026-03-14\\)</text>");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, label)) << "cut, with the last drill";
  EXPECT_LT(m[1].length(), static_cast<long>(description.size()));
  EXPECT_EQ(svg, render_svg(r)) << "deterministic";

  r.topology->isolation->last_drill_result = "passed";  // cloison drill ran it
  EXPECT_THAT(render_svg(r), HasSubstr("(2026-03-14 \xE2\x9C\x93)</text>"));
  r.topology->isolation->last_drill_result = "restore_failed";
  EXPECT_THAT(render_svg(r), HasSubstr("(2026-03-14 \xE2\x9C\x97)</text>"));
  EXPECT_THAT(render_svg(r), HasSubstr("data-last-drill-result=\"restore_failed\""));

  r.topology->isolation->last_drill_result.clear();
  r.topology->isolation->last_drill.clear();
  EXPECT_THAT(render_svg(r), HasSubstr("(\xE2\x80\x94)</text>")) << "never drilled";
}

TEST(Diagram, NothingWithoutTopology) {
  report r;
  EXPECT_EQ(render_svg(r), "");
}

}  // namespace
}  // namespace cloison
