// Pure parsers of the Linux system facts read on backup hosts: listening sockets, firewall, routes,
// time sources, repository immutability and virtualisation. Like linux_parsers.h, they take the
// raw text of a command output or configuration file and never touch the system; each is tested on
// fixture files of real output (tests/data/host/system/, provenance in its README.md). Malformed
// lines are skipped, never guessed; CRLF line endings are accepted everywhere.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

// --- listening sockets -------------------------------------------------------------------------

struct socket_user {
  std::string name;  // process name (comm) as ss prints it
  long pid = -1;
};

struct listening_socket {
  std::string proto;  // netid column: "tcp", "udp"
  std::string
      address;         // without brackets or %device: "0.0.0.0", "::", "198.18.2.10", "fd00:2::10";
                       // "*" for a dual-stack IPv6 wildcard socket (IPv4 and IPv6, all addresses)
  std::string device;  // "lo" for "127.0.0.1%lo:53" (socket bound to a device), else empty
  unsigned port = 0;
  std::string process;             // first process of users:(...); empty when ss showed none
  long pid = -1;                   // its pid; -1 when ss showed none
  std::vector<socket_user> users;  // every process holding the socket (forked servers share one)
};

// `ss -H -tlnup` (the netid column must be present, as it is when -t and -u are both given).
// Lines with fewer than 5 columns, a non-alphabetic netid, a local address without host or a
// local port that is not a number up to 65535 are skipped.
std::vector<listening_socket> parse_ss_listening(std::string_view text);

// True when the socket accepts connections on every address of the host ("0.0.0.0", "::", "*").
bool listens_on_all_addresses(const listening_socket& s);

// --- firewall ----------------------------------------------------------------------------------

struct firewall_summary {
  std::string engine;          // "nftables", "iptables", "nftables+iptables-legacy" or "none"
  std::string input_policy;    // "drop" / "accept" (lowercase); empty when no input chain exists
  std::size_t rule_count = 0;  // rules in all chains of all tables
  bool has_table = false;      // at least one table is defined
  // Input traffic is denied unless a rule accepts it: an input chain has policy drop, or its last
  // rule drops or rejects unconditionally (only counter, log and comment beside the verdict).
  // Rules of chains it jumps to are not followed.
  bool default_deny = false;
};

// `nft list ruleset`. input_policy looks only at base chains `type filter hook input` of tables of
// family inet or ip (an ip6-only table does not filter IPv4): "drop" if any such chain has policy
// drop (a packet must pass every base chain of the hook), else "accept" if there is one (a base
// chain without a policy statement accepts), else empty. default_deny likewise holds when any such
// chain denies by default. Rules spanning several lines (long anonymous sets) count once; set, map
// and flowtable bodies are no rules.
firewall_summary parse_nft_ruleset(std::string_view text);

// `iptables-save`: input_policy from ":INPUT <policy>" of the *filter table (default_deny when it
// is DROP or the last "-A INPUT" rule is a bare "-j DROP" or "-j REJECT"), rule_count counts "-A"
// lines of every table.
firewall_summary parse_iptables_save(std::string_view text);

// Picks the firewall actually in force from the outputs of both commands (either may be empty
// when the command is missing): nftables when it lists a table (its view includes iptables-nft
// tables); iptables when only iptables-save shows a table; when nftables has tables and
// iptables-save is from the legacy backend ("(legacy)" in its header) with tables too, both filter
// packets: engine "nftables+iptables-legacy", policy "drop" if either drops, counts added.
// Neither: engine "none", no table, empty policy.
firewall_summary pick_firewall(std::string_view nft_ruleset, std::string_view iptables_save);

// --- routes ------------------------------------------------------------------------------------

struct route_entry {
  std::string dst;      // "default" or CIDR; a host route printed "198.18.9.77" becomes ".../32"
                        // (".../128" for IPv6)
  std::string gateway;  // empty for on-link routes
  std::string dev;      // empty for unreachable/blackhole/prohibit routes
  std::string type;     // "unicast" unless ip printed another type ("unreachable", "blackhole"...)
};

// `ip -j route` (or `ip -j -6 route`). A multipath route gives one entry per nexthop. Entries
// without a string dst are skipped. nullopt when the text is not a JSON array.
std::optional<std::vector<route_entry>> parse_ip_routes(std::string_view text);

// A unicast route to "default", "0.0.0.0/0" or "::/0" (an unreachable default is no exit).
bool has_default_route(const std::vector<route_entry>& routes);

// --- time sources ------------------------------------------------------------------------------

struct chrony_source {
  std::string address;  // as printed (an address with -n)
  std::string mode;     // "server" (^), "peer" (=), "refclock" (#)
  std::string state;    // "synced" (*), "combined" (+), "not_combined" (-), "falseticker" (x),
                        // "too_variable" (~), "unusable" (?)
  int stratum = -1;
};

// `chronyc -n sources` (with or without -v): one entry per source line, header and legend skipped.
std::vector<chrony_source> parse_chronyc_sources(std::string_view text);

struct timesyncd_servers {
  std::vector<std::string> system;    // NTP= / SystemNTPServers=
  std::vector<std::string> link;      // LinkNTPServers= (per-interface, from networkd)
  std::vector<std::string> runtime;   // RuntimeNTPServers=
  std::vector<std::string> fallback;  // FallbackNTP= / FallbackNTPServers=
  std::string current;                // ServerName= (show-timesync only)
};

// `timedatectl show-timesync --all`, or /etc/systemd/timesyncd.conf followed by its drop-ins
// (concatenated in the order systemd reads them). In a file only the [Time] section counts, only
// lines starting with # or ; are comments (as in systemd), several assignments append and an empty
// assignment clears the list.
timesyncd_servers parse_timesyncd(std::string_view text);

// The servers timesyncd uses: system, link and runtime servers, or the fallback ones when those
// are all empty.
std::vector<std::string> timesyncd_effective_servers(const timesyncd_servers& t);

struct ntp_server_line {
  std::string kind;  // "server", "pool" or "peer"
  std::string address;
};

// /etc/ntp.conf or /etc/ntpsec/ntp.conf: server, pool and peer lines, in order (a -4/-6 before the
// address is skipped; # comments stripped). refclock lines are no network sources and are left out.
std::vector<ntp_server_line> parse_ntp_conf(std::string_view text);

// --- repository immutability -------------------------------------------------------------------

struct mount_info {
  std::string target;
  std::string source;
  std::string fstype;
  std::vector<std::string> options;  // split on commas outside double quotes
};

// `findmnt -J -T PATH`: the first filesystem listed. nullopt when the text is not that JSON or an
// entry lacks target, source or fstype.
std::optional<mount_info> parse_findmnt(std::string_view text);

// `xfs_info MOUNTPOINT`: the reflink flag (reflink=1 -> true). nullopt when the output has no
// reflink= field (not xfs_info output, or an xfsprogs too old to know reflink).
std::optional<bool> parse_xfs_reflink(std::string_view text);

struct file_attributes {
  std::string path;          // as lsattr printed it (may contain spaces)
  std::string flags;         // e.g. "----i-----------------"
  bool immutable = false;    // 'i'
  bool append_only = false;  // 'a'
};

// `lsattr FILE...` or `lsattr -R DIR` (stderr may be mixed in): one entry per "FLAGS PATH" line.
// Error lines ("lsattr: ..."), -R directory headers ("/dir:") and blank lines are skipped.
std::vector<file_attributes> parse_lsattr(std::string_view text);

// The stdout of `lsattr -- PATHS...` read against the paths it was given, in order: entry i holds
// the attributes of paths[i], or nullopt when the output has no "FLAGS PATHS[i]" line where that
// file's line is due (lsattr could not read it: the reason went to stderr). Paths may hold any
// byte, newlines included: each one is matched whole, never split into lines.
std::vector<std::optional<file_attributes>> lsattr_of(std::string_view text,
                                                      const std::vector<std::string>& paths);

struct dated_file {
  double mtime = 0;       // seconds since the epoch, as find's %T@ prints it
  std::string mtime_utc;  // the same as "YYYY-MM-DDTHH:MM:SSZ"
  std::string path;
};

// `find ... -printf '%T@\t%p\0'`: one entry per NUL-terminated "MTIME<TAB>PATH" record, in
// output order (a NUL, unlike a newline, cannot occur in a path). A record without its NUL (cut
// output), a tab, or a numeric mtime that a time_t holds as a date (not NaN, not infinite, less
// than 2^62 seconds from the epoch, a year gmtime can give) is skipped.
std::vector<dated_file> parse_find_mtimes(std::string_view text);

// The n most recently modified files, newest first (equal times: by path).
std::vector<dated_file> newest_files(std::vector<dated_file> files, std::size_t n);

// --- virtualisation ----------------------------------------------------------------------------

// `systemd-detect-virt`: the identifier on the first line ("none", "kvm", "vmware", "microsoft",
// "oracle", "docker", ...). nullopt when that line is empty or holds anything but [a-z0-9_-].
std::optional<std::string> parse_detect_virt(std::string_view text);

}  // namespace cloison
