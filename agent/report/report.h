// report.json, version 1 (docs/report-schema.md): the source of truth of an audit. Later versions
// add fields, never remove or change them. Serialization is pure; write_report() is atomic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/engine/findings.h"
#include "core/observation.h"

namespace cloison {

inline constexpr int kReportSchemaVersion = 1;

struct policy_ref {
  std::string file;
  std::string sha256;
  friend bool operator==(const policy_ref&, const policy_ref&) = default;
};

struct observation_summary {
  std::string probe;
  std::string target;
  enum outcome outcome = outcome::ok;
  std::string detail;
  long long elapsed_ms = 0;
  // Hosts (observation.h): in report.json only when non-empty.
  std::string collected_at;      // facts replayed from an evidence file collected then
  std::string collected_by;      // fingerprint of the pinned key that signed it
  std::string learned_host_key;  // SSH host key learned on first use
  friend bool operator==(const observation_summary&, const observation_summary&) = default;
};

struct evidence_ref {
  std::string id;
  std::string source;
  std::string collected_at;
  std::string sha256;
  std::string excerpt;  // at most kEvidenceExcerptBytes of the content
  std::size_t size = 0;
  bool truncated = false;  // the peer produced more than the collection cap
  friend bool operator==(const evidence_ref&, const evidence_ref&) = default;
};

inline constexpr std::size_t kEvidenceExcerptBytes = 4096;

// The key that signed the run's evidence bundle (agent/evidence/agent_key.h).
struct signing_info {
  std::string algorithm;  // "Ed25519"
  std::string public_key_pem;
  std::string fingerprint;  // hex SHA-256 of the raw 32-byte public key
  friend bool operator==(const signing_info&, const signing_info&) = default;
};

// What the inventory declares about the estate, as audited: the material of the segregation
// diagram. Names and addresses only: never a key, password or keytab file.
struct topology {
  struct segment {
    std::string name;
    std::string role;  // production | backup | administration | directory | other
    std::vector<std::string> cidrs;
    friend bool operator==(const segment&, const segment&) = default;
  };
  struct host {
    std::string name;
    std::string address;
    std::string segment;  // the first segment whose CIDRs hold the address; "" when none
    std::vector<std::string> roles;
    std::string os;
    std::string access;  // ssh | local | collected | none; "" in reports of earlier versions
    std::vector<std::string> other_addresses;  // after `address` (a dual-stack host's IPv6 side)
    friend bool operator==(const host&, const host&) = default;
  };
  struct directory {
    std::string name;
    std::string role;  // production | backup
    std::string uri;
    std::string segment;  // the segment holding the URI's address; "" for a DNS name or none
    friend bool operator==(const directory&, const directory&) = default;
  };
  struct vantage_point {
    std::string name;
    std::string segment;
    std::string via;  // "local", or the backup host it is reached through
    friend bool operator==(const vantage_point&, const vantage_point&) = default;
  };
  struct flow {  // a declared allowed flow
    std::string from;
    std::string to;  // segment or host name
    std::string protocol;
    std::vector<std::string> ports;  // "22", "2500-3300"
    std::string purpose;
    friend bool operator==(const flow&, const flow&) = default;
  };
  struct isolation_procedure {  // how the backup zone is cut off: the diagram's cut point
    std::string description;
    std::string triggered_by;
    std::string last_drill;  // YYYY-MM-DD; "" when never drilled
    // The last drill `cloison drill` recorded: passed, failed, refused, restore_failed; "" when
    // none (then last_drill is the inventory's, typed by hand).
    std::string last_drill_result{};
    friend bool operator==(const isolation_procedure&, const isolation_procedure&) = default;
  };
  std::vector<segment> segments;
  std::vector<host> hosts;
  std::vector<directory> directories;
  std::vector<vantage_point> vantage_points;
  std::vector<flow> flows;
  std::string vantage;  // the vantage point this run stood at; "" when none
  // Absent when the inventory declares none, and in reports of earlier versions.
  std::optional<isolation_procedure> isolation;
  friend bool operator==(const topology&, const topology&) = default;
};

struct report {
  int schema_version = kReportSchemaVersion;
  std::string tool_version;
  std::string establishment;
  std::string inventory;  // the inventory file, or a description of the built-in one
  std::string started_at;
  std::string finished_at;
  std::string run_user;  // the account that ran the audit (empty in reports of earlier versions)
  std::string run_host;  // the machine it ran on
  std::vector<policy_ref> policies;
  std::string scoring;  // the formula
  std::vector<objective_result> objectives;
  std::optional<ads_estimate> ads;
  std::vector<finding> findings;
  std::vector<flow_result> flows;
  std::vector<observation_summary> observations;
  std::vector<evidence_ref> evidence;
  std::optional<signing_info> signing;      // present when the run wrote a signed evidence bundle
  std::optional<struct topology> topology;  // absent in reports of earlier cloison versions
  friend bool operator==(const report&, const report&) = default;
};

json to_json(const report& r);
// Reads a report written by to_json(). Throws std::runtime_error naming the first bad field.
report report_from_json(const json& j);

// Bounds of a report.json read back (reports come from other machines, e.g. to merge).
inline constexpr std::size_t kMaxReportBytes = 256u << 20;
inline constexpr std::size_t kMaxReportDepth = 64;

// Reads and parses a report.json file. Throws std::runtime_error saying what is wrong with it
// (unreadable, larger than kMaxReportBytes, nested deeper than kMaxReportDepth, not JSON, not a
// report) and naming the file.
report read_report(const std::string& path);
// The same from the text of a report.json already read; `name` stands for the file in messages.
report read_report_text(std::string_view text, const std::string& name);

// Writes `r` to `dir`/report.json atomically (temporary file, fsync, rename). Throws
// std::runtime_error on I/O failure; the previous report.json is then left untouched.
void write_report(const report& r, const std::string& dir);

// Writes every item's full content to `dir`/evidence/<sha256>.txt atomically; the files are
// flushed together once, at the end (sync_filesystem). Throws std::runtime_error on I/O failure.
void write_evidence(const std::vector<evidence>& items, const std::string& dir);

// Writes `content` to `path` atomically (temporary file in the same folder, fsync, rename).
// With `sync` false the file is renamed unflushed: the caller then flushes the batch at once
// with sync_filesystem (one flush instead of one per file). Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& content, bool sync = true);

// Flushes the filesystem that holds `dir` (syncfs). Throws std::runtime_error on failure.
void sync_filesystem(const std::string& dir);

}  // namespace cloison
