// The inventory: what the establishment declares about its backup estate
// (/etc/cloison/cloison.yaml). Plain data produced by load_inventory()
// (agent/config/inventory_loader.h) and never changed afterwards: what one audit run adds (its
// vantage point, the policies' port profiles, its date) travels beside it in a run_context
// (core/run_context.h). Secrets are never held here, only the paths of the files that contain them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/cidr.h"
#include "core/schedule.h"

namespace cloison {

enum class segment_role { production, backup, administration, directory, other };

struct segment {
  std::string name;
  segment_role role = segment_role::other;
  std::vector<cidr> cidrs;
};

struct ssh_access {
  std::string user;
  unsigned port = 22;
  std::string key_file;
  std::string passphrase_file;  // optional
  std::string known_hosts;      // required unless trust_on_first_use
  bool trust_on_first_use = false;
  bool use_agent = false;
  bool sudo = false;
};

// Default cap on what one command may return (stdout and stderr each); `output_cap` of a host.
inline constexpr std::size_t kDefaultOutputCap = 4u << 20;

// A host's facts read from a signed evidence file that `cloison collect` wrote on it
// (docs/collected-evidence.md), for hosts that refuse SSH.
struct collected_evidence_source {
  std::string file;        // the evidence file
  std::string public_key;  // PEM file of the Ed25519 key that must have signed it (pinned)
  std::chrono::seconds max_age{std::chrono::hours(24 * 8)};  // older files are refused
};

// How a host is read: through the local runner (this machine), over SSH, from a collected
// evidence file, or not at all.
enum class access_method { local, ssh, collected, none };

struct backup_host {
  std::string name;
  std::vector<std::string> addresses;  // every address it answers on (IPv4 and IPv6), none twice
  std::string os = "linux";            // linux | windows
  std::vector<std::string> roles;
  access_method access = access_method::none;
  ssh_access ssh;                              // when access == ssh
  collected_evidence_source evidence;          // when access == collected
  std::size_t output_cap = kDefaultOutputCap;  // bytes kept of each command's stdout and stderr
  std::string repository_path;        // optional: where backup files live (immutability checks)
  std::vector<std::string> software;  // port profiles of the policy (e.g. veeam); empty: all

  // The first address: what SSH connects to and what names the host in its segment; empty when
  // none is declared.
  const std::string& primary_address() const {
    static const std::string none;
    return addresses.empty() ? none : addresses.front();
  }
};

// Where the reachability matrix is probed from: this machine (via local), a machine reached over
// SSH (via ssh, with its own address and ssh settings), or a backup host (via its name: that
// host's address and ssh settings, copied here by the loader).
struct vantage_point {
  std::string name;
  std::string segment;
  std::string via = "local";  // "local", "ssh", or the name of a backup_host reached over SSH
  std::string address{};      // remote vantage points: what to connect to
  ssh_access ssh{};           // remote vantage points: how
  bool remote() const { return via != "local"; }
};

enum class directory_role { production, backup };

struct directory {
  std::string name;
  directory_role role = directory_role::production;
  std::string uri;
  std::string base;
  std::string bind_method = "simple";  // simple | gssapi
  std::string bind_dn;
  std::string password_file;
  std::string keytab;     // gssapi
  std::string principal;  // gssapi; empty: the keytab's first principal
  std::string krb5_conf;  // gssapi; empty: the system's (KRB5_CONFIG or /etc/krb5.conf)
  std::string ca_file;
  bool allow_plaintext = false;
};

struct backup_account {
  std::string name;
  std::string directory;  // a directory name, or "local"
};

// A declared allowed flow; every flow into the backup zone that is not declared is forbidden.
struct flow {
  std::string from;  // segment name
  std::string to;    // segment or host name
  std::string protocol = "tcp";
  std::vector<port_range> ports;
  std::string purpose;
};

// How `cloison drill` (agent/session/drill.h) exercises the isolation procedure: the commands
// that isolate and restore (argv, run as given: on this machine, or over SSH on a firewall,
// router or hypervisor host with pinned keys), how fast they must take effect, and what stays open.
struct isolation_drill {
  std::string via = "local";  // "local" or "ssh"
  std::string address;        // via ssh: the machine that runs the commands
  ssh_access ssh;             // via ssh
  std::vector<std::string> isolate;
  std::vector<std::string> restore;
  // The time allowed, from running the isolate (restore) command, until every vantage point sees
  // the backup zone cut off (reachable again).
  std::chrono::seconds max_isolate_time{60};
  std::chrono::seconds hold{10};  // how long the isolation is held and watched
  std::chrono::seconds max_duration{std::chrono::minutes(15)};  // the whole drill
  std::vector<flow> stay_open;  // flows that must keep working while isolated (out-of-band)
  // Where drills write their reports (one folder each) and where the audit reads the last
  // drill's result (latest.json, last-success.json); empty: drills are not recorded.
  std::string reports;
};

struct isolation_procedure {
  std::string description;   // what cuts the backup zone off
  std::string triggered_by;  // who decides and triggers it
  std::string last_drill;    // YYYY-MM-DD, empty when never drilled
  std::optional<isolation_drill> drill;
};

// Which ports of the backup hosts the vantage points of a segment test (reachability.sweeps).
struct port_sweep {
  enum class scope { all, profiles, listed };
  std::string from;                // segment name
  std::string to;                  // segment or backup host name
  scope ports = scope::all;        // all: 1-65535; profiles: the policies' port profiles
  std::vector<port_range> listed;  // the ports, for scope::listed
};

struct reachability_settings {
  unsigned timeout_ms = 1000;    // per connection attempt
  unsigned retries = 1;          // extra attempts after a timeout
  unsigned concurrency = 0;      // connections in flight; 0: derived from the open-file limit
  unsigned max_pairs = 2000000;  // a larger matrix is refused
  // The first sweep whose `from` is the vantage's segment and whose `to` names the host, or a
  // segment holding its address, decides that host's ports; without one, every port (1-65535),
  // or the profiles' ports from an administration segment.
  std::vector<port_sweep> sweeps;
};

// Where the daemon sends its alerts (agent/daemon/). Each type uses its own keys; the others
// stay empty.
inline constexpr std::string_view kDefaultSyslogSocket = "/dev/log";
inline constexpr std::string_view kDefaultPrometheusListen = "127.0.0.1:9469";

struct alert_target {
  std::string type;        // syslog | webhook | prometheus
  std::string socket;      // syslog: the local datagram socket, kDefaultSyslogSocket unless set
  std::string url;         // webhook: https://HOST[:PORT]/PATH (core/cidr.h https_url)
  std::string ca_file;     // webhook: PEM file of the CAs trusted; empty: the system's store
  std::string token_file;  // webhook: optional bearer token; prometheus: required unless
                           // `listen` is a loopback address
  std::string listen;      // prometheus: ADDRESS:PORT, kDefaultPrometheusListen unless set
};

// When the daemon audits: `schedule: "30 2 * * *"` or `{cron: "30 2 * * *", random_delay: 30m}`.
struct audit_schedule {
  std::string cron;     // as written
  cron_schedule times;  // `cron`, parsed
  // Each run starts at a random moment between its time and its time + random_delay.
  std::chrono::seconds random_delay{0};
};

// What `cloison daemon` keeps of its history (agent/history prune()): the newest `max_runs` runs
// (counted among all runs, the baseline included) that are not older than `max_age` (by
// started_at; one that is not a time is never too old), and in any case the baseline and the
// newest run. `retention: {runs: 400, days: 400}`.
struct retention {
  std::size_t max_runs = 400;            // the newest runs kept; 0: no limit by count
  std::chrono::hours max_age{24 * 400};  // older runs removed; 0: no limit by age
};

struct inventory {
  std::string source;  // the file it was loaded from, or "(built-in)"
  std::string establishment;
  std::vector<segment> segments;
  std::vector<vantage_point> vantage_points;
  std::vector<backup_host> hosts;
  std::vector<directory> directories;
  std::vector<backup_account> backup_accounts;
  std::vector<flow> flows;
  std::optional<isolation_procedure> isolation;
  std::optional<audit_schedule> schedule;  // absent: no scheduled audit
  std::vector<alert_target> alerts;
  struct retention retention;
  std::vector<std::string> policies;  // policy files; empty: the built-in D2.03 policy
  std::string waivers;                // optional waivers file
  reachability_settings reachability;
};

}  // namespace cloison
