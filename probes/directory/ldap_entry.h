// What the LDAP layer hands to directory logic: searches described as data, entries as plain
// values. Kept free of libldap so that directory logic is pure and tested on LDIF fixtures.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

enum class ldap_scope { base, one_level, subtree };

struct ldap_query {
  std::string base;  // a DN; "" with scope base is the rootDSE
  ldap_scope scope = ldap_scope::subtree;
  std::string filter = "(objectClass=*)";
  std::vector<std::string> attributes;  // the attributes to return; never empty for real searches
  // The parts of nTSecurityDescriptor asked for with the SD_FLAGS control
  // (1.2.840.113556.1.4.801): 0x1 owner, 0x2 group, 0x4 DACL, 0x8 SACL (which needs a privilege
  // an auditor does not hold). 0: no control.
  int sd_flags = 0;
};

// LDAP attribute names compare without regard to ASCII case ("userAccountControl").
struct ldap_name_less {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// One entry. Values are raw bytes: objectSid is binary, FILETIMEs are decimal text, and so on.
// Ranged values (member;range=0-1499) are already joined under the plain attribute name.
struct ldap_entry {
  std::string dn;
  std::map<std::string, std::vector<std::string>, ldap_name_less> attributes;

  // The values of `name`, or an empty list when the entry does not carry it.
  const std::vector<std::string>& values(std::string_view name) const;
  // The first value of `name`, or "" when absent.
  std::string_view first(std::string_view name) const;
  bool has(std::string_view name) const;
};

// An attribute description returned with a range option, when the server sends a large value
// set in parts: "member;range=0-1499" -> {"member", 1500}; "member;range=1500-*" (the last
// part) -> {"member", nullopt}. nullopt for a description without ";range=".
struct ranged_attribute {
  std::string name;
  std::optional<unsigned long> next;  // where the next part starts; nullopt: this was the last
};
std::optional<ranged_attribute> parse_ranged_attribute(std::string_view description);

}  // namespace cloison
