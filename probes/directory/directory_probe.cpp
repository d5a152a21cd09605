#include "probes/directory/directory_probe.h"

#include <algorithm>

#include "core/cidr.h"
#include "probes/directory/ads_assessment.h"
#include "probes/directory/independence_assessment.h"
#include "probes/directory/kerberos_credentials.h"
#include "probes/directory/ldap_client.h"

namespace cloison {

namespace {

// Shares of a target's deadline: the plaintext-bind probe, reading the other side's domain, and
// connecting and binding are each bounded; what is left goes to the searches.
constexpr std::chrono::seconds kPlaintextProbeTime{10};
constexpr std::chrono::seconds kOtherDomainTime{10};
constexpr std::chrono::seconds kConnectTime{20};

deadline within_next(std::chrono::seconds share, deadline until) {
  return std::min(until, std::chrono::steady_clock::now() + share);
}

constexpr fact_spec kTransportFacts[] = {
    {"directory.transport.protected", fact_type::boolean,
     "cloison's session with the directory authenticates the server and is encrypted: TLS whose "
     "certificate it verified, or Kerberos (GSSAPI) sealing (false only when the inventory sets "
     "allow_plaintext)"},
    {"directory.transport.plaintext_bind_refused", fact_type::boolean,
     "the DC refuses simple binds sent in clear on port 389 (probed with a name that does not "
     "exist, never a real credential)"},
};

constexpr std::string_view kNamesakes = "directory.backup.privileged_namesakes_in_production";
constexpr fact_spec kCrossDirectoryFacts[] = {
    {kNamesakes, fact_type::text_list,
     "accounts of a production directory named like an enabled privileged user account of the "
     "backup AD (sAMAccountName or userPrincipalName prefix; the built-in Administrator aside)"},
};

std::vector<fact_spec> make_all_facts() {
  std::vector<fact_spec> all(std::begin(kTransportFacts), std::end(kTransportFacts));
  all.insert(all.end(), std::begin(kCrossDirectoryFacts), std::end(kCrossDirectoryFacts));
  for (const auto& specs : {independence_fact_specs(), ads_fact_specs()})
    all.insert(all.end(), specs.begin(), specs.end());
  return all;
}

const std::vector<fact_spec>& all_facts() {
  static const std::vector<fact_spec> all = make_all_facts();
  return all;
}

// Runs an assessment's stages on `conn`: every search, entries streamed to the assessment.
template <class Assessment>
assessment_output run(Assessment& a, ldap_connection& conn, deadline until) {
  for (auto stage = a.next_stage(); !stage.empty(); stage = a.next_stage()) {
    for (std::size_t i = 0; i < stage.size(); ++i) {
      try {
        conn.search(
            stage[i], [&](const ldap_entry& e) { a.consume(i, e); }, until);
      } catch (const ldap_failure& f) {
        a.search_failed(i, f.what());
      }
    }
  }
  return a.result();
}

// The domain a directory serves, for the other side's independence checks: DNS name, SID and
// NetBIOS name read over LDAP; only the DNS name (from the inventory's base) when unreadable.
independence_context::domain read_domain(const directory& d, deadline until) {
  independence_context::domain domain{dns_name_of(d.base), "", ""};
  until = within_next(kOtherDomainTime, until);
  try {
    auto conn = ldap_connection::open(d, until);
    conn->search(
        {d.base, ldap_scope::base, "(objectClass=*)", {"objectSid"}},
        [&](const ldap_entry& e) { domain.sid = sid_value(e, "objectSid").value_or(""); }, until);
    conn->search(
        {"CN=Partitions,CN=Configuration," + d.base,
         ldap_scope::one_level,
         "(&(objectClass=crossRef)(nCName=" + ldap_filter_escape(d.base) + "))",
         {"nETBIOSName", "dnsRoot"}},
        [&](const ldap_entry& e) {
          domain.netbios = std::string(e.first("nETBIOSName"));
          if (e.has("dnsRoot"))
            domain.dns_name = std::string(e.first("dnsRoot"));
        },
        until);
  } catch (const ldap_failure&) {
    // What could be read stays; the independence assessment works with the DNS name alone.
  }
  return domain;
}

independence_context context_for(const inventory& inv, const directory& d, deadline until) {
  independence_context c;
  c.role = d.role;
  for (const auto& h : inv.hosts)
    c.backup_hosts.push_back({h.name, h.addresses});
  for (const auto& a : inv.backup_accounts) {
    if (a.directory != "local")
      c.backup_accounts.push_back(a.name);
  }
  for (const auto& other : inv.directories) {
    if (other.role != d.role)
      c.other_side.push_back(read_domain(other, until));
  }
  return c;
}

// The production accounts named like the backup AD's privileged accounts (`names`), searched in
// every production directory of the inventory over a connection of its own; one evidence item per
// directory. Missing when the privileged set could not be read or a search fails.
fact namesakes_in_production(const inventory& inv, const std::vector<std::string>& names,
                             const fact& privileged_count, const std::string& prefix,
                             std::vector<evidence>& evidence, deadline until) {
  if (std::none_of(inv.directories.begin(), inv.directories.end(),
                   [](const directory& d) { return d.role == directory_role::production; }))
    return fact::ruled_out("the inventory declares no production directory");
  if (!privileged_count.value)
    return fact::missing("the backup AD's privileged accounts could not be read: " +
                         privileged_count.error);
  std::vector<std::string> lines, ids;
  for (const auto& other : inv.directories) {
    if (other.role != directory_role::production || names.empty())
      continue;
    const auto query = namesake_query(other.base, names);
    std::string content = "directory: " + other.name + " (" + other.uri + ")\nbase: " + query.base +
                          "\nfilter: " + query.filter + "\n";
    std::vector<ldap_entry> entries;
    try {
      auto conn = ldap_connection::open(other, within_next(kConnectTime, until));
      conn->search(
          query, [&](const ldap_entry& e) { entries.push_back(e); }, until);
    } catch (const ldap_failure& f) {
      evidence.push_back(make_evidence(prefix + "/namesakes-" + other.name,
                                       "namesake search in " + other.name,
                                       content + "failed: " + f.what(), false));
      return fact::missing("searching " + other.name + " for namesakes failed: " + f.what(),
                           {evidence.back().id});
    }
    const auto found = namesake_lines(entries, names, dns_name_of(other.base));
    content += "entries: " + std::to_string(entries.size()) + "\n";
    for (const auto& line : found)
      content += line + "\n";
    evidence.push_back(make_evidence(prefix + "/namesakes-" + other.name,
                                     "namesake search in " + other.name, content, false));
    ids.push_back(evidence.back().id);
    lines.insert(lines.end(), found.begin(), found.end());
  }
  return fact::of(lines, ids);
}

void merge(observation& obs, assessment_output&& out) {
  for (auto& [name, f] : out.facts)
    obs.facts[name] = std::move(f);
  for (auto& e : out.evidence)
    obs.evidence.push_back(std::move(e));
}

}  // namespace

directory_probe::directory_probe() {
  ldap_library_init();
}

std::span<const fact_spec> directory_probe::facts() const {
  return all_facts();
}

std::vector<target> directory_probe::plan(const inventory& inv, const run_context&) const {
  std::vector<target> targets;
  for (const auto& d : inv.directories)
    targets.push_back({d.name, uri_address(d.uri)});
  return targets;
}

void directory_probe::prepare(const inventory& inv) const {
  for (const auto& d : inv.directories) {
    if (d.bind_method == "gssapi" && !d.krb5_conf.empty())
      use_krb5_config(d.krb5_conf);
  }
}

observation directory_probe::collect(const inventory& inv, const run_context&, const target& t,
                                     deadline until) const {
  observation obs;
  const auto d = std::find_if(inv.directories.begin(), inv.directories.end(),
                              [&](const directory& x) { return x.name == t.name; });
  if (d == inv.directories.end())
    throw std::logic_error("directory " + t.name + " is not in the inventory");
  const std::string prefix = "directory/" + d->name;
  if (d->role != directory_role::backup) {
    for (const auto& spec : ads_fact_specs()) {
      obs.facts[std::string(spec.name)] = fact::out_of_scope(
          "a production directory: the ADS control points apply to the dedicated backup AD");
    }
  }

  const auto plaintext = probe_plaintext_simple_bind(
      ldap_uri_host(d->uri), 389, dns_name_of(d->base), within_next(kPlaintextProbeTime, until));
  obs.evidence.push_back(make_evidence(prefix + "/plaintext-bind", "simple bind in clear, port 389",
                                       plaintext.detail, false));
  obs.facts["directory.transport.plaintext_bind_refused"] =
      plaintext.verdict == plaintext_bind::unreachable
          ? fact::missing("the plaintext-bind probe got no answer: " + plaintext.detail,
                          {obs.evidence.back().id})
          : fact::of(plaintext.verdict == plaintext_bind::refused, {obs.evidence.back().id});

  std::unique_ptr<ldap_connection> conn;
  try {
    conn = ldap_connection::open(*d, within_next(kConnectTime, until));
  } catch (const ldap_failure& f) {
    obs.outcome = f.timed_out() ? outcome::timeout : outcome::error;
    obs.detail = f.what();
    for (const auto& spec : all_facts()) {
      if (!obs.facts.contains(std::string(spec.name)))
        obs.facts[std::string(spec.name)] = fact::missing(obs.detail);
    }
    return obs;
  }
  const auto& transport = conn->transport();
  obs.evidence.push_back(make_evidence(
      prefix + "/transport", "LDAP connection to " + d->uri,
      "transport: " + transport.kind + "\ncertificate verified: " +
          (transport.certificate_verified ? "yes, against " + d->ca_file : std::string("no")) +
          "\nKerberos sealing: " + (transport.kerberos_sealed ? "yes" : "no") +
          "\nbound as: " + transport.bound_as + " (" + d->bind_method + ")\n",
      false));
  obs.facts["directory.transport.protected"] =
      fact::of(transport.is_protected(), {obs.evidence.back().id});

  independence_assessment independence(prefix, context_for(inv, *d, until));
  merge(obs, run(independence, *conn, until));
  if (d->role == directory_role::backup) {
    ads_assessment ads(prefix, std::chrono::system_clock::now());
    merge(obs, run(ads, *conn, until));
    obs.facts[std::string(kNamesakes)] = namesakes_in_production(
        inv, ads.privileged_logon_names(), obs.facts.at("directory.ads.privileged_members_count"),
        prefix, obs.evidence, until);
  } else {
    obs.facts[std::string(kNamesakes)] = fact::ruled_out(
        "a production directory: the backup AD's privileged accounts are searched in it from the "
        "backup directory's target");
  }
  return obs;
}

}  // namespace cloison
