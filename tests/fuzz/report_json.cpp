// libFuzzer harness of report.json reading (agent/report/report.h, read_report_text: what
// `cloison report`, `diff` and `merge` read from other machines). Any input ends in a report or in
// a std::runtime_error saying what is wrong with it; a report read is written back as JSON.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "agent/report/report.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    (void)cloison::to_json(cloison::read_report_text(text, "fuzz/report.json")).dump();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
