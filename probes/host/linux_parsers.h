// Pure parsers of Linux command outputs and configuration files read on audited hosts. They take
// the raw text and never touch the system; each is tested on fixture files of real output
// (tests/data/host/). Malformed lines are skipped, never guessed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

// `sshd -T`: lowercase keyword -> values, in output order (keywords such as hostkey repeat).
std::map<std::string, std::vector<std::string>> parse_sshd_effective(std::string_view text);

// /etc/nsswitch.conf: database -> sources, without [STATUS=action] items and comments.
std::map<std::string, std::vector<std::string>> parse_nsswitch(std::string_view text);

struct passwd_entry {
  std::string name;
  long uid = -1;
  long gid = -1;
  std::string home;
  std::string shell;
};
// `getent passwd` or /etc/passwd. Lines without 7 fields or with non-numeric ids are skipped.
std::vector<passwd_entry> parse_passwd(std::string_view text);

// /etc/resolv.conf: the nameserver addresses, in order.
std::vector<std::string> parse_resolv_nameservers(std::string_view text);

// `grep -r -H ^ PATH...`: each file's text, keyed by path (lines are "path:content"; a path is
// taken up to the first ':'). Files keep their line order.
std::map<std::string, std::string> parse_grep_files(std::string_view text);

struct interface_address {
  std::string interface;
  std::string address;
  unsigned prefix = 0;
  std::string scope;  // global, link, host...; "" when ip does not say
};
// `ip -j addr`: every address of every interface. nullopt when the text is not that JSON.
std::optional<std::vector<interface_address>> parse_ip_addresses(std::string_view text);

}  // namespace cloison
