#include "probes/registry.h"

#include "probes/directory/directory_probe.h"
#include "probes/host/host_probe.h"
#include "probes/inventory/inventory_probe.h"
#include "probes/reachability/reachability_probe.h"
#include "probes/reachability/ssh_connector.h"
#include "probes/transport/local_runner.h"
#include "probes/transport/ssh_runner.h"

namespace cloison {

const probe* probe_set::find(std::string_view name) const {
  for (const auto& p : probes_) {
    if (p->name() == name)
      return p.get();
  }
  return nullptr;
}

const fact_spec* probe_set::find_fact(std::string_view fact) const {
  const probe* p = find(fact.substr(0, fact.find('.')));
  if (!p)
    return nullptr;
  for (const auto& spec : p->facts()) {
    if (spec.name == fact)
      return &spec;
  }
  return nullptr;
}

std::shared_ptr<connector> vantage_connector(const vantage_point& v,
                                             const std::string& learned_keys_store) {
  if (v.remote() && !is_local_address(v.address, local_addresses()))
    return std::make_shared<ssh_connector>(v, ssh_connector_settings{}, learned_keys_store);
  return std::make_shared<asio_connector>();
}

probe_set builtin_probes(const probe_memory& memory) {
  const std::string store = memory.learned_keys_store;
  std::vector<std::unique_ptr<probe>> probes;
  probes.push_back(std::make_unique<inventory_probe>());
  probes.push_back(std::make_unique<host_probe>(
      std::make_shared<local_runner>(),
      [store](const backup_host& h) { return std::make_shared<ssh_runner>(h, store); }));
  probes.push_back(std::make_unique<reachability_probe>(
      [store](const vantage_point& v) { return vantage_connector(v, store); }));
  probes.push_back(std::make_unique<directory_probe>());
  return probe_set(std::move(probes));
}

}  // namespace cloison
