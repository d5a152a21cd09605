// What probes produce: observations of one target, made of typed facts and the evidence
// they were read from. Plain data; no behaviour beyond helpers to build it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/spooled_text.h"

namespace cloison {

using json = nlohmann::ordered_json;

// How the observation of a target went. A failing audited system is an outcome, not an error.
enum class outcome { ok, failed, error, timeout };
std::string_view to_string(outcome o);
std::optional<outcome> outcome_from_string(std::string_view s);

// One piece of raw material (command output, file, LDAP entries) a fact was read from.
struct evidence {
  std::string id;            // unique within a report: "<probe>/<target>/<source>"
  std::string source;        // the command or query that produced it, e.g. "sshd -T"
  std::string collected_at;  // ISO-8601 UTC
  std::string sha256;        // of the full content
  std::string content;       // the full content, possibly cut at the collection cap; "" if spooled
  bool truncated = false;    // true when the peer produced more than the cap
  // The full content when it is too large to keep in memory (then `content` is empty). Read it
  // with the helpers below, which serve both.
  std::shared_ptr<const spooled_text> spooled{};
};

// A typed value read about a target, or the reason it could not be read.
struct fact {
  std::optional<json> value;          // absent when the fact could not be established
  std::string error;                  // why it is absent (non-empty iff !value)
  std::vector<std::string> evidence;  // ids of the evidence it was read from
  bool not_applicable = false;        // absent by a declared choice, not by a failure
  bool not_decidable = false;         // absent by construction: cloison cannot establish it at all
  bool not_in_scope = false;          // the target is not one the fact describes: no finding at all

  static fact of(json v, std::vector<std::string> evidence_ids = {});
  static fact missing(std::string why, std::vector<std::string> evidence_ids = {});
  // The inventory itself rules the fact out (e.g. a host declared without access): checks that
  // read it are not_applicable, never pass. `why` says which declaration.
  static fact ruled_out(std::string why);
  // cloison cannot establish the fact by construction (e.g. an ADS control outside what LDAP
  // attributes show): checks that read it are not_evaluated, never error. `why` says what is
  // missing.
  static fact undecidable(std::string why);
  // The fact does not describe this kind of target at all (the ADS control points of a
  // production directory): checks that read it give no finding for the target.
  static fact out_of_scope(std::string why);
};

// One tested (source, destination, port) pair of the reachability matrix, or a range of
// consecutive ports that share everything but the port (core/flow_ranges.h): ports `port` to
// last_port(), latency_ms and attempts then the largest of the range's.
struct flow_result {
  std::string from;     // the vantage point's segment
  std::string to;       // the destination (host name, or directory name)
  std::string address;  // the address tested
  unsigned port = 0;
  std::string protocol = "tcp";
  std::string verdict;   // open | refused | filtered | unreachable | error (not probed)
  std::string expected;  // allowed | forbidden
  double latency_ms = 0;
  int attempts = 0;
  std::string vantage{};   // the vantage point's name; "" in reports written before it was recorded
  std::string method{};    // how it was probed: local | ssh-forward | ssh-command; "" likewise
  unsigned port_last = 0;  // a range's last port; 0 (or `port`): the single port `port`
  unsigned last_port() const { return port_last > port ? port_last : port; }
  unsigned port_count() const { return last_port() - port + 1; }
  friend bool operator==(const flow_result&, const flow_result&) = default;
};

struct observation {
  std::string probe;
  std::string target;
  enum outcome outcome = outcome::ok;
  std::string detail;                 // human explanation when outcome != ok
  std::map<std::string, fact> facts;  // keyed by full fact name, e.g. "host.sshd.permit_root_login"
  std::vector<cloison::evidence> evidence;
  std::vector<flow_result> flows;  // reachability pairs tested for this target
  std::chrono::milliseconds elapsed{0};
  // Hosts: how the facts were obtained when not live over a pinned channel (shown with the host).
  std::string collected_at;      // replayed from an evidence file collected then (ISO-8601 UTC)
  std::string collected_by;      // fingerprint of the pinned key that signed that file
  std::string learned_host_key;  // SSH host key accepted on first use, "ssh-ed25519 SHA256:..."
};

// Builds an evidence item: hashes the content and stamps the current UTC time.
evidence make_evidence(std::string id, std::string source, std::string content, bool truncated);
// The same for content spooled to disk: flushes it first. Throws std::runtime_error when the
// spool cannot be written or read back.
evidence make_evidence(std::string id, std::string source, std::unique_ptr<spooled_text> content);

// An evidence item's content, wherever it is kept: its size, its first `n` bytes, all of it in
// order through `sink` (in pieces). Throw std::runtime_error when a spool cannot be read.
std::size_t content_size(const evidence& e);
std::string content_prefix(const evidence& e, std::size_t n);
void read_content(const evidence& e, const std::function<void(std::string_view)>& sink);

// SHA-256 of bytes, or of a spool's flushed content, as lowercase hex. The second throws
// std::runtime_error when the spool cannot be read.
std::string sha256_hex(std::string_view bytes);
std::string sha256_hex(const spooled_text& text);

// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso8601();
// `t` in UTC as "YYYY-MM-DDTHH:MM:SSZ" (the reports' times), and compact, "YYYYMMDDTHHMMSSZ" (the
// names of files and folders).
std::string utc_iso8601(std::chrono::system_clock::time_point t);
std::string utc_compact(std::chrono::system_clock::time_point t);

// This machine's host name ("localhost" when it cannot be read), and the name of the account this
// process runs as (its numeric uid when the account has no name): who collected what a run keeps.
std::string this_host_name();
std::string this_user_name();

// Today's date in UTC, from the system clock.
std::chrono::sys_days utc_today();

}  // namespace cloison

namespace cloison {

// Parses a calendar date "YYYY-MM-DD"; nullopt when malformed or not a real date.
std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text);

// Parses a UTC time in utc_now_iso8601()'s form, "YYYY-MM-DDTHH:MM:SSZ" (report.json's); nullopt
// when malformed or not a real time.
std::optional<std::chrono::sys_seconds> parse_utc_time(std::string_view text);

}  // namespace cloison
