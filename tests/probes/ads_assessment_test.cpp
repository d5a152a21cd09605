#include "probes/directory/ads_assessment.h"

#include <gtest/gtest.h>

#include "tests/probes/ldap_fixture.h"
#include "tests/support.h"

namespace cloison {
namespace {

using namespace std::chrono;

const sys_time kCaptureTime = sys_days(2026y / 11 / 29) + 1h;

testing::fake_directory lab(const std::string& name) {
  return testing::fake_directory(
      testing::capture(name, [](std::string p) { return testing::fixture_text(p); }));
}

assessment_output assess(testing::fake_directory d, sys_time now = kCaptureTime) {
  ads_assessment a("directory/backup-lab", now);
  testing::drive(a, d);
  return a.result();
}

TEST(AdsAssessmentDump, Dump) {
  for (const auto* name : {"compliant-bk", "degraded-bk"}) {
    const auto out = assess(lab(name));
    std::cout << "=== " << name << "\n";
    for (const auto& [k, f] : out.facts)
      std::cout << k << " = " << (f.value ? f.value->dump() : "MISSING " + f.error) << "\n";
    if (std::string(name) == "degraded-bk")
      for (const auto& e : out.evidence)
        std::cout << "--- " << e.id << " | " << e.source << "\n" << e.content.substr(0, 3000) << "\n";
  }
}

}  // namespace
}  // namespace cloison
