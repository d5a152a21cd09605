// The directory probe: facts about each directory of the inventory, read over LDAP
// (probes/directory/ldap_client.h) and decided by pure assessments: the independence of the
// production and backup directories (independence_assessment.h) and, for the dedicated backup
// AD, the ANSSI ADS control points (ads_assessment.h). Also how the directory is reached: TLS
// verified or not, and whether its DC reads simple binds sent in clear (probed without a real
// credential).
//
// A directory that cannot be reached or bound makes every fact of its target missing (error
// findings), never a pass; a search that fails or runs past the deadline makes the facts it
// decides missing and the rest of the audit goes on.
#pragma once

#include "probes/probe.h"

namespace cloison {

class directory_probe final : public probe {
 public:
  directory_probe();

  std::string_view name() const override { return "directory"; }
  std::span<const fact_spec> facts() const override;
  // One target per directory of the inventory.
  std::vector<target> plan(const inventory& inv, const run_context& run) const override;
  // Points Kerberos at the krb5_conf the inventory names for GSSAPI binds (one per inventory).
  void prepare(const inventory& inv) const override;

 protected:
  observation collect(const inventory& inv, const run_context& run, const target& t,
                      deadline until) const override;
};

}  // namespace cloison
