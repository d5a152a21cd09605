// The ANSSI ADS control points of a dedicated backup Active Directory, decided from LDAP entries
// (docs/ads-controls.md lists every control and how it is decided). Pure: the LDAP client runs
// the searches this class asks for and streams the entries back; nothing here talks to a server.
//
// Protocol: call next_stage() and run every search it returns, calling consume() for each entry
// as it arrives (paged, in any order within the stage) and search_failed() for a search that did
// not complete; repeat until next_stage() returns an empty list; then read result(). Stages:
// rootDSE; domain head and configuration objects; groups, accounts and policies; transitive
// membership of the watched groups, resolved top down from their member values (each nested
// group read once; the in-chain rule costs Samba seconds per group on a large directory). Only
// what the controls need is kept (offending names, counts, the privileged set), never every user.
//
// A fact whose searches failed (or never ran because an earlier one failed) is missing with the
// reason, never a pass. Controls that need security-descriptor or certificate analysis are always
// missing ("not evaluated"). Not thread-safe: one instance per directory and run.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "probes/directory/assessment.h"
#include "probes/probe.h"

namespace cloison {

class ads_assessment {
 public:
  // `evidence_prefix` starts every evidence id ("directory/backup-lab"); ages are measured at
  // `now`.
  ads_assessment(std::string evidence_prefix, sys_time now);
  ~ads_assessment();
  ads_assessment(const ads_assessment&) = delete;
  ads_assessment& operator=(const ads_assessment&) = delete;

  // The searches of the next stage, built from what earlier stages found; empty when done.
  std::vector<ldap_query> next_stage();
  // One entry returned by search `index` of the current stage.
  void consume(std::size_t index, const ldap_entry& entry);
  // Search `index` of the current stage did not complete; the facts it decides become missing.
  void search_failed(std::size_t index, std::string why);
  // Every fact of ads_fact_specs(), with one evidence item per search.
  assessment_output result() const;
  // The names people log on with to the enabled privileged user accounts found (sAMAccountName
  // and the part of userPrincipalName before '@', lower case, each once), for the namesake search
  // in the production directory; the built-in Administrator (RID 500), whose name every domain
  // shares by default, is left out. Empty before the stages are done.
  std::vector<std::string> privileged_logon_names() const;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

// The facts result() sets: directory.ads.<control> (ANSSI id without "vuln_"), and
// directory.ads.<measure> for controls with a threshold (the threshold lives in the policy).
std::span<const fact_spec> ads_fact_specs();

}  // namespace cloison
