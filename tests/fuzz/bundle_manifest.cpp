// libFuzzer harness of the evidence bundle's manifest parser (agent/evidence/bundle.h,
// parse_manifest: MANIFEST.sha256 once its signature holds). Pure: any input ends in entries and
// problems, at most kMaxManifestProblems + 1 of them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "agent/evidence/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<cloison::bundle_problem> problems;
  (void)cloison::parse_manifest(std::string_view(reinterpret_cast<const char*>(data), size),
                                problems);
  if (problems.size() > cloison::kMaxManifestProblems + 1)
    std::abort();
  return 0;
}
