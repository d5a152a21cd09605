// `cloison merge`: one D2.03 report from the reports of several vantage points of the same
// establishment. Pure and thread-safe.
//   - every input must name the same establishment and have evaluated the same policies (same
//     SHA-256 set), else merge_error;
//   - findings are de-duplicated by (check, target), keeping the worst verdict:
//     fail > error > waived > pass > not_applicable (a pass seen from one vantage point never
//     hides a failure, a missing proof or an accepted risk seen from another); inputs sharing
//     the worst verdict pool their evidence ids; a not_applicable "*" finding (its probe did not
//     run there) is dropped when another input judged the check on real targets;
//   - flows are de-duplicated by (vantage, from, address, port, protocol), keeping a forbidden
//     open flow, else an error, over any other verdict: each vantage point's test of a pair stays
//     (two vantage points of one segment are two proofs), a vantage point's repeated run does not;
//   - objectives and the ADS level are scored again (agent/engine/scoring.h); observations are
//     concatenated; evidence is unioned by (id, sha256): when two inputs hold different evidence
//     under one id, the later one is renamed "<id>#<n>" (n: its input's position, from 1) and its
//     findings' references follow;
//   - started_at is the earliest, finished_at the latest; tool_version and inventory list the
//     inputs' distinct values; `signing` is dropped (a merged report signs nothing).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "agent/report/messages.h"
#include "agent/report/report.h"

namespace cloison {

struct merge_input {
  std::string source;  // where the report was read from, for messages
  struct report report;
};

// Why reports cannot be merged, as a catalogue message and its arguments.
class merge_error : public std::runtime_error {
 public:
  merge_error(msg m, std::initializer_list<std::string> args);
  std::string text(lang l) const;

 private:
  msg msg_;
  std::vector<std::string> args_;
};

// Throws merge_error when `inputs` is empty or the inputs cannot be merged (see above).
report merge_reports(const std::vector<merge_input>& inputs);

}  // namespace cloison
