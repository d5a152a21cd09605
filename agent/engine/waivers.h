// Waivers: accepted risks. A waiver names a check, optionally a target, a justification, an owner
// and an expiry date. It turns a failing finding into `waived` until it expires; an expired waiver
// leaves the finding failing and is shown as expired. Waivers never hide a finding (evaluate(),
// agent/engine/evaluator.h). Plain data, read from a file by agent/config/waivers_loader.h.
#pragma once

#include <string>

namespace cloison {

struct waiver {
  std::string check;
  std::string target;  // empty: every target of the check
  std::string justification;
  std::string owner;
  std::string expires;  // YYYY-MM-DD, last day the waiver holds
  std::string file;     // where it was declared, "file:line"
  friend bool operator==(const waiver&, const waiver&) = default;
};

}  // namespace cloison
