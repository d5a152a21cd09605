// libFuzzer harness of the nTSecurityDescriptor parser (probes/directory/security_descriptor.h):
// the input is read as a self-relative SECURITY_DESCRIPTOR and, when it parses, asked who holds
// the two DCSync rights. The parser promises nullopt, never an exception or a read out of
// bounds, on malformed descriptors.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probes/directory/security_descriptor.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cloison;
  const auto sd =
      parse_security_descriptor(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!sd)
    return 0;
  for (const auto right : {kDsReplicationGetChanges, kDsReplicationGetChangesAll})
    (void)trustees_with_extended_right(*sd, right);
  return 0;
}
