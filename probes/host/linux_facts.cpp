#include "probes/host/linux_facts.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <stdexcept>

#include "probes/host/linux_identity_parsers.h"
#include "probes/host/linux_parsers.h"
#include "probes/host/linux_system_parsers.h"
#include "probes/host/production_names.h"
#include "probes/host/text.h"

namespace cloison {

namespace {

// Names of backup files the immutability of a repository is judged on (Veeam's full, incremental
// and reverse-incremental files, the ones a hardened repository makes immutable; its .vbm
// metadata is rewritten by every job and never is).
const std::vector<std::string> kBackupFilePatterns{"*.vbk", "*.vib", "*.vrb"};
constexpr std::size_t kNewestBackupFiles = 10;

bool has_repository_role(const backup_host& h) {
  return std::find(h.roles.begin(), h.roles.end(), "repository") != h.roles.end();
}

// The path is the first argument of find: anything but an absolute path is refused (the inventory
// loader reports it; a path starting with '-' would be read as part of the expression).
bool repository_audited(const backup_host& h) {
  return has_repository_role(h) && h.repository_path.starts_with('/');
}

std::vector<std::string> repository_mount_argv(const backup_host& h, const earlier_outputs&) {
  if (!repository_audited(h))
    return {};
  return {"findmnt", "-J", "-T", h.repository_path};
}

std::vector<std::string> repository_xfs_argv(const backup_host&, const earlier_outputs& earlier) {
  const auto it = earlier.find("repo-mount");
  const auto mount = it == earlier.end() ? std::nullopt : parse_findmnt(it->second);
  if (!mount || mount->fstype != "xfs")
    return {};
  return {"/usr/sbin/xfs_info", mount->target};  // sshd's PATH for non-root has no /usr/sbin
}

std::vector<std::string> repository_files_argv(const backup_host& h, const earlier_outputs&) {
  if (!repository_audited(h))
    return {};
  std::vector<std::string> argv{"find", h.repository_path, "-xdev", "-type", "f", "("};
  for (const auto& pattern : kBackupFilePatterns) {
    if (argv.back() != "(")
      argv.push_back("-o");
    argv.insert(argv.end(), {"-name", pattern});
  }
  argv.insert(argv.end(), {")", "-printf", "%T@\\t%p\\0"});
  return argv;
}

std::vector<dated_file> newest_backup_files(std::string_view find_output) {
  return newest_files(parse_find_mtimes(find_output), kNewestBackupFiles);
}

std::vector<std::string> repository_attributes_argv(const backup_host&,
                                                    const earlier_outputs& earlier) {
  const auto it = earlier.find("repo-files");
  if (it == earlier.end())
    return {};
  const auto newest = newest_backup_files(it->second);
  if (newest.empty())
    return {};
  std::vector<std::string> argv{"lsattr", "--"};
  for (const auto& f : newest)
    argv.push_back(f.path);
  return argv;
}

// What sudoers grants for the two repository commands that read root-owned files: find as run,
// lsattr on any file under the path (the newest files find lists).
std::vector<std::string> repository_files_sudoers_argv(const backup_host& h) {
  return repository_files_argv(h, {});
}

std::vector<std::string> repository_attributes_sudoers_argv(const backup_host& h) {
  if (!repository_audited(h))
    return {};
  const auto& path = h.repository_path;
  return {"lsattr", "--", path + (path.ends_with('/') ? "*" : "/*")};
}

// find's records end with NUL: shown one per line in the evidence.
std::string nul_to_newline(std::string_view text) {
  std::string out(text);
  std::replace(out.begin(), out.end(), '\0', '\n');
  return out;
}

// The TCP ports `h` is declared to serve: tcp flows to it or to a segment holding its address,
// port profiles (of `profiles`) named by its software, its SSH port when audited over SSH.
std::vector<port_range> declared_ports(const inventory& inv,
                                       const std::vector<port_profile>& profiles,
                                       const backup_host& h) {
  std::vector<port_range> out;
  std::vector<ip_address> addresses;
  for (const auto& text : h.addresses) {
    if (const auto a = ip_address::parse(text))
      addresses.push_back(*a);
  }
  for (const auto& f : inv.flows) {
    bool to_host = f.to == h.name;
    for (const auto& s : inv.segments) {
      for (const auto& address : addresses) {
        to_host = to_host || (s.name == f.to &&
                              std::any_of(s.cidrs.begin(), s.cidrs.end(),
                                          [&](const cidr& c) { return c.contains(address); }));
      }
    }
    if (f.protocol == "tcp" && to_host)
      out.insert(out.end(), f.ports.begin(), f.ports.end());
  }
  for (const auto& p : profiles) {
    if (std::find(h.software.begin(), h.software.end(), p.name) != h.software.end())
      out.insert(out.end(), p.ports.begin(), p.ports.end());
  }
  if (h.access == access_method::ssh)
    out.push_back({h.ssh.port, h.ssh.port});
  std::sort(out.begin(), out.end(), [](const port_range& a, const port_range& b) {
    return a.first != b.first ? a.first < b.first : a.last < b.last;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool loopback(const listening_socket& s) {
  return s.device == "lo" || s.address.rfind("127.", 0) == 0 || s.address == "::1" ||
         s.address.rfind("::ffff:127.", 0) == 0;
}

std::string socket_text(const listening_socket& s) {
  const bool v6 = s.address.find(':') != std::string::npos;
  return s.proto + " " + (v6 ? "[" + s.address + "]" : s.address) + ":" + std::to_string(s.port) +
         (s.process.empty() ? "" : " " + s.process);
}

std::string firewall_text(const firewall_summary& f) {
  if (f.engine == "none")
    return "allow (no firewall: neither nftables nor iptables has a table)";
  const bool by_last_rule = f.default_deny && f.input_policy != "drop";
  return std::string(f.default_deny ? "deny" : "allow") + " (" + f.engine + ", " +
         (f.input_policy.empty() ? "no input chain" : "input policy " + f.input_policy) +
         (by_last_rule ? ", last input rule denies" : "") + ", " + std::to_string(f.rule_count) +
         " rules)";
}

// The repository facts of a host whose repository is not audited: ruled out without the
// repository role, missing (an error, never a pass) when the role has no repository_path.
void set_repository_unaudited(const backup_host& h, const std::vector<std::string_view>& names,
                              fact_map& facts) {
  for (const auto name : names) {
    facts[std::string(name)] =
        has_repository_role(h)
            ? fact::missing(
                  "the inventory declares no absolute repository_path for "
                  "this repository host")
            : fact::ruled_out("the host has no repository role in the inventory");
  }
}

void put(fact_map& facts, std::string_view name, json value, const reader_input& in) {
  put_fact(facts, name, std::move(value), in, "not present in the command output");
}

json first_value(const std::map<std::string, std::vector<std::string>>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() || it->second.empty() ? json(nullptr) : json(it->second.front());
}

bool in_production_segment(const inventory& inv, const ip_address& a) {
  for (const auto& s : inv.segments) {
    if (s.role != segment_role::production)
      continue;
    for (const auto& c : s.cidrs) {
      if (c.contains(a))
        return true;
    }
  }
  return false;
}

json names_list(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v)
    s += (s.empty() ? "" : " ") + x;
  return s;
}

// The forwarding the effective sshd settings `s` allow, as "keyword value" (empty: none); null when
// a keyword it needs is not in the output. DisableForwarding turns off all but the tunnel; TCP
// forwarding counts in each direction its PermitOpen / PermitListen leaves open, GatewayPorts only
// with remote TCP forwarding. Keywords an older sshd does not print restrict nothing.
json sshd_forwarding(const std::map<std::string, std::vector<std::string>>& s) {
  const auto first = [&](const std::string& key) {
    const auto it = s.find(key);
    return it == s.end() || it->second.empty() ? std::optional<std::string>() : it->second.front();
  };
  const auto x11 = first("x11forwarding"), tcp = first("allowtcpforwarding"),
             gateway = first("gatewayports"), unix_sockets = first("allowstreamlocalforwarding"),
             agent = first("allowagentforwarding"), tunnel = first("permittunnel");
  if (!x11 || !tcp || !gateway || !unix_sockets || !agent || !tunnel)
    return nullptr;
  json on = json::array();
  if (first("disableforwarding").value_or("no") != "yes") {
    const bool local = (tcp == "yes" || tcp == "all" || tcp == "local") &&
                       first("permitopen").value_or("any") != "none";
    const bool remote = (tcp == "yes" || tcp == "all" || tcp == "remote") &&
                        first("permitlisten").value_or("any") != "none";
    if (x11 != "no")
      on.push_back("x11forwarding " + *x11);
    if (local || remote)
      on.push_back("allowtcpforwarding " + *tcp);
    if (remote && gateway != "no")
      on.push_back("gatewayports " + *gateway);
    if (unix_sockets != "no")
      on.push_back("allowstreamlocalforwarding " + *unix_sockets);
    if (agent != "no")
      on.push_back("allowagentforwarding " + *agent);
  }
  if (tunnel != "no")
    on.push_back("permittunnel " + *tunnel);
  return on;
}

// `sysctl KEY...`: key -> value, from its "net.ipv4.ip_forward = 0" lines.
std::map<std::string, std::string> parse_sysctl(std::string_view output) {
  std::map<std::string, std::string> out;
  text::for_each_line(output, [&](std::string_view line) {
    const auto eq = line.find('=');
    if (eq != std::string_view::npos)
      out[std::string(text::trim(line.substr(0, eq)))] = text::trim(line.substr(eq + 1));
  });
  return out;
}

// The Linux table. Commands run in the order the rows first list them (the fixed ones in one wave,
// then those built from earlier outputs), so a row listing a command built from another command's
// output comes after it.
std::vector<host_fact_row> linux_rows() {
  // The effective sshd configuration: read by the sshd row and by the privileges row.
  const host_command sshd_effective{
      .id = "sshd-effective", .argv = {"/usr/sbin/sshd", "-T"}, .sudo_path = "/usr/sbin/sshd"};
  return {
      {.commands = {sshd_effective},
       .facts = {{"host.sshd.password_authentication", fact_type::text,
                  "sshd effective PasswordAuthentication (sshd -T)"},
                 {"host.sshd.permit_root_login", fact_type::text,
                  "sshd effective PermitRootLogin (sshd -T)"},
                 {"host.sshd.pubkey_authentication", fact_type::text,
                  "sshd effective PubkeyAuthentication (sshd -T)"},
                 {"host.sshd.forwarding", fact_type::text_list,
                  "the forwarding sshd allows (sshd -T, global settings): X11, TCP, GatewayPorts, "
                  "Unix sockets, agent, tunnel, as \"allowtcpforwarding yes\""}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto s = parse_sshd_effective(in.outputs[0].text);
             put(facts, "host.sshd.password_authentication",
                 first_value(s, "passwordauthentication"), in);
             put(facts, "host.sshd.permit_root_login", first_value(s, "permitrootlogin"), in);
             put(facts, "host.sshd.pubkey_authentication", first_value(s, "pubkeyauthentication"),
                 in);
             put(facts, "host.sshd.forwarding", sshd_forwarding(s), in);
           }},
      {.commands = {{.id = "nsswitch", .argv = {"cat", "/etc/nsswitch.conf"}}},
       .facts = {{"host.nsswitch.passwd_sources", fact_type::text_list,
                  "sources of the passwd database in /etc/nsswitch.conf"},
                 {"host.nsswitch.group_sources", fact_type::text_list,
                  "sources of the group database in /etc/nsswitch.conf"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto n = parse_nsswitch(in.outputs[0].text);
             for (const auto& [db, name] : {std::pair{"passwd", "host.nsswitch.passwd_sources"},
                                            std::pair{"group", "host.nsswitch.group_sources"}}) {
               auto it = n.find(db);
               put(facts, name, it == n.end() ? json(nullptr) : json(it->second), in);
             }
           }},
      {.commands = {{.id = "passwd", .argv = {"getent", "passwd"}}},
       .facts = {{"host.accounts.uid0", fact_type::text_list,
                  "accounts with uid 0 (getent passwd)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             json uid0 = json::array();
             for (const auto& e : parse_passwd(in.outputs[0].text)) {
               if (e.uid == 0)
                 uid0.push_back(e.name);
             }
             put(facts, "host.accounts.uid0", uid0, in);
           }},
      {.commands = {{.id = "resolv-conf", .argv = {"cat", "/etc/resolv.conf"}}},
       .facts = {{"host.dns.nameservers", fact_type::text_list, "nameservers in /etc/resolv.conf"},
                 {"host.dns.production_nameservers", fact_type::text_list,
                  "nameservers that are a production directory or lie in a production segment"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto servers = parse_resolv_nameservers(in.outputs[0].text);
             json production = json::array();
             for (const auto& s : servers) {
               const auto a = ip_address::parse(s);
               const auto dir = std::find_if(in.inv.directories.begin(), in.inv.directories.end(),
                                             [&](const cloison::directory& d) {
                                               return d.role == directory_role::production &&
                                                      uri_address(d.uri) == s;
                                             });
               if (dir != in.inv.directories.end()) {
                 production.push_back(s + " (production directory " + dir->name + ")");
               } else if (a && in_production_segment(in.inv, *a)) {
                 production.push_back(s + " (in a production segment)");
               }
             }
             put(facts, "host.dns.nameservers", json(servers), in);
             put(facts, "host.dns.production_nameservers", production, in);
           }},
      {.commands = {{.id = "ip-addresses", .argv = {"ip", "-j", "addr", "show"}}},
       .facts = {{"host.network.addresses", fact_type::text_list,
                  "addresses of every interface, as \"IFNAME ADDRESS/PREFIX\" (ip -j addr)"},
                 {"host.network.in_production_segment", fact_type::text_list,
                  "interface addresses that lie in a production segment of the inventory"},
                 {"host.network.undeclared_addresses", fact_type::text_list,
                  "global-scope interface addresses that the inventory does not list for the host "
                  "(so the reachability matrix never tests them)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto addresses = parse_ip_addresses(in.outputs[0].text);
             std::vector<ip_address> declared;
             for (const auto& text : in.host.addresses) {
               if (const auto a = ip_address::parse(text))
                 declared.push_back(*a);
             }
             json all = json::array(), in_production = json::array(), undeclared = json::array();
             for (const auto& a : addresses.value_or(std::vector<interface_address>{})) {
               const std::string text =
                   a.interface + " " + a.address + "/" + std::to_string(a.prefix);
               all.push_back(text);
               const auto ip = ip_address::parse(a.address);
               if (a.scope == "global" && ip && !ip->loopback() &&
                   std::find(declared.begin(), declared.end(), *ip) == declared.end()) {
                 undeclared.push_back(text);
               }
               for (const auto& s : in.inv.segments) {
                 if (s.role != segment_role::production || !ip)
                   continue;
                 for (const auto& c : s.cidrs) {
                   if (c.contains(*ip))
                     in_production.push_back(text + " (in " + s.name + ")");
                 }
               }
             }
             put(facts, "host.network.addresses", addresses ? all : json(nullptr), in);
             put(facts, "host.network.in_production_segment",
                 addresses ? in_production : json(nullptr), in);
             put(facts, "host.network.undeclared_addresses", addresses ? undeclared : json(nullptr),
                 in);
           }},
      {.commands = {{.id = "ip-routes", .argv = {"ip", "-j", "route", "show"}}},
       .facts = {{"host.network.default_route", fact_type::boolean,
                  "a unicast default route exists (ip -j route)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto routes = parse_ip_routes(in.outputs[0].text);
             put(facts, "host.network.default_route",
                 routes ? json(has_default_route(*routes)) : json(nullptr), in);
           }},
      // Without IPv6 (ipv6.disable=1) its key does not exist: sysctl prints the IPv4 line and
      // exits 1 with "cannot stat ...: No such file or directory".
      {.commands = {{.id = "ip-forwarding",
                     .argv = {"/usr/sbin/sysctl", "net.ipv4.ip_forward",
                              "net.ipv6.conf.all.forwarding"},
                     .absent_is_empty = true}},
       .facts = {{"host.network.ip_forwarding", fact_type::text_list,
                  "the kernel's forwarding switches that are on, as \"net.ipv4.ip_forward = 1\" "
                  "(sysctl net.ipv4.ip_forward net.ipv6.conf.all.forwarding)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto values = parse_sysctl(in.outputs[0].text);
             json on = json::array();
             for (const auto& [key, value] : values) {
               if (value != "0")
                 on.push_back(key + " = " + value);
             }
             put(facts, "host.network.ip_forwarding",
                 values.count("net.ipv4.ip_forward") ? on : json(nullptr), in);
           }},
      {.commands = {{.id = "listening",
                     .argv = {"ss", "-H", "-tlnup"},
                     .sudo_path = "/usr/bin/ss"}},
       .facts = {{"host.network.listening", fact_type::text_list,
                  "listening TCP/UDP sockets, as \"PROTO ADDRESS:PORT PROCESS\" (ss -H -tlnup)"},
                 {"host.network.declared_ports", fact_type::text_list,
                  "TCP ports the host may listen on: declared tcp flows to the host or its "
                  "segment, port profiles of its software, its SSH port when audited over SSH"},
                 {"host.network.undeclared_listeners", fact_type::text_list,
                  "listening TCP sockets on a non-loopback address whose port is not declared, as "
                  "\"tcp ADDRESS:PORT PROCESS\""}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto declared = declared_ports(in.inv, in.run.profiles, in.host);
             json sockets = json::array(), undeclared = json::array(), ports = json::array();
             for (const auto& s : parse_ss_listening(in.outputs[0].text)) {
               sockets.push_back(socket_text(s));
               const bool covered =
                   std::any_of(declared.begin(), declared.end(),
                               [&](const port_range& r) { return r.contains(s.port); });
               if (s.proto == "tcp" && !loopback(s) && !covered)
                 undeclared.push_back(socket_text(s));
             }
             for (const auto& r : declared)
               ports.push_back(r.to_string());
             put(facts, "host.network.listening", sockets, in);
             put(facts, "host.network.declared_ports", ports, in);
             put(facts, "host.network.undeclared_listeners", undeclared, in);
           }},
      {.commands = {{.id = "nft-ruleset",
                     .argv = {"/usr/sbin/nft", "list", "ruleset"},
                     .sudo_path = "/usr/sbin/nft",
                     .absent_is_empty = true},
                    {.id = "iptables-save",
                     .argv = {"/usr/sbin/iptables-save"},
                     .sudo_path = "/usr/sbin/iptables-save",
                     .absent_is_empty = true}},
       .facts = {{"host.firewall.engine", fact_type::text,
                  "nftables, iptables, nftables+iptables-legacy or none"},
                 {"host.firewall.input_policy", fact_type::text,
                  "policy of the input hook (drop, accept; empty when no input chain)"},
                 {"host.firewall.rule_count", fact_type::integer, "rules in every table"},
                 {"host.firewall.default_deny", fact_type::boolean,
                  "input traffic is denied unless a rule accepts it (input policy drop, or a last "
                  "input rule that drops or rejects everything)"},
                 {"host.firewall.input_default", fact_type::text,
                  "\"deny\" or \"allow\", then the engine, input policy and rule count, e.g. "
                  "\"deny (nftables, input policy drop, 7 rules)\""}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto f = pick_firewall(in.outputs[0].text, in.outputs[1].text);
             put(facts, "host.firewall.engine", f.engine, in);
             put(facts, "host.firewall.input_policy", f.input_policy, in);
             put(facts, "host.firewall.rule_count", f.rule_count, in);
             put(facts, "host.firewall.default_deny", f.default_deny, in);
             put(facts, "host.firewall.input_default", firewall_text(f), in);
           }},
      // Exits 1 when it prints "none".
      {.commands = {{.id = "detect-virt",
                     .argv = {"systemd-detect-virt"},
                     .ok_exit_codes = {0, 1}}},
       .facts = {{"host.virtualisation", fact_type::text,
                  "systemd-detect-virt: none, kvm, vmware, microsoft, ..."}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto v = parse_detect_virt(in.outputs[0].text);
             put(facts, "host.virtualisation", v ? json(*v) : json(nullptr), in);
           }},
      {.commands = {{.id = "chrony-conf",
                     .argv = {"cat", "/etc/chrony/chrony.conf"},
                     .absent_is_empty = true},
                    {.id = "timesyncd-conf",
                     .argv = {"cat", "/etc/systemd/timesyncd.conf"},
                     .absent_is_empty = true},
                    {.id = "ntp-conf",
                     .argv = {"cat", "/etc/ntpsec/ntp.conf"},
                     .absent_is_empty = true}},
       .facts = {{"host.time.sources", fact_type::text_list,
                  "NTP servers configured for chrony, systemd-timesyncd and ntpd"},
                 {"host.time.production_sources", fact_type::text_list,
                  "time sources that are a production directory or lie in a production segment"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             std::vector<std::string> servers;
             for (const auto& line : parse_ntp_conf(in.outputs[0].text))
               servers.push_back(line.address);
             for (const auto& server :
                  timesyncd_effective_servers(parse_timesyncd(in.outputs[1].text)))
               servers.push_back(server);
             for (const auto& line : parse_ntp_conf(in.outputs[2].text))
               servers.push_back(line.address);
             const auto prod = production_of(in.inv);
             json all = json::array(), production = json::array();
             for (const auto& s : servers) {
               all.push_back(s);
               const auto a = ip_address::parse(s);
               if (names_production(prod, s) || (a && in_production_segment(in.inv, *a)))
                 production.push_back(s);
             }
             put(facts, "host.time.sources", all, in);
             put(facts, "host.time.production_sources", production, in);
           }},
      {.commands =
           {{.id = "realm-list", .argv = {"/usr/sbin/realm", "list"}, .absent_is_empty = true},
            {.id = "sssd-conf",
             .argv = {"cat", "/etc/sssd/sssd.conf"},
             .sudo_path = "/usr/bin/cat",
             .absent_is_empty = true,
             .hide_secrets = redact_sssd_conf},
            {.id = "krb5-conf", .argv = {"cat", "/etc/krb5.conf"}, .absent_is_empty = true},
            {.id = "smb-conf", .argv = {"cat", "/etc/samba/smb.conf"}, .absent_is_empty = true},
            {.id = "keytab",
             .argv = {"/usr/bin/klist", "-k"},
             .sudo_path = "/usr/bin/klist",
             .absent_is_empty = true,
             .absent_marker = "not found while starting keytab scan"}},
       .facts = {{"host.identity.joined_realms", fact_type::text_list,
                  "realms the host is joined to (realm list)"},
                 {"host.identity.production_references", fact_type::text_list,
                  "where the host's identity configuration names a production directory: realm "
                  "list, sssd.conf, krb5.conf, smb.conf, keytab principals"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto prod = production_of(in.inv);
             json realms = json::array(), refs = json::array();
             for (const auto& r : parse_realm_list(in.outputs[0].text)) {
               realms.push_back(r.realm_name.empty() ? r.name : r.realm_name);
               if (names_production(prod, r.name + " " + r.realm_name + " " + r.domain_name))
                 refs.push_back("realm list: joined to " + r.name + " (" + r.client_software + ")");
             }
             const auto sssd = parse_sssd_conf(in.outputs[1].text);
             for (const auto& d : sssd.domain_sections) {
               if (names_production(
                       prod, d.name + " " + d.ad_domain + " " + d.krb5_realm + " " + d.ldap_uri))
                 refs.push_back("sssd.conf: domain " + d.name + " (id_provider " + d.id_provider +
                                ")");
             }
             const auto krb5 = parse_krb5_conf(in.outputs[2].text);
             if (names_production(prod, krb5.default_realm))
               refs.push_back("krb5.conf: default_realm " + krb5.default_realm);
             for (const auto& r : krb5.realms) {
               if (r.name != krb5.default_realm && names_production(prod, r.name))
                 refs.push_back("krb5.conf: realm " + r.name);
             }
             const auto smb = parse_smb_conf(in.outputs[3].text);
             if (smb.security == "ads" &&
                 names_production(prod, smb.realm + " " + smb.workgroup + "\\"))
               refs.push_back("smb.conf: security ads, realm " + smb.realm);
             std::set<std::string> keytab_realms;
             for (const auto& p : parse_klist_keytab(in.outputs[4].text).principals) {
               if (names_production(prod, p.realm) && keytab_realms.insert(p.realm).second)
                 refs.push_back("keytab: principals of " + p.realm);
             }
             put(facts, "host.identity.joined_realms", realms, in);
             put(facts, "host.identity.production_references", refs, in);
           }},
      {.commands = {{.id = "pam-files",
                     .argv = {"grep", "-r", "-H", "^", "/etc/pam.d"},
                     .ok_exit_codes = {0, 1}}},
       .facts = {{"host.pam.directory_modules", fact_type::text_list,
                  "directory PAM modules (pam_sss, pam_winbind, pam_ldap, pam_krb5) of the sshd "
                  "stack"},
                 {"host.pam.mfa_modules", fact_type::text_list,
                  "second-factor PAM modules (pam_oath, pam_google_authenticator, pam_u2f, "
                  "pam_duo, pam_yubico) of the sshd stack"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             std::map<std::string, std::string> files;
             for (auto& [path, text] : parse_grep_files(in.outputs[0].text))
               files[path.substr(path.rfind('/') + 1)] = text;
             const auto it = files.find("sshd");
             const auto stack = parse_pam_stack(it == files.end() ? "" : it->second, files);
             std::set<std::string> directory, mfa;
             for (const auto* entries :
                  {&stack.auth, &stack.account, &stack.password, &stack.session}) {
               for (const auto& e : *entries) {
                 const auto kind = classify_pam_module(e.module);
                 if (kind == pam_module_kind::directory)
                   directory.insert(e.module);
                 if (kind == pam_module_kind::mfa && entries == &stack.auth)  // a factor
                   mfa.insert(e.module);                                      // authenticates
               }
             }
             put(facts, "host.pam.directory_modules", json(directory), in);
             put(facts, "host.pam.mfa_modules", json(mfa), in);
           }},
      {.commands = {{.id = "sudoers-files",
                     .argv = {"grep", "-r", "-H", "^", "/etc/sudoers", "/etc/sudoers.d"},
                     .sudo_path = "/usr/bin/grep",
                     .absent_is_empty = true,
                     .ok_exit_codes = {0, 1}},
                    {.id = "groups", .argv = {"getent", "group"}},
                    sshd_effective},
       .facts = {{"host.privileges.production_identities", fact_type::text_list,
                  "production identities granted privileges: sudoers rules, members of "
                  "sudo/wheel/adm/root, sshd AllowGroups/AllowUsers"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const auto prod = production_of(in.inv);
             json found = json::array();
             for (const auto& [path, text] : parse_grep_files(in.outputs[0].text)) {
               for (const auto& rule : parse_sudoers(text).rules) {
                 for (const auto& who : rule.who) {
                   if (names_production(prod, who)) {
                     found.push_back(path + ":" + std::to_string(rule.line) + ": " + who +
                                     " may run " + names_list(rule.commands).get<std::string>() +
                                     " as " + (rule.runas.empty() ? "root" : rule.runas));
                   }
                 }
               }
             }
             for (const auto& [group, members] :
                  group_members(in.outputs[1].text, {"sudo", "wheel", "adm", "root"})) {
               for (const auto& m : members) {
                 if (names_production(prod, m))
                   found.push_back("group " + group + ": " + m);
               }
             }
             const auto sshd = parse_sshd_effective(in.outputs[2].text);
             for (const auto& [key, label] : {std::pair{"allowgroups", "sshd AllowGroups: "},
                                              std::pair{"allowusers", "sshd AllowUsers: "}}) {
               const auto it = sshd.find(key);
               for (const auto& who : it == sshd.end() ? std::vector<std::string>{} : it->second) {
                 if (names_production(prod, who))
                   found.push_back(label + who);
               }
             }
             put(facts, "host.privileges.production_identities", found, in);
           }},
      // Repository immutability (hosts with the repository role and a repository_path only).
      {.commands = {{.id = "repo-mount", .argv_for = repository_mount_argv},
                    {.id = "repo-xfs", .argv_for = repository_xfs_argv}},
       .facts = {{"host.repository.fstype", fact_type::text,
                  "filesystem of the repository path (findmnt -J -T)"},
                 {"host.repository.reflink", fact_type::boolean,
                  "the repository's XFS filesystem has reflink (xfs_info); not applicable on "
                  "others"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             if (!repository_audited(in.host)) {
               set_repository_unaudited(
                   in.host, {"host.repository.fstype", "host.repository.reflink"}, facts);
               return;
             }
             const auto mount = parse_findmnt(in.outputs[0].text);
             put(facts, "host.repository.fstype", mount ? json(mount->fstype) : json(nullptr), in);
             if (mount && mount->fstype != "xfs") {
               facts["host.repository.reflink"] =
                   fact::ruled_out("the repository is on " + mount->fstype + ", not XFS");
               return;
             }
             const auto reflink = parse_xfs_reflink(in.outputs[1].text);
             put(facts, "host.repository.reflink", reflink ? json(*reflink) : json(nullptr), in);
           }},
      {.commands = {{.id = "repo-files",
                     .sudo_path = "/usr/bin/find",
                     .evidence_text = nul_to_newline,
                     .argv_for = repository_files_argv,
                     .sudoers_argv = repository_files_sudoers_argv,
                     .nul_separated = true},
                    {.id = "repo-attributes",
                     .sudo_path = "/usr/bin/lsattr",
                     .argv_for = repository_attributes_argv,
                     .sudoers_argv = repository_attributes_sudoers_argv}},
       .facts = {{"host.repository.newest_files", fact_type::text_list,
                  "the newest backup files under the repository path, with their time and "
                  "attributes"},
                 {"host.repository.newest_immutable", fact_type::text,
                  "how many of the newest backup files have the immutable (i) attribute: all, "
                  "some, none"},
                 {"host.repository.newest_not_immutable", fact_type::text_list,
                  "the newest backup files without the immutable (i) attribute (lsattr)"}},
       .read =
           [](const reader_input& in, fact_map& facts) {
             const std::vector<std::string_view> kNames{"host.repository.newest_files",
                                                        "host.repository.newest_immutable",
                                                        "host.repository.newest_not_immutable"};
             if (!repository_audited(in.host)) {
               set_repository_unaudited(in.host, kNames, facts);
               return;
             }
             const auto newest = newest_backup_files(in.outputs[0].text);
             std::string why;
             if (in.outputs[0].truncated)
               why = "the list of backup files under " + in.host.repository_path +
                     " was cut at the output cap: the newest cannot be told";
             else if (newest.empty())
               why = "no backup file (" + names_list(kBackupFilePatterns).get<std::string>() +
                     ") under " + in.host.repository_path;
             if (!why.empty()) {
               for (const auto name : kNames)
                 put_fact(facts, name, nullptr, in, why);
               return;
             }
             std::vector<std::string> paths;
             for (const auto& f : newest)
               paths.push_back(f.path);
             const auto attributes = lsattr_of(in.outputs[1].text, paths);
             json files = json::array(), mutable_files = json::array();
             for (std::size_t i = 0; i < newest.size(); ++i) {
               const auto& a = attributes[i];
               const std::string text =
                   newest[i].path + " (modified " + newest[i].mtime_utc + ", " +
                   (a ? "attributes " + a->flags : "attributes not read") + ")";
               files.push_back(text);
               if (!a || !a->immutable)
                 mutable_files.push_back(text);
             }
             put(facts, "host.repository.newest_files", files, in);
             put(facts, "host.repository.newest_immutable",
                 mutable_files.empty()                  ? "all"
                 : mutable_files.size() == files.size() ? "none"
                                                        : "some",
                 in);
             put(facts, "host.repository.newest_not_immutable", mutable_files, in);
           }},
  };
}

// A sudoers command argument: `,` `:` `=` escaped; `\` written so that sudo's wildcard matching
// reads it as itself (`\\` in the file is one `\` for the matcher, which needs two).
std::string sudoers_argument(std::string_view arg) {
  std::string out;
  for (const char c : arg) {
    if (c == '\\')
      out += "\\\\\\\\";
    else if (c == ',' || c == ':' || c == '=')
      out += {'\\', c};
    else
      out += c;
  }
  return out;
}

bool sudoers_user_name(std::string_view name) {
  const auto lower_or = [](char c, std::string_view more) {
    return (c >= 'a' && c <= 'z') || more.find(c) != std::string_view::npos;
  };
  return !name.empty() && lower_or(name[0], "_") &&
         std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return lower_or(c, "_.-0123456789"); });
}

}  // namespace

host_table make_host_table(std::vector<host_fact_row> rows) {
  host_table t;
  for (const auto& row : rows) {
    for (const auto& spec : row.facts) {
      if (std::any_of(t.facts.begin(), t.facts.end(),
                      [&](const fact_spec& f) { return f.name == spec.name; }))
        throw std::logic_error("host table: fact " + std::string(spec.name) + " declared twice");
      t.facts.push_back(spec);
    }
    for (const auto& cmd : row.commands) {
      const auto same_id = std::find_if(t.commands.begin(), t.commands.end(),
                                        [&](const host_command& c) { return c.id == cmd.id; });
      if (cmd.privileged() && cmd.argv_for && !cmd.sudoers_argv)
        throw std::logic_error("host table: " + std::string(cmd.id) +
                               " is privileged and built from earlier outputs: it needs the "
                               "sudoers_argv that grants it");
      if (same_id == t.commands.end())
        t.commands.push_back(cmd);
      else if (!(*same_id == cmd))
        throw std::logic_error("host table: two commands named " + std::string(cmd.id));
    }
  }
  t.rows = std::move(rows);
  return t;
}

const host_table& linux_host_table() {
  static const host_table kTable = make_host_table(linux_rows());
  return kTable;
}

void put_fact(fact_map& facts, std::string_view name, json value, const reader_input& in,
              std::string_view why) {
  std::vector<std::string> ev;
  for (const auto& o : in.outputs) {
    if (!o.evidence.empty())
      ev.push_back(o.evidence);
  }
  facts[std::string(name)] =
      value.is_null() ? fact::missing(std::string(why), ev) : fact::of(std::move(value), ev);
}

std::string sudoers_rule(std::span<const host_command> commands, std::string_view account,
                         const backup_host& host) {
  if (!sudoers_user_name(account))
    throw std::invalid_argument("'" + std::string(account) +
                                "' is not a lower-case user name ([a-z_][a-z0-9_.-]*)");
  const auto& path = host.repository_path;
  if (!path.empty()) {
    const auto bad = std::find_if(path.begin(), path.end(), [](char c) {
      return !std::isalnum(static_cast<unsigned char>(c)) &&
             std::string_view(" /._+@%~-,:=").find(c) == std::string_view::npos;
    });
    if (!path.starts_with('/') || bad != path.end())
      throw std::invalid_argument(
          "repository path '" + path +
          "': expected an absolute path of letters, digits, space and / . _ + @ % ~ - , : =");
  }
  std::string rule = std::string(account) + " ALL=(root) NOPASSWD: ";
  bool first = true;
  for (const auto& cmd : commands) {
    if (!cmd.privileged())
      continue;
    const auto argv = cmd.argv_for ? cmd.sudoers_argv(host) : cmd.argv;
    if (argv.empty())  // does not run on this host
      continue;
    rule += (first ? "" : ", ") + std::string(cmd.sudo_path);
    for (std::size_t i = 1; i < argv.size(); ++i)
      rule += " " + sudoers_argument(argv[i]);
    first = false;
  }
  return rule;
}

}  // namespace cloison
