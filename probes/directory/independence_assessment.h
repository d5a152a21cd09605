// Independence of the production and backup directories (CaRE D2.03.A), decided from LDAP
// entries: the production directory must hold no computer account of a backup host and no
// backup-side account; neither directory may trust the other; the backup directory must hold no
// foreign security principal of a production domain. Pure, staged like ads_assessment (same
// protocol: next_stage / consume / search_failed, then result). Facts that belong to the other
// role are ruled out (their checks are not_applicable). Not thread-safe: one per directory and run.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/inventory.h"
#include "probes/directory/assessment.h"
#include "probes/probe.h"

namespace cloison {

struct independence_context {
  directory_role role = directory_role::production;  // core/inventory.h
  struct host {
    std::string name;                    // inventory name: short ("lab-backup") or FQDN
    std::vector<std::string> addresses;  // as declared
  };
  std::vector<host> backup_hosts;            // inventory hosts
  std::vector<std::string> backup_accounts;  // inventory backup_accounts (sAMAccountName)
  struct domain {
    std::string dns_name;  // "prod.lab"
    std::string sid;       // "S-1-5-21-..."; "" when unknown
    std::string netbios;   // flat name; "" when unknown
  };
  // The domains of the directories of the other role, read by the client from their rootDSE and
  // domain head. Empty when the inventory declares none: the trust fact is then ruled out.
  std::vector<domain> other_side;
};

class independence_assessment {
 public:
  independence_assessment(std::string evidence_prefix, independence_context context);
  ~independence_assessment();
  independence_assessment(const independence_assessment&) = delete;
  independence_assessment& operator=(const independence_assessment&) = delete;

  std::vector<ldap_query> next_stage();
  void consume(std::size_t index, const ldap_entry& entry);
  void search_failed(std::size_t index, std::string why);
  // Every fact of independence_fact_specs().
  assessment_output result() const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

std::span<const fact_spec> independence_fact_specs();

// Namesakes: the accounts of a production directory (base `base`) whose sAMAccountName or
// userPrincipalName prefix is one of `names` (lower-case logon names of the backup AD's privileged
// accounts), the classic sign of one person with one password on both sides. The search asks for
// sAMAccountName, userPrincipalName and userAccountControl; `names` must not be empty.
ldap_query namesake_query(const std::string& base, const std::vector<std::string>& names);
// One line per entry of that search that matches a name: "bk-admin: prod.lab account bk-admin
// (CN=bk-admin,CN=Users,DC=prod,DC=lab, enabled)". `domain` names the production directory.
std::vector<std::string> namesake_lines(const std::vector<ldap_entry>& entries,
                                        const std::vector<std::string>& names,
                                        const std::string& domain);

}  // namespace cloison
