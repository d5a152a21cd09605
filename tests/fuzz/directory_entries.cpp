// libFuzzer harness of the AD value decoders (probes/directory/ad_decoders.h, ldap_entry.h) and
// of the ADS assessment that uses them: the input is read as LDIF (the test reader of captures,
// tests/probes/directory/ldap_fixture.h); every attribute description goes through
// parse_ranged_attribute, every value through every decoder, and the entries are served to an
// ads_assessment as a directory would. Decoders promise nullopt, never an exception, on
// malformed values.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "probes/directory/ad_decoders.h"
#include "probes/directory/ads_assessment.h"
#include "probes/directory/ldap_entry.h"
#include "tests/probes/directory/ldap_fixture.h"

namespace cloison {
namespace {

const sys_time kNow = std::chrono::sys_days(std::chrono::year(2026) / 11 / 29);

void decode(const std::string& value) {
  if (const auto sid = decode_sid(value)) {
    (void)sid_domain(*sid);
    (void)sid_rid(*sid);
  }
  (void)sid_domain(value);
  (void)sid_rid(value);
  if (const auto n = parse_int64(value)) {
    (void)uac_flag_names(static_cast<std::uint32_t>(*n));
    (void)trust_attribute_names(static_cast<std::uint32_t>(*n));
    (void)trust_direction_name(*n);
    (void)functional_level_name(*n);
  }
  for (const auto& t : {decode_filetime(value), decode_generalized_time(value)}) {
    if (t)
      (void)days_between(*t, kNow);
  }
  (void)decode_interval_days(value);
  (void)dsheuristics_char(value, value.size() % 32);
}

}  // namespace
}  // namespace cloison

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cloison;
  std::vector<ldap_entry> entries;
  try {
    entries = testing::read_ldif(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const std::runtime_error&) {
    return 0;  // not LDIF the test reader accepts
  }
  for (const auto& e : entries) {
    for (const auto& [name, values] : e.attributes) {
      (void)parse_ranged_attribute(name);
      for (const auto& v : values)
        decode(v);
      (void)dns_zone_allow_update(values);
    }
  }
  testing::fake_directory directory(std::move(entries));
  ads_assessment assessment("directory/fuzz", kNow);
  testing::drive(assessment, directory);
  (void)assessment.result();
  return 0;
}
