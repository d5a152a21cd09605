#include "core/flow_ranges.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace cloison {
namespace {

flow_result pair(const std::string& to, const std::string& address, unsigned port,
                 const std::string& verdict, const std::string& expected = "forbidden",
                 double latency = 1, int attempts = 1) {
  return {"production", to,      address,  port,      "tcp",  verdict,
          expected,     latency, attempts, "prod-dc", "local"};
}

// What a row covers, as "to address first-last verdict".
std::vector<std::string> rows(const std::vector<flow_result>& flows) {
  std::vector<std::string> out;
  for (const auto& f : flows) {
    out.push_back(f.to + " " + f.address + " " + std::to_string(f.port) + "-" +
                  std::to_string(f.last_port()) + " " + f.verdict);
  }
  return out;
}

TEST(SummariseFlows, ConsecutivePortsWithTheSameResultBecomeOneRange) {
  std::vector<flow_result> flows;
  for (unsigned port = 2500; port <= 3300; ++port)
    flows.push_back(pair("repo01", "10.0.2.5", port, port == 2600 ? "open" : "filtered"));
  flows.push_back(pair("repo01", "10.0.2.5", 22, "refused"));
  flows.push_back(pair("repo01", "10.0.2.5", 3302, "filtered"));  // a gap: a range of its own
  const auto summary = summarise_flows(flows);
  EXPECT_EQ(rows(summary),
            (std::vector<std::string>{
                "repo01 10.0.2.5 22-22 refused", "repo01 10.0.2.5 2500-2599 filtered",
                "repo01 10.0.2.5 2600-2600 open", "repo01 10.0.2.5 2601-3300 filtered",
                "repo01 10.0.2.5 3302-3302 filtered"}));
  EXPECT_EQ(summary[0].port_last, 0u);  // a single port stays one
  EXPECT_EQ(summary[1].port_count(), 100u);
}

TEST(AppendFlow, ExtendsTheLastRowOnlyWhenThePortContinuesIt) {
  std::vector<flow_result> flows;
  for (unsigned port : {2500u, 2501u, 2502u, 22u, 23u, 2503u})
    append_flow(flows, pair("repo01", "10.0.2.5", port, "filtered"));
  append_flow(flows, pair("repo01", "10.0.2.5", 2504, "open"));  // another verdict
  EXPECT_EQ(rows(flows),
            (std::vector<std::string>{
                "repo01 10.0.2.5 2500-2502 filtered", "repo01 10.0.2.5 22-23 filtered",
                "repo01 10.0.2.5 2503-2503 filtered", "repo01 10.0.2.5 2504-2504 open"}));
  // Out of order rows are joined by summarise_flows afterwards.
  EXPECT_EQ(rows(summarise_flows(flows)),
            (std::vector<std::string>{"repo01 10.0.2.5 22-23 filtered",
                                      "repo01 10.0.2.5 2500-2503 filtered",
                                      "repo01 10.0.2.5 2504-2504 open"}));
}

TEST(SummariseFlows, ARangeKeepsTheLargestLatencyAndAttempts) {
  const auto summary =
      summarise_flows({pair("repo01", "10.0.2.5", 10, "filtered", "forbidden", 1000, 2),
                       pair("repo01", "10.0.2.5", 11, "filtered", "forbidden", 1003.5, 1),
                       pair("repo01", "10.0.2.5", 12, "filtered", "forbidden", 999, 2)});
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary[0].latency_ms, 1003.5);
  EXPECT_EQ(summary[0].attempts, 2);
}

TEST(SummariseFlows, OnlyTheSameDestinationExpectationAndMethodJoin) {
  auto allowed = pair("repo01", "10.0.2.5", 11, "filtered", "allowed");
  auto other_address = pair("repo01", "10.0.2.6", 12, "filtered");
  auto other_name = pair("repo02", "10.0.2.5", 13, "filtered");
  auto over_ssh = pair("repo01", "10.0.2.5", 14, "filtered");
  over_ssh.method = "ssh-forward";
  const auto summary = summarise_flows(
      {pair("repo01", "10.0.2.5", 10, "filtered"), allowed, other_address, other_name, over_ssh});
  EXPECT_EQ(summary.size(), 5u);
  // sorted by destination, address, port
  EXPECT_EQ(rows(summary), (std::vector<std::string>{
                               "repo01 10.0.2.5 10-10 filtered", "repo01 10.0.2.5 11-11 filtered",
                               "repo01 10.0.2.5 14-14 filtered", "repo01 10.0.2.6 12-12 filtered",
                               "repo02 10.0.2.5 13-13 filtered"}));
}

TEST(CombineFlows, APortTestedTwiceKeepsTheEarliestResultWithoutARank) {
  // A control tested with every host: the second test of port 22 is dropped.
  const auto combined = combine_flows({pair("ad01", "10.0.9.1", 22, "open", "allowed"),
                                       pair("ad01", "10.0.9.1", 22, "filtered", "allowed"),
                                       pair("ad01", "10.0.9.1", 23, "open", "allowed")});
  EXPECT_EQ(rows(combined), (std::vector<std::string>{"ad01 10.0.9.1 22-23 open"}));
}

TEST(CombineFlows, TheHighestRankWinsPortByPortAndRangesAreCutAroundIt) {
  flow_result wide = pair("repo01", "10.0.2.5", 1, "filtered");
  wide.port_last = 65535;
  flow_result hole = pair("repo01", "10.0.2.5", 2600, "open");
  hole.port_last = 2610;
  flow_result error = pair("repo01", "10.0.2.5", 65535, "error");
  const auto rank = [](const flow_result& f) {
    return f.verdict == "open" ? 2 : f.verdict == "error" ? 1 : 0;
  };
  const auto combined = combine_flows({wide, hole, error}, rank);
  EXPECT_EQ(rows(combined),
            (std::vector<std::string>{
                "repo01 10.0.2.5 1-2599 filtered", "repo01 10.0.2.5 2600-2610 open",
                "repo01 10.0.2.5 2611-65534 filtered", "repo01 10.0.2.5 65535-65535 error"}));
  // Without the rank, the first flow covers everything.
  EXPECT_EQ(rows(combine_flows({wide, hole, error})),
            (std::vector<std::string>{"repo01 10.0.2.5 1-65535 filtered"}));
}

TEST(CombineFlows, VantagePointsAndAddressesAreKeptApart) {
  auto from_erp = pair("repo01", "10.0.2.5", 22, "refused");
  from_erp.vantage = "prod-erp";
  const auto combined = combine_flows({pair("repo01", "10.0.2.5", 22, "filtered"), from_erp,
                                       pair("repo01", "10.0.2.6", 22, "open")});
  ASSERT_EQ(combined.size(), 3u);
  EXPECT_EQ(combined[0].vantage, "prod-dc");
  EXPECT_EQ(combined[0].verdict, "filtered");
  EXPECT_EQ(combined[1].address, "10.0.2.6");
  EXPECT_EQ(combined[2].vantage, "prod-erp");
  EXPECT_EQ(combined[2].verdict, "refused");
}

TEST(AddPorts, AddsEveryPortOfARange) {
  std::set<unsigned> ports;
  flow_result range = pair("repo01", "10.0.2.5", 65530, "open");
  range.port_last = 65535;
  add_ports(range, ports);
  add_ports(pair("repo01", "10.0.2.5", 22, "open"), ports);
  EXPECT_EQ(ports, (std::set<unsigned>{22, 65530, 65531, 65532, 65533, 65534, 65535}));
}

}  // namespace
}  // namespace cloison
