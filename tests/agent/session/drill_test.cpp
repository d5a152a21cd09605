#include "agent/session/drill.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "agent/session/drill_report.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;

// Two segments and one dual-stack backup host; administration may reach it on 22 and 9392, and
// keeps 22 open during an isolation.
inventory small_estate() {
  inventory inv;
  inv.establishment = "CH Test";
  inv.segments = {{"production", segment_role::production, {*cidr::parse("10.1.0.0/24")}},
                  {"backup", segment_role::backup, {*cidr::parse("10.2.0.0/24")}},
                  {"administration", segment_role::administration, {*cidr::parse("10.3.0.0/24")}}};
  backup_host h;
  h.name = "bk1";
  h.addresses = {"10.2.0.10"};
  inv.hosts.push_back(h);
  inv.vantage_points = {{"admin", "administration"}, {"prod", "production", "ssh", "10.1.0.9"}};
  inv.flows.push_back({"administration", "bk1", "tcp", {{22, 22}, {9392, 9392}}, "console"});
  isolation_drill d;
  d.isolate = {"isolate"};
  d.restore = {"restore"};
  d.max_isolate_time = std::chrono::seconds(2);
  d.hold = std::chrono::seconds(0);
  d.stay_open.push_back({"administration", "bk1", "tcp", {{22, 22}}, "console"});
  inv.isolation = isolation_procedure{"cut", "on-call", "", d};
  return inv;
}

const std::vector<port_profile> kProfiles{{"management", {{22, 22}, {3389, 3389}}, true},
                                          {"veeam", {{9392, 9392}}, false}};

// The estate the fakes share: isolated or not, and what a broken procedure leaves behind.
struct fake_site {
  std::mutex m;
  bool isolated = false;
  bool restore_fails = false;
  std::uint16_t leaks = 0;  // a port the isolation leaves open from production
  bool lose_vantage = false;
  std::vector<std::string> ran;
  std::atomic<int>* stop_on_isolated = nullptr;
};

class fake_runner final : public command_runner {
 public:
  explicit fake_runner(fake_site& s) : s_(s) {}
  command_result run(const std::vector<std::string>& argv, deadline, std::size_t) const override {
    std::lock_guard lock(s_.m);
    s_.ran.push_back(argv.front());
    command_result r;
    r.exit_code = 0;
    if (argv.front() == "isolate") {
      s_.isolated = true;
    } else if (s_.restore_fails) {
      r.exit_code = 1;
      r.err = "nft: no such file";
    } else {
      s_.isolated = false;
    }
    return r;
  }

 private:
  fake_site& s_;
};

// Before: administration reaches its declared ports (3389 is filtered); production's pairs are all
// forbidden, refused (answered by the host). Isolated: everything is filtered but administration's
// kept port 22 and the port a broken isolation leaks from production.
class fake_connector final : public connector {
 public:
  fake_connector(fake_site& s, bool production) : s_(s), production_(production) {}
  std::vector<connect_result> probe(const target_list& targets, const prober_settings&) override {
    std::lock_guard lock(s_.m);
    std::vector<connect_result> out(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i) {
      const auto port = targets[i].port;
      out[i].attempts = 1;
      if (s_.lose_vantage && s_.isolated && production_) {
        out[i].attempts = 0;
        out[i].error = "ssh: connection lost";
      } else if (!s_.isolated) {
        out[i].v = production_    ? verdict::refused
                   : port == 3389 ? verdict::filtered
                                  : verdict::open;
      } else if (production_) {
        out[i].v = port == s_.leaks ? verdict::refused : verdict::filtered;
      } else {
        out[i].v = port == 22 ? verdict::open : verdict::filtered;
      }
    }
    if (s_.isolated && s_.stop_on_isolated)
      s_.stop_on_isolated->store(15);
    return out;
  }

 private:
  fake_site& s_;
  bool production_;
};

drill_tools fake_tools(fake_site& site) {
  drill_tools t;
  t.executor = std::make_shared<fake_runner>(site);
  t.check_executor = [](deadline) { return std::string(); };
  t.connector_for = [&site](const vantage_point& v) {
    return std::make_shared<fake_connector>(site, v.segment == "production");
  };
  t.round_pause = std::chrono::milliseconds(1);
  return t;
}

drill_plan small_plan() {
  return plan_drill(small_estate(), kProfiles, {*ip_address::parse("10.3.0.5")});
}

std::vector<std::string> named(const drill_result& r, drill_failure::kind k) {
  std::vector<std::string> out;
  for (const auto& f : r.failures) {
    if (f.what == k) {
      for (const auto i : f.pairs)
        out.push_back(pair_name(r.plan.pairs[i]));
    }
  }
  return out;
}

TEST(DrillPlan, MeasuresDeclaredKeptAndManagementPortsFromTheVantagePointsHere) {
  const auto plan = small_plan();
  ASSERT_EQ(plan.measured.size(), 2u);  // admin: this machine's segment; prod: over SSH
  EXPECT_EQ(plan.measured[0].name, "admin");
  // A remote vantage point is measured from anywhere; a local one elsewhere is not.
  const auto remote = plan_drill(small_estate(), kProfiles, {*ip_address::parse("10.9.9.9")});
  ASSERT_EQ(remote.measured.size(), 1u);
  EXPECT_EQ(remote.measured[0].name, "prod");
  EXPECT_FALSE(remote.vantage_points[0].measured);
  EXPECT_EQ(remote.vantage_points[0].segment, "administration");
  EXPECT_EQ(remote.vantage_points[0].same_as, "");
  // Two local vantage points this machine sits in: the same sockets, measured once.
  auto both = small_estate();
  both.vantage_points.push_back({"admin-2", "administration"});
  const auto once = plan_drill(both, kProfiles, {*ip_address::parse("10.3.0.5")});
  ASSERT_EQ(once.vantage_points.size(), 3u);
  EXPECT_FALSE(once.vantage_points[2].measured);
  EXPECT_EQ(once.vantage_points[2].same_as, "admin");
  EXPECT_EQ(once.measured.size(), 2u);

  std::vector<std::string> admin;
  for (const auto& p : plan.pairs) {
    if (p.vantage == "admin")
      admin.push_back(std::to_string(p.port) + (p.allowed ? " allowed" : "") +
                      (p.kept_open ? " kept" : ""));
  }
  // The management ports (profiles marked always) and the declared flows; not veeam's profile.
  EXPECT_THAT(admin, ElementsAre("22 allowed kept", "3389", "9392 allowed"));
}

TEST(DrillPlan, JudgesIsolationRestorationAndTheMatrix) {
  const std::vector<drill_pair> pairs{{"a", "s", "h", "10.2.0.1", 22, true, true},
                                      {"a", "s", "h", "10.2.0.1", 443, true, false},
                                      {"a", "s", "h", "10.2.0.1", 3389, false, false}};
  using v = verdict;
  EXPECT_TRUE(not_isolated(pairs, {v::open, v::filtered, v::unreachable}).empty());
  // A kept flow closed, a refused port (its RST got through): not isolated.
  EXPECT_THAT(not_isolated(pairs, {v::filtered, v::refused, v::filtered}), ElementsAre(0u, 1u));
  // Less than before, or more (a restore that opens a port that was closed): not restored.
  EXPECT_THAT(not_restored({v::open, v::refused, v::filtered}, {v::open, v::filtered, v::open}),
              ElementsAre(1u, 2u));
  // Allowed but silent, forbidden and open: off the declared matrix.
  EXPECT_THAT(off_matrix(pairs, {v::open, v::filtered, v::open}), ElementsAre(1u, 2u));
}

TEST(Drill, PassesIsolatesHoldsAndRestores) {
  fake_site site;
  std::atomic<int> stop{0};
  const auto r = run_drill(small_plan(), fake_tools(site), false, stop);
  EXPECT_EQ(r.outcome, drill_outcome::passed);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_THAT(site.ran, ElementsAre("isolate", "restore"));
  EXPECT_FALSE(site.isolated);
  ASSERT_TRUE(r.time_to_isolate_s && r.time_to_restore_s);
  ASSERT_EQ(r.during.size(), r.plan.pairs.size());
  EXPECT_EQ(r.after, r.before);
  std::vector<drill_step> steps;
  for (const auto& e : r.timeline)
    steps.push_back(e.step);
  EXPECT_THAT(steps,
              ElementsAre(drill_step::precheck_matrix, drill_step::precheck_restorer,
                          drill_step::isolate_run, drill_step::isolated, drill_step::hold_done,
                          drill_step::restore_run, drill_step::restored));
}

TEST(Drill, ADryRunRunsNoCommand) {
  fake_site site;
  std::atomic<int> stop{0};
  const auto r = run_drill(small_plan(), fake_tools(site), true, stop);
  EXPECT_EQ(r.outcome, drill_outcome::dry_run);
  EXPECT_TRUE(site.ran.empty());
}

TEST(Drill, AStateOffTheMatrixOrAnUnreachableRestorerRefusesTheDrill) {
  fake_site site;
  site.isolated = true;  // admin's 9392 is declared but does not answer
  std::atomic<int> stop{0};
  auto tools = fake_tools(site);
  tools.check_executor = [](deadline) { return std::string("ssh: connection refused"); };
  const auto r = run_drill(small_plan(), tools, false, stop);
  EXPECT_EQ(r.outcome, drill_outcome::refused);
  EXPECT_TRUE(site.ran.empty());
  EXPECT_THAT(named(r, drill_failure::kind::off_matrix),
              ElementsAre("admin (administration) -> bk1 10.2.0.10 tcp/9392"));
  ASSERT_EQ(r.failures.size(), 2u);
  EXPECT_EQ(r.failures[1].what, drill_failure::kind::restorer_unreachable);
}

TEST(Drill, AnIsolationThatLeavesAPortOpenFailsNamingItAndRestores) {
  fake_site site;
  site.leaks = 22;
  std::atomic<int> stop{0};
  const auto r = run_drill(small_plan(), fake_tools(site), false, stop);
  EXPECT_EQ(r.outcome, drill_outcome::failed);
  EXPECT_THAT(named(r, drill_failure::kind::not_isolated),
              ElementsAre("prod (production) -> bk1 10.2.0.10 tcp/22"));
  EXPECT_THAT(site.ran, ElementsAre("isolate", "restore"));
  EXPECT_FALSE(site.isolated);
  EXPECT_NE(drill_summary(r, lang::en).find("prod (production) -> bk1 10.2.0.10 tcp/22: refused"),
            std::string::npos);
}

TEST(Drill, AFailedRestoreIsLoudWithTheManualSteps) {
  fake_site site;
  site.restore_fails = true;
  std::atomic<int> stop{0};
  const auto r = run_drill(small_plan(), fake_tools(site), false, stop);
  EXPECT_EQ(r.outcome, drill_outcome::restore_failed);
  EXPECT_TRUE(site.isolated);
  const auto text = drill_summary(r, lang::fr);
  EXPECT_NE(text.find("RÉTABLISSEMENT EN ÉCHEC"), std::string::npos);
  EXPECT_NE(text.find("nft: no such file"), std::string::npos);
  EXPECT_NE(text.find("Rétablissez à la main, maintenant : exécutez « 'restore' »"),
            std::string::npos);
}

TEST(Drill, ASignalOrALostVantagePointRestoresAtOnce) {
  for (const bool signal : {true, false}) {
    fake_site site;
    std::atomic<int> stop{0};
    if (signal)
      site.stop_on_isolated = &stop;
    else
      site.lose_vantage = true;
    auto plan = small_plan();
    plan.procedure.hold = std::chrono::seconds(60);
    const auto r = run_drill(plan, fake_tools(site), false, stop);
    EXPECT_EQ(r.outcome, drill_outcome::failed);  // the site was restored: not restore_failed
    EXPECT_THAT(site.ran, ElementsAre("isolate", "restore"));
    EXPECT_FALSE(site.isolated);
    ASSERT_FALSE(r.failures.empty());
    EXPECT_EQ(r.failures.front().what,
              signal ? drill_failure::kind::interrupted : drill_failure::kind::vantage_lost);
  }
}

// Throws while isolated: the restore still runs and the drill returns a result.
class throwing_connector final : public connector {
 public:
  throwing_connector(fake_site& s, bool production) : s_(s), inner_(s, production) {}
  std::vector<connect_result> probe(const target_list& targets, const prober_settings& p) override {
    {
      std::lock_guard lock(s_.m);
      if (s_.isolated)
        throw std::runtime_error("io_context: out of descriptors");
    }
    return inner_.probe(targets, p);
  }

 private:
  fake_site& s_;
  fake_connector inner_;
};

TEST(Drill, AnExceptionIsAFailureAfterWhichTheRestoreRuns) {
  fake_site site;
  std::atomic<int> stop{0};
  auto tools = fake_tools(site);
  tools.connector_for = [&site](const vantage_point& v) {
    return std::make_shared<throwing_connector>(site, v.segment == "production");
  };
  drill_result r;
  EXPECT_NO_THROW(r = run_drill(small_plan(), tools, false, stop));
  EXPECT_THAT(site.ran, ElementsAre("isolate", "restore"));
  EXPECT_FALSE(site.isolated);
  EXPECT_EQ(r.outcome, drill_outcome::failed);
  ASSERT_FALSE(r.failures.empty());
  EXPECT_EQ(r.failures.front().what, drill_failure::kind::internal_error);
  EXPECT_EQ(r.failures.front().detail, "io_context: out of descriptors");
}

TEST(Drill, KeptFlowsAloneCannotShowACut) {
  fake_site site;
  auto plan = small_plan();
  for (auto& p : plan.pairs)
    p.kept_open = p.vantage == "admin" && p.port == 22;
  std::atomic<int> stop{0};
  auto tools = fake_tools(site);
  tools.connector_for = [&site](const vantage_point& v) -> std::shared_ptr<connector> {
    struct only_kept final : connector {
      std::vector<connect_result> probe(const target_list& t, const prober_settings&) override {
        std::vector<connect_result> out(t.size());
        for (std::size_t i = 0; i < t.size(); ++i) {
          out[i].attempts = 1;
          out[i].v = t[i].port == 22 && !production ? verdict::open : verdict::filtered;
        }
        return out;
      }
      bool production = false;
    };
    auto c = std::make_shared<only_kept>();
    c->production = v.segment == "production";
    (void)site;
    return c;
  };
  plan.pairs.erase(std::remove_if(plan.pairs.begin(), plan.pairs.end(),
                                  [](const drill_pair& p) { return p.allowed && p.port != 22; }),
                   plan.pairs.end());
  const auto r = run_drill(plan, tools, false, stop);
  EXPECT_EQ(r.outcome, drill_outcome::refused);
  EXPECT_TRUE(site.ran.empty());
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].what, drill_failure::kind::nothing_answers);
}

TEST(DrillReport, JsonAndHtmlCarryTheVerdictInBothLanguages) {
  fake_site site;
  site.leaks = 22;
  std::atomic<int> stop{0};
  const auto r = run_drill(small_plan(), fake_tools(site), false, stop);
  const auto j = drill_json(r, "1.2.3");
  EXPECT_EQ(j["format"], "cloison-drill/1");
  EXPECT_EQ(j["outcome"], "failed");
  EXPECT_EQ(j["failures"][0]["kind"], "not_isolated");
  EXPECT_EQ(j["failures"][0]["pairs"][0], "prod (production) -> bk1 10.2.0.10 tcp/22");
  const auto html = drill_html(r, lang::en);
  ASSERT_NE(html.find("ÉCHOUÉ"), std::string::npos);
  EXPECT_LT(html.find("FAILED"), html.find("ÉCHOUÉ"));  // English first
  EXPECT_NE(html.find("<td class=\"bad\">refused</td>"), std::string::npos);
}

}  // namespace
}  // namespace cloison
