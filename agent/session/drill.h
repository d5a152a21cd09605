// One isolation drill (`cloison drill`, docs/isolation-drill.md): the inventory's isolation
// procedure (isolation.drill) is run for real and its effect measured from every vantage point
// this machine can stand at. Steps:
//   plan_drill()  the pairs to measure: from each vantage point, every address of every backup
//                 host on its declared flows, its flows kept open and the management ports (the
//                 policies' profiles marked `always`); pure;
//   run_drill()   pre-checks (the state matches the declared matrix, the machine that restores
//                 answers), then isolate, measure until cut off, hold, restore, measure until
//                 reachable again. The restore runs on every path once the isolate command was
//                 started: failure, timeout, interruption (`stop`), a lost vantage point, an
//                 exception.
// What counts: a pair is reachable when the destination answered (open, or refused: its RST got
// through); it is cut off when filtered or unreachable. Isolated: no pair is reachable but those
// kept open, which must be open. Restored: every pair reachable before is reachable again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/cidr.h"
#include "core/inventory.h"
#include "core/port_profile.h"
#include "probes/reachability/tcp_prober.h"
#include "probes/transport/command_runner.h"

namespace cloison {

// One (vantage point, address, port) measured at each round.
struct drill_pair {
  std::string vantage;  // the vantage point's name
  std::string from;     // its segment
  std::string to;       // the backup host's name
  std::string address;
  std::uint16_t port = 0;
  bool allowed = false;    // a declared flow from the vantage's segment
  bool kept_open = false;  // a stay_open flow: must keep working while isolated
};

struct drill_vantage {
  std::string name;
  bool measured = false;
  // When not measured: the vantage point measured instead from this same machine (a local one
  // whose segment also holds one of its addresses), or "" when cloison does not run in `segment`.
  std::string same_as;
  std::string segment;
};

struct drill_plan {
  std::string establishment;
  isolation_drill procedure;
  std::vector<vantage_point> measured;        // those run_drill measures from, in inventory order
  std::vector<drill_vantage> vantage_points;  // every declared one, measured or not
  std::vector<drill_pair> pairs;              // grouped by vantage point, in `measured` order
};

// The drill of inv.isolation->drill (which must be set). The first local vantage point whose
// segment holds one of `local_addresses` is measured (cloison runs there; the sockets are the
// same for any other one this machine sits in); a remote one always (through its sshd). Pure.
drill_plan plan_drill(const inventory& inv, const std::vector<port_profile>& profiles,
                      const std::vector<ip_address>& local_addresses);

bool reachable(verdict v);

// Pairs that keep the backup zone from being isolated: reachable and not kept open, or kept open
// and not open. Indexes into `pairs`; pure.
std::vector<std::size_t> not_isolated(const std::vector<drill_pair>& pairs,
                                      const std::vector<verdict>& seen);
// Pairs reachable in `before` and not in `seen`, or the other way round: a restore gives back the
// state before the drill, neither less nor more. Pure.
std::vector<std::size_t> not_restored(const std::vector<verdict>& before,
                                      const std::vector<verdict>& seen);
// Pairs whose state differs from the declared matrix: forbidden and open, or allowed and not
// reachable. Pure.
std::vector<std::size_t> off_matrix(const std::vector<drill_pair>& pairs,
                                    const std::vector<verdict>& seen);

enum class drill_step {
  precheck_matrix,    // the state before, measured
  precheck_restorer,  // the machine that runs the commands answered (detail: where)
  isolate_run,        // the isolate command ran (detail: its exit status)
  isolated,           // every vantage point sees the backup zone cut off
  hold_done,          // the isolation held for `hold`
  restore_run,        // the restore command ran
  restored,           // every flow reachable before is reachable again
  interrupted,        // a signal asked to stop (detail: which); the restore follows
  vantage_lost,       // a vantage point could not measure (detail: why); the restore follows
  failed,             // a failure ended the drill early (see the failures)
};

struct drill_event {
  double at_s = 0;  // since the drill started
  drill_step step = drill_step::failed;
  std::string detail;
};

struct drill_failure {
  enum class kind {
    off_matrix,            // pre-check: pairs differ from the declared matrix
    nothing_answers,       // pre-check: only kept pairs answer: a cut could not show
    restorer_unreachable,  // pre-check: the machine that restores does not answer (detail)
    isolate_failed,        // the isolate command failed (detail)
    not_isolated,          // pairs still reachable (or kept ones closed) after max_isolate_time
    isolation_broke,       // pairs reachable again during the hold
    restore_failed,        // the restore command failed (detail)
    not_restored,          // pairs not back to their state before, after max_isolate_time
    interrupted,           // stopped by a signal (detail)
    vantage_lost,          // a vantage point could not measure (detail)
    too_long,              // max_duration passed
    internal_error,        // the drill itself failed (detail); the restore ran
  } what;
  std::vector<std::size_t> pairs;  // the pairs it names
  std::string detail;
};

enum class drill_outcome {
  passed,          // isolated within the time allowed, held, restored
  failed,          // the site was restored, the isolation did not prove itself
  refused,         // a pre-check failed: nothing was run
  restore_failed,  // the site may still be isolated: act now
  dry_run,         // pre-checks passed, nothing was run
};
const char* to_string(drill_outcome o);

struct drill_result {
  drill_plan plan;
  bool dry_run = false;
  std::string started_at;  // UTC, ISO 8601
  std::string finished_at;
  std::vector<drill_event> timeline;
  std::vector<verdict> before, during, after;  // per pair; `during`: the last round isolated
  std::optional<double> time_to_isolate_s, time_to_restore_s;
  std::vector<drill_failure> failures;
  drill_outcome outcome = drill_outcome::refused;
};

// What the drill acts and measures with; the CLI wires the real ones, tests their fakes.
struct drill_tools {
  std::shared_ptr<command_runner> executor;  // runs the isolate and restore commands
  // "" when the machine that runs the commands answers (connected and authenticated over SSH,
  // or the program exists here); else why not.
  std::function<std::string(deadline)> check_executor;
  std::function<std::shared_ptr<connector>(const vantage_point&)> connector_for;
  prober_settings settings{std::chrono::milliseconds(1000), 1, 0};
  std::chrono::milliseconds round_pause{500};        // between rounds
  std::function<void(const drill_event&)> on_event;  // progress, may be empty
};

// Runs the drill (only its pre-checks when `dry_run`). `stop` set (to a signal number) makes it
// restore and finish as soon as the current round ends. Never throws: an exception from the tools
// is an internal_error failure, after which the restore runs if the isolate command was started
// (an exception while restoring leaves the outcome restore_failed).
drill_result run_drill(const drill_plan& plan, const drill_tools& tools, bool dry_run,
                       const std::atomic<int>& stop);

}  // namespace cloison
