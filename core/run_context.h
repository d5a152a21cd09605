// What one audit run brings beside the inventory: where it stands, the policies' port profiles
// and its date. Set by whoever runs the audit (agent/session) and handed to the probes with the
// inventory, which stays exactly as loaded. Plain data.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "core/port_profile.h"

namespace cloison {

struct run_context {
  std::string vantage;                 // the vantage point this run stands at; empty: none
  std::vector<port_profile> profiles;  // from the policies
  std::chrono::sys_days today{};       // the run's date: drill ages and waiver expiry
  // By backup host name: the addresses its interfaces carry that the inventory does not list,
  // found by this run's host facts (empty before they are read, or without them).
  std::map<std::string, std::vector<std::string>> undeclared_addresses;
};

}  // namespace cloison
