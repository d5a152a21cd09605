// A named set of TCP ports a backup product or a management service listens on. Profiles are
// policy data (policies/*.yaml, `port_profiles`); an audit hands them to the probes in its
// run_context (core/run_context.h). Plain data.
#pragma once

#include <string>
#include <vector>

#include "core/cidr.h"

namespace cloison {

struct port_profile {
  std::string name;
  std::vector<port_range> ports;
  bool always = false;  // applies to every backup host (management ports), whatever its software
};

}  // namespace cloison
