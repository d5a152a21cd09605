// libFuzzer harness of the configuration loaders (agent/config/): the input is read as YAML
// (load_yaml_text), then as an inventory, a policy and a waivers file. Each loader promises never
// to throw: any input ends in a result or in diagnostics.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/config/inventory_loader.h"
#include "agent/config/policy_loader.h"
#include "agent/config/waivers_loader.h"
#include "agent/config/yaml_reader.h"
#include "core/observation.h"
#include "probes/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cloison::probe_set probes = cloison::builtin_probes();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cloison::diagnostics out;
  const auto doc = cloison::load_yaml_text(text, "fuzz.yaml", out);
  if (!doc)
    return 0;
  (void)cloison::read_inventory(*doc, "fuzz.yaml", out);
  (void)cloison::read_policy(*doc, "fuzz.yaml", cloison::sha256_hex(text), probes, out);
  (void)cloison::read_waivers(*doc, "fuzz.yaml", out);
  return 0;
}
