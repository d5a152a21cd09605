// libFuzzer harness of evidence bundle reading (agent/evidence/bundle.h): the input is the bytes
// of a tar or tar.gz archive, read as `cloison verify` reads a bundle (verify_bundle_bytes, with
// the bundle's own agent.pub) and as read_archive_bytes lists its files. Any input ends in a
// result or in a std::runtime_error (bundle_unreadable).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "agent/evidence/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    (void)cloison::verify_bundle_bytes(bytes, "fuzz.tar.gz", std::nullopt);
  } catch (const std::runtime_error&) {
  }
  try {
    (void)cloison::read_archive_bytes(bytes);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
