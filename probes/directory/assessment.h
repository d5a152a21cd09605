// What directory assessments share: their output (facts and evidence), the record of the searches
// they asked for (to build evidence and to make facts missing when a search failed), and helpers
// to write filters and to read entries. Pure; no libldap. Not thread-safe (one per directory).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/observation.h"
#include "probes/directory/ad_decoders.h"
#include "probes/directory/ldap_entry.h"

namespace cloison {

struct assessment_output {
  std::map<std::string, fact> facts;
  std::vector<cloison::evidence> evidence;
};

// The searches of one assessment: what was asked, whether it went through, and the lines of
// evidence (the deciding entries, decoded) noted while streaming its answer.
class search_log {
 public:
  explicit search_log(std::string evidence_prefix) : prefix_(std::move(evidence_prefix)) {}

  // Records `q` under `name` (unique within the assessment, e.g. "accounts"); returns its handle.
  std::size_t add(std::string name, ldap_query q);
  const ldap_query& query(std::size_t handle) const { return searches_[handle].query; }
  // One more entry came back (counted in the evidence).
  void count(std::size_t handle) { ++searches_[handle].entries; }
  // Notes an evidence line; beyond a cap the lines are only counted.
  void note(std::size_t handle, std::string line);
  void fail(std::size_t handle, std::string why);
  // Why the search named `name` is unusable (failed, or never run); nullopt when it went through.
  std::optional<std::string> problem(std::string_view name) const;
  // The evidence id of the search named `name` ("" when it never ran).
  std::string evidence_id(std::string_view name) const;
  // One evidence item per search: the query, then the noted lines.
  std::vector<evidence> evidence_items() const;

 private:
  struct search {
    std::string name;
    ldap_query query;
    std::size_t entries = 0;
    std::vector<std::string> lines;
    std::size_t lines_dropped = 0;
    std::optional<std::string> failure;
  };
  std::string prefix_;
  std::vector<search> searches_;
};

// Sets fact `name` from `value` with the evidence of the searches named in `sources`, or missing
// when one of those searches failed or never ran.
void put_directory_fact(assessment_output& out, const search_log& log, std::string_view name,
                        json value, std::initializer_list<std::string_view> sources);

// Escapes a value for an LDAP filter (RFC 4515: * ( ) \ NUL).
std::string ldap_filter_escape(std::string_view value);

// Readers of entry values: nullopt when absent or malformed.
std::optional<std::int64_t> int_value(const ldap_entry& e, std::string_view attribute);
std::optional<std::string> sid_value(const ldap_entry& e, std::string_view attribute);
// The account's userAccountControl (0 when absent).
std::uint32_t uac_of(const ldap_entry& e);
// The name to show for an entry: sAMAccountName, else cn, else the DN.
std::string display_name(const ldap_entry& e);
// Case-insensitive comparison of DNs and names.
bool same_text(std::string_view a, std::string_view b);
// Whether the entry's objectClass values contain `cls` (case-insensitive).
bool has_class(const ldap_entry& e, std::string_view cls);
// The value of the first RDN of a DN ("LAB-BACKUP" of "CN=LAB-BACKUP,CN=Computers,...").
std::string first_rdn_value(std::string_view dn);
// "backup.lab" of "DC=backup,DC=lab"; "" when the DN has no DC components.
std::string dns_name_of(std::string_view dn);

}  // namespace cloison
