// How the inventory's production directories show up in a host's configuration: their DNS
// domains (from the base DN), NetBIOS-style short names and addresses. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/inventory.h"

namespace cloison {

struct production_names {
  std::vector<std::string> domains;    // "prod.lab" (lowercase)
  std::vector<std::string> netbios;    // "prod" (lowercase first label)
  std::vector<std::string> addresses;  // "198.18.4.10"
};

// From the directories of role production.
production_names production_of(const inventory& inv);

// True when `text` names a production directory: one of its domains, "SHORT\\" at the start or
// after a '%', or one of its addresses (case-insensitive).
bool names_production(const production_names& p, const std::string& text);

}  // namespace cloison
