#include "agent/config/waivers_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config/yaml_reader.h"
#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;
using testing::located;

TEST(WaiversLoader, LoadsTheFixture) {
  diagnostics d;
  const auto w = load_waivers(testing::data_path("waivers/valid.yaml"), d);
  ASSERT_TRUE(w) << located(d).front();
  ASSERT_EQ(w->size(), 1u);
  EXPECT_EQ(w->front().check, "host-sshd-no-root-login");
  EXPECT_EQ(w->front().target, "repo01");
}

// Found by tests/fuzz/config_yaml (regressions/config_yaml/crash-195c…): a file without the
// `waivers` key threw YAML::InvalidNode instead of reporting it.
TEST(WaiversLoader, AFileWithoutTheWaiversKeyIsADiagnostic) {
  diagnostics d;
  const auto doc = load_yaml_text("waiver:\n  - check: x\n", "w.yaml", d);
  ASSERT_TRUE(doc);
  EXPECT_EQ(read_waivers(*doc, "w.yaml", d), std::nullopt);
  EXPECT_THAT(located(d),
              ElementsAre("1:1: waivers file: unknown key 'waiver' (expected one of: waivers)",
                          "1:1: waivers file: missing required key 'waivers'"));
}

}  // namespace
}  // namespace cloison
