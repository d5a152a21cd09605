#include "probes/host/linux_facts.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "probes/host/linux_identity_parsers.h"
#include "probes/host/linux_parsers.h"
#include "probes/host/linux_system_parsers.h"
#include "probes/host/production_names.h"
#include "probes/host/text.h"

namespace cloison {

namespace {

constexpr std::array kFacts{
    fact_spec{"host.sshd.password_authentication", fact_type::text,
              "sshd effective PasswordAuthentication (sshd -T)"},
    fact_spec{"host.sshd.permit_root_login", fact_type::text,
              "sshd effective PermitRootLogin (sshd -T)"},
    fact_spec{"host.sshd.pubkey_authentication", fact_type::text,
              "sshd effective PubkeyAuthentication (sshd -T)"},
    fact_spec{"host.nsswitch.passwd_sources", fact_type::text_list,
              "sources of the passwd database in /etc/nsswitch.conf"},
    fact_spec{"host.nsswitch.group_sources", fact_type::text_list,
              "sources of the group database in /etc/nsswitch.conf"},
    fact_spec{"host.accounts.uid0", fact_type::text_list, "accounts with uid 0 (getent passwd)"},
    fact_spec{"host.dns.nameservers", fact_type::text_list, "nameservers in /etc/resolv.conf"},
    fact_spec{"host.dns.production_nameservers", fact_type::text_list,
              "nameservers that are a production directory or lie in a production segment"},
    fact_spec{"host.network.addresses", fact_type::text_list,
              "addresses of every interface, as \"IFNAME ADDRESS/PREFIX\" (ip -j addr)"},
    fact_spec{"host.network.in_production_segment", fact_type::text_list,
              "interface addresses that lie in a production segment of the inventory"},
    fact_spec{"host.network.listening", fact_type::text_list,
              "listening TCP/UDP sockets, as \"PROTO ADDRESS:PORT PROCESS\" (ss -H -tlnup)"},
    fact_spec{"host.network.default_route", fact_type::boolean,
              "a unicast default route exists (ip -j route)"},
    fact_spec{"host.firewall.engine", fact_type::text,
              "nftables, iptables, nftables+iptables-legacy or none"},
    fact_spec{"host.firewall.input_policy", fact_type::text,
              "policy of the input hook (drop, accept; empty when no input chain)"},
    fact_spec{"host.firewall.rule_count", fact_type::integer, "rules in every table"},
    fact_spec{"host.virtualisation", fact_type::text,
              "systemd-detect-virt: none, kvm, vmware, microsoft, ..."},
    fact_spec{"host.time.sources", fact_type::text_list,
              "NTP servers configured for chrony, systemd-timesyncd and ntpd"},
    fact_spec{"host.time.production_sources", fact_type::text_list,
              "time sources that are a production directory or lie in a production segment"},
    fact_spec{"host.identity.joined_realms", fact_type::text_list,
              "realms the host is joined to (realm list)"},
    fact_spec{"host.identity.production_references", fact_type::text_list,
              "where the host's identity configuration names a production directory: realm "
              "list, sssd.conf, krb5.conf, smb.conf, keytab principals"},
    fact_spec{"host.pam.directory_modules", fact_type::text_list,
              "directory PAM modules (pam_sss, pam_winbind, pam_ldap, pam_krb5) of the sshd stack"},
    fact_spec{"host.pam.mfa_modules", fact_type::text_list,
              "second-factor PAM modules (pam_oath, pam_google_authenticator, pam_u2f, pam_duo, "
              "pam_yubico) of the sshd stack"},
    fact_spec{"host.privileges.production_identities", fact_type::text_list,
              "production identities granted privileges: sudoers rules, members of sudo/wheel/adm"},
};

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

const std::vector<host_command> kCommands{
    {"sshd-effective", {"/usr/sbin/sshd", "-T"}, true},
    {"nsswitch", {"cat", "/etc/nsswitch.conf"}},
    {"passwd", {"getent", "passwd"}},
    {"resolv-conf", {"cat", "/etc/resolv.conf"}},
    {"ip-addresses", {"ip", "-j", "addr", "show"}},
    {"ip-routes", {"ip", "-j", "route", "show"}},
    {"listening", {"ss", "-H", "-tlnup"}, true},
    {"nft-ruleset", {"nft", "list", "ruleset"}, true, true},
    {"iptables-save", {"iptables-save"}, true, true},
    // Exits 1 when it prints "none".
    {"detect-virt", {"systemd-detect-virt"}, false, false, {0, 1}},
    {"chrony-conf", {"cat", "/etc/chrony/chrony.conf"}, false, true},
    {"timesyncd-conf", {"cat", "/etc/systemd/timesyncd.conf"}, false, true},
    {"ntp-conf", {"cat", "/etc/ntpsec/ntp.conf"}, false, true},
    {"realm-list", {"realm", "list"}, false, true},
    {"sssd-conf",
     {"cat", "/etc/sssd/sssd.conf"},
     true,
     true,
     {0},
     "No such file or directory",
     redact_sssd_conf},
    {"krb5-conf", {"cat", "/etc/krb5.conf"}, false, true},
    {"smb-conf", {"cat", "/etc/samba/smb.conf"}, false, true},
    {"keytab", {"klist", "-k"}, true, true, {0}, "not found while starting keytab scan"},
    {"pam-files", {"grep", "-r", "-H", "^", "/etc/pam.d"}, false, false, {0, 1}},
    {"sudoers-files",
     {"grep", "-r", "-H", "^", "/etc/sudoers", "/etc/sudoers.d"},
     true,
     true,
     {0, 1}},
    {"groups", {"getent", "group"}},
};

const std::vector<fact_reader> kReaders{
    {{"sshd-effective"},
     {"host.sshd.password_authentication", "host.sshd.permit_root_login",
      "host.sshd.pubkey_authentication"},
     [](const reader_input& in, fact_map& facts) {
       const auto s = parse_sshd_effective(in.outputs[0].text);
       put(facts, "host.sshd.password_authentication", first_value(s, "passwordauthentication"),
           in);
       put(facts, "host.sshd.permit_root_login", first_value(s, "permitrootlogin"), in);
       put(facts, "host.sshd.pubkey_authentication", first_value(s, "pubkeyauthentication"), in);
     }},
    {{"nsswitch"},
     {"host.nsswitch.passwd_sources", "host.nsswitch.group_sources"},
     [](const reader_input& in, fact_map& facts) {
       const auto n = parse_nsswitch(in.outputs[0].text);
       for (const auto& [db, name] : {std::pair{"passwd", "host.nsswitch.passwd_sources"},
                                      std::pair{"group", "host.nsswitch.group_sources"}}) {
         auto it = n.find(db);
         put(facts, name, it == n.end() ? json(nullptr) : json(it->second), in);
       }
     }},
    {{"passwd"},
     {"host.accounts.uid0"},
     [](const reader_input& in, fact_map& facts) {
       json uid0 = json::array();
       for (const auto& e : parse_passwd(in.outputs[0].text)) {
         if (e.uid == 0)
           uid0.push_back(e.name);
       }
       put(facts, "host.accounts.uid0", uid0, in);
     }},
    {{"resolv-conf"},
     {"host.dns.nameservers", "host.dns.production_nameservers"},
     [](const reader_input& in, fact_map& facts) {
       const auto servers = parse_resolv_nameservers(in.outputs[0].text);
       json production = json::array();
       for (const auto& s : servers) {
         const auto a = ip_address::parse(s);
         const auto dir =
             std::find_if(in.inv.directories.begin(), in.inv.directories.end(),
                          [&](const cloison::directory& d) {
                            return d.role == directory_role::production && uri_address(d.uri) == s;
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
    {{"ip-addresses"},
     {"host.network.addresses", "host.network.in_production_segment"},
     [](const reader_input& in, fact_map& facts) {
       const auto addresses = parse_ip_addresses(in.outputs[0].text);
       json all = json::array(), in_production = json::array();
       for (const auto& a : addresses.value_or(std::vector<interface_address>{})) {
         const std::string text = a.interface + " " + a.address + "/" + std::to_string(a.prefix);
         all.push_back(text);
         const auto ip = ip_address::parse(a.address);
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
       put(facts, "host.network.in_production_segment", addresses ? in_production : json(nullptr),
           in);
     }},
    {{"ip-routes"},
     {"host.network.default_route"},
     [](const reader_input& in, fact_map& facts) {
       const auto routes = parse_ip_routes(in.outputs[0].text);
       put(facts, "host.network.default_route",
           routes ? json(has_default_route(*routes)) : json(nullptr), in);
     }},
    {{"listening"},
     {"host.network.listening"},
     [](const reader_input& in, fact_map& facts) {
       json sockets = json::array();
       for (const auto& s : parse_ss_listening(in.outputs[0].text)) {
         const bool v6 = s.address.find(':') != std::string::npos;
         sockets.push_back(s.proto + " " + (v6 ? "[" + s.address + "]" : s.address) + ":" +
                           std::to_string(s.port) + (s.process.empty() ? "" : " " + s.process));
       }
       put(facts, "host.network.listening", sockets, in);
     }},
    {{"nft-ruleset", "iptables-save"},
     {"host.firewall.engine", "host.firewall.input_policy", "host.firewall.rule_count"},
     [](const reader_input& in, fact_map& facts) {
       const auto f = pick_firewall(in.outputs[0].text, in.outputs[1].text);
       put(facts, "host.firewall.engine", f.engine, in);
       put(facts, "host.firewall.input_policy", f.input_policy, in);
       put(facts, "host.firewall.rule_count", f.rule_count, in);
     }},
    {{"realm-list", "sssd-conf", "krb5-conf", "smb-conf", "keytab"},
     {"host.identity.joined_realms", "host.identity.production_references"},
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
         if (names_production(prod,
                              d.name + " " + d.ad_domain + " " + d.krb5_realm + " " + d.ldap_uri))
           refs.push_back("sssd.conf: domain " + d.name + " (id_provider " + d.id_provider + ")");
       }
       const auto krb5 = parse_krb5_conf(in.outputs[2].text);
       if (names_production(prod, krb5.default_realm))
         refs.push_back("krb5.conf: default_realm " + krb5.default_realm);
       for (const auto& r : krb5.realms) {
         if (r.name != krb5.default_realm && names_production(prod, r.name))
           refs.push_back("krb5.conf: realm " + r.name);
       }
       const auto smb = parse_smb_conf(in.outputs[3].text);
       if (smb.security == "ads" && names_production(prod, smb.realm + " " + smb.workgroup + "\\"))
         refs.push_back("smb.conf: security ads, realm " + smb.realm);
       std::set<std::string> keytab_realms;
       for (const auto& p : parse_klist_keytab(in.outputs[4].text).principals) {
         if (names_production(prod, p.realm) && keytab_realms.insert(p.realm).second)
           refs.push_back("keytab: principals of " + p.realm);
       }
       put(facts, "host.identity.joined_realms", realms, in);
       put(facts, "host.identity.production_references", refs, in);
     }},
    {{"pam-files"},
     {"host.pam.directory_modules", "host.pam.mfa_modules"},
     [](const reader_input& in, fact_map& facts) {
       std::map<std::string, std::string> files;
       for (auto& [path, text] : parse_grep_files(in.outputs[0].text))
         files[path.substr(path.rfind('/') + 1)] = text;
       const auto it = files.find("sshd");
       const auto stack = parse_pam_stack(it == files.end() ? "" : it->second, files);
       std::set<std::string> directory, mfa;
       for (const auto* entries : {&stack.auth, &stack.account, &stack.password, &stack.session}) {
         for (const auto& e : *entries) {
           const auto kind = classify_pam_module(e.module);
           if (kind == pam_module_kind::directory)
             directory.insert(e.module);
           if (kind == pam_module_kind::mfa)
             mfa.insert(e.module);
         }
       }
       put(facts, "host.pam.directory_modules", json(directory), in);
       put(facts, "host.pam.mfa_modules", json(mfa), in);
     }},
    {{"sudoers-files", "groups"},
     {"host.privileges.production_identities"},
     [](const reader_input& in, fact_map& facts) {
       const auto prod = production_of(in.inv);
       json found = json::array();
       for (const auto& [path, text] : parse_grep_files(in.outputs[0].text)) {
         for (const auto& rule : parse_sudoers(text).rules) {
           for (const auto& who : rule.who) {
             if (names_production(prod, who)) {
               found.push_back(path + ":" + std::to_string(rule.line) + ": " + who + " may run " +
                               names_list(rule.commands).get<std::string>() + " as " +
                               (rule.runas.empty() ? "root" : rule.runas));
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
       put(facts, "host.privileges.production_identities", found, in);
     }},
    {{"chrony-conf", "timesyncd-conf", "ntp-conf"},
     {"host.time.sources", "host.time.production_sources"},
     [](const reader_input& in, fact_map& facts) {
       std::vector<std::string> servers;
       for (const auto& line : parse_ntp_conf(in.outputs[0].text))
         servers.push_back(line.address);
       for (const auto& server : timesyncd_effective_servers(parse_timesyncd(in.outputs[1].text)))
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
    {{"detect-virt"},
     {"host.virtualisation"},
     [](const reader_input& in, fact_map& facts) {
       const auto v = parse_detect_virt(in.outputs[0].text);
       put(facts, "host.virtualisation", v ? json(*v) : json(nullptr), in);
     }},
};

}  // namespace

void put_fact(fact_map& facts, std::string_view name, json value, const reader_input& in,
              std::string_view why) {
  std::vector<std::string> ev;
  for (const auto& o : in.outputs)
    ev.push_back(o.evidence);
  facts[std::string(name)] =
      value.is_null() ? fact::missing(std::string(why), ev) : fact::of(std::move(value), ev);
}

std::span<const host_command> linux_commands() {
  return kCommands;
}
std::span<const fact_reader> linux_readers() {
  return kReaders;
}
std::span<const fact_spec> linux_facts() {
  return kFacts;
}

}  // namespace cloison
