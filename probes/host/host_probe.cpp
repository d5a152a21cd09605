#include "probes/host/host_probe.h"

#include <algorithm>
#include <array>

#include "probes/host/linux_parsers.h"

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
    fact_spec{"host.network.addresses", fact_type::text_list,
              "addresses of every interface, as \"IFNAME ADDRESS/PREFIX\" (ip -j addr)"},
    fact_spec{"host.network.in_production_segment", fact_type::text_list,
              "interface addresses that lie in a production segment of the inventory"},
};

using fact_map = std::map<std::string, fact>;
using evidence_ids = std::vector<std::string>;

json first_value(const std::map<std::string, std::vector<std::string>>& m, const std::string& k) {
  auto it = m.find(k);
  return it == m.end() || it->second.empty() ? json(nullptr) : json(it->second.front());
}

void put(fact_map& facts, const std::string& name, json value, const evidence_ids& ev) {
  if (value.is_null()) {
    facts[name] = fact::missing("not present in the command output", ev);
  } else {
    facts[name] = fact::of(std::move(value), ev);
  }
}

struct host_command {
  std::string_view id;
  std::vector<std::string> argv;
  bool privileged;
  std::vector<std::string> facts;
  void (*parse)(std::string_view out, const inventory& inv, const evidence_ids& ev,
                fact_map& facts);
};

const std::vector<host_command>& commands() {
  static const std::vector<host_command> kCommands{
      {"sshd-effective",
       {"/usr/sbin/sshd", "-T"},
       true,
       {"host.sshd.password_authentication", "host.sshd.permit_root_login",
        "host.sshd.pubkey_authentication"},
       [](std::string_view out, const inventory&, const evidence_ids& ev, fact_map& facts) {
         const auto s = parse_sshd_effective(out);
         put(facts, "host.sshd.password_authentication", first_value(s, "passwordauthentication"),
             ev);
         put(facts, "host.sshd.permit_root_login", first_value(s, "permitrootlogin"), ev);
         put(facts, "host.sshd.pubkey_authentication", first_value(s, "pubkeyauthentication"), ev);
       }},
      {"nsswitch",
       {"cat", "/etc/nsswitch.conf"},
       false,
       {"host.nsswitch.passwd_sources", "host.nsswitch.group_sources"},
       [](std::string_view out, const inventory&, const evidence_ids& ev, fact_map& facts) {
         const auto n = parse_nsswitch(out);
         for (const auto& [db, fact_name] : {std::pair{"passwd", "host.nsswitch.passwd_sources"},
                                             std::pair{"group", "host.nsswitch.group_sources"}}) {
           auto it = n.find(db);
           put(facts, fact_name, it == n.end() ? json(nullptr) : json(it->second), ev);
         }
       }},
      {"passwd",
       {"getent", "passwd"},
       false,
       {"host.accounts.uid0"},
       [](std::string_view out, const inventory&, const evidence_ids& ev, fact_map& facts) {
         json uid0 = json::array();
         for (const auto& e : parse_passwd(out)) {
           if (e.uid == 0)
             uid0.push_back(e.name);
         }
         put(facts, "host.accounts.uid0", uid0, ev);
       }},
      {"resolv-conf",
       {"cat", "/etc/resolv.conf"},
       false,
       {"host.dns.nameservers"},
       [](std::string_view out, const inventory&, const evidence_ids& ev, fact_map& facts) {
         put(facts, "host.dns.nameservers", json(parse_resolv_nameservers(out)), ev);
       }},
      {"ip-addresses",
       {"ip", "-j", "addr", "show"},
       false,
       {"host.network.addresses", "host.network.in_production_segment"},
       [](std::string_view out, const inventory& inv, const evidence_ids& ev, fact_map& facts) {
         const auto addresses = parse_ip_addresses(out);
         if (!addresses) {
           for (const auto* name :
                {"host.network.addresses", "host.network.in_production_segment"}) {
             facts[name] = fact::missing("ip -j addr did not print JSON", ev);
           }
           return;
         }
         json all = json::array(), in_production = json::array();
         for (const auto& a : *addresses) {
           const std::string text = a.interface + " " + a.address + "/" + std::to_string(a.prefix);
           all.push_back(text);
           const auto ip = ip_address::parse(a.address);
           for (const auto& s : inv.segments) {
             if (s.role != segment_role::production || !ip)
               continue;
             for (const auto& c : s.cidrs) {
               if (c.contains(*ip))
                 in_production.push_back(text + " (in " + s.name + ")");
             }
           }
         }
         put(facts, "host.network.addresses", all, ev);
         put(facts, "host.network.in_production_segment", in_production, ev);
       }},
  };
  return kCommands;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv)
    s += (s.empty() ? "" : " ") + a;
  return s;
}

void all_missing(observation& obs, const std::string& why) {
  for (const auto& spec : kFacts)
    obs.facts[std::string(spec.name)] = fact::missing(why);
}

}  // namespace

std::span<const fact_spec> host_probe::facts() const {
  return kFacts;
}

std::vector<target> host_probe::plan(const inventory& inv) const {
  std::vector<target> targets;
  for (const auto& h : inv.hosts)
    targets.push_back({h.name, h.address});
  return targets;
}

observation host_probe::collect(const inventory& inv, const target& t, deadline until) const {
  observation obs;
  const auto host = std::find_if(inv.hosts.begin(), inv.hosts.end(),
                                 [&](const backup_host& h) { return h.name == t.name; });
  std::shared_ptr<const command_runner> runner;
  if (host != inv.hosts.end() && host->os == "linux") {
    if (host->access == access_method::local)
      runner = local_;
    if (host->access == access_method::ssh && remote_)
      runner = remote_(*host);
  }
  if (!runner && host != inv.hosts.end() && host->access == access_method::none) {
    obs.detail = "declared without host access (access: none): host facts are not collected";
    for (const auto& spec : kFacts)
      obs.facts[std::string(spec.name)] = fact::ruled_out(obs.detail);
    return obs;
  }
  if (!runner) {
    obs.outcome = outcome::error;
    obs.detail = host == inv.hosts.end() ? "host not in the inventory"
                 : host->os != "linux"
                     ? "facts of " + host->os + " hosts are not collected by this build"
                 : host->access == access_method::ssh ? "no SSH runner in this build"
                                                      : "no access method declared for this host";
    all_missing(obs, obs.detail);
    return obs;
  }
  const bool elevate = host->access == access_method::ssh && host->ssh.sudo;
  std::size_t failures = 0;
  std::string first_failure;
  for (const auto& cmd : commands()) {
    std::vector<std::string> argv = cmd.argv;
    if (cmd.privileged && elevate)
      argv.insert(argv.begin(), {"sudo", "-n", "--"});
    const auto r = runner->run(argv, until, kDefaultOutputCap);
    const std::string id = "host/" + t.name + "/" + std::string(cmd.id);
    const bool ran = r.outcome == outcome::ok && r.exit_code == 0;
    std::string content = r.out;
    if (!ran) {
      content += (content.empty() ? "" : "\n") + std::string("--- stderr ---\n") + r.err +
                 (r.failure.empty() ? "" : "\n--- failure ---\n" + r.failure) +
                 "\n--- exit code ---\n" + std::to_string(r.exit_code);
    }
    obs.evidence.push_back(make_evidence(id, joined(argv), std::move(content), r.truncated));
    if (ran) {
      cmd.parse(r.out, inv, {id}, obs.facts);
      continue;
    }
    ++failures;
    const std::string why = !r.failure.empty()
                                ? r.failure
                                : joined(argv) + " exited with code " +
                                      std::to_string(r.exit_code) + ": " + r.err.substr(0, 200);
    for (const auto& f : cmd.facts)
      obs.facts[f] = fact::missing(why, {id});
    if (first_failure.empty())
      first_failure = why;
    if (r.outcome == outcome::timeout)
      obs.outcome = outcome::timeout;
  }
  if (failures > 0) {
    if (obs.outcome == outcome::ok)
      obs.outcome = outcome::failed;
    obs.detail = std::to_string(failures) + " of " + std::to_string(commands().size()) +
                 " commands failed" +
                 (obs.outcome == outcome::timeout ? " (deadline reached)" : "") +
                 "; first: " + first_failure;
  }
  return obs;
}

}  // namespace cloison
