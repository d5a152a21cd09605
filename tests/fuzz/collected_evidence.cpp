// libFuzzer harness of collected-evidence reading (probes/host/collected_evidence.h,
// read_collected_evidence: the signed file `cloison collect` writes and an audit reads). The
// input is read twice: as the evidence file itself, and, signed with the harness's key, as the
// signed payload (the "payload" string of an evidence file given as input, else the input
// itself), so that the payload parser behind the signature check is reached. Reading never
// throws: any input ends in evidence or in a refusal.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "agent/evidence/agent_key.h"
#include "core/bounded_read.h"
#include "core/observation.h"
#include "probes/host/collected_evidence.h"

namespace cloison {
namespace {

// A fresh key, made in a temporary folder removed at once.
agent_key fuzz_key() {
  std::string dir = (std::filesystem::temp_directory_path() / "cloison-fuzz-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  auto key = agent_key::load_or_create(dir + "/agent-key.pem");
  std::filesystem::remove_all(dir);
  return key;
}

// The "payload" string of an evidence file, or the whole input when it is none.
std::string payload_of(std::string_view input) {
  if (json_depth(input) <= kMaxCollectedDepth) {
    const auto j = json::parse(input, nullptr, false);
    if (j.is_object() && j.contains("payload") && j["payload"].is_string())
      return j["payload"].get<std::string>();
  }
  return std::string(input);
}

}  // namespace
}  // namespace cloison

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cloison;
  static const agent_key key = fuzz_key();
  static const collected_evidence_source source{"fuzz/evidence.json", "fuzz/agent.pub",
                                                std::chrono::hours(24 * 365 * 100)};
  static const auto now = *parse_utc_time("2026-11-29T11:00:00Z");
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)read_collected_evidence(input, key.public_key_pem(), source, "lab-repo", now);
  const auto payload = payload_of(input);
  std::string file;
  try {
    file = evidence_file_text(payload, key.sign(payload), key.fingerprint());
  } catch (const json::type_error&) {
    return 0;  // not UTF-8: no evidence file holds such a payload
  }
  (void)read_collected_evidence(file, key.public_key_pem(), source, "lab-repo", now);
  return 0;
}
