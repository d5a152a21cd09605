#include "probes/directory/independence_assessment.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace cloison {

namespace {

constexpr std::array kFacts{
    fact_spec{"directory.production.backup_computer_accounts", fact_type::text_list,
              "enabled computer accounts of the production directory that name a backup host "
              "(sAMAccountName, dNSHostName or servicePrincipalName host)"},
    fact_spec{"directory.production.backup_accounts_present", fact_type::text_list,
              "enabled accounts of the production directory named like a declared backup-side "
              "account"},
    fact_spec{"directory.trusts.with_other_side", fact_type::text_list,
              "trusts of this directory with a domain of the other side (production <-> backup), "
              "with their direction"},
    fact_spec{"directory.backup.production_foreign_principals", fact_type::text_list,
              "foreign security principals of the backup directory whose SID is in a production "
              "domain"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string first_label(std::string_view name) {
  return lower(name.substr(0, name.find('.')));
}

}  // namespace

struct independence_assessment::state {
  search_log log;
  independence_context ctx;
  int stage = 0;
  std::vector<std::size_t> handles;  // of the current stage
  std::vector<std::string> kinds;    // search name of each, as dispatch key
  std::string domain_dn;
  std::vector<std::string> computers, accounts, trusts, foreign;

  state(std::string prefix, independence_context c) : log(std::move(prefix)), ctx(std::move(c)) {}

  void add(std::string name, ldap_query q) {
    handles.push_back(log.add(name, std::move(q)));
    kinds.push_back(std::move(name));
  }

  std::vector<ldap_query> stage_queries() {
    if (stage == 1 && domain_dn.empty() && !handles.empty())
      log.fail(handles[0], "no defaultNamingContext in the rootDSE");
    handles.clear();
    kinds.clear();
    const int this_stage = stage++;
    if (this_stage == 0) {
      add("rootdse", {"", ldap_scope::base, "(objectClass=*)", {"defaultNamingContext"}});
    } else if (this_stage == 1 && !domain_dn.empty()) {
      const std::string enabled = "(!(userAccountControl:1.2.840.113556.1.4.803:=2))";
      if (ctx.role == directory_role::production) {
        add("computers", {domain_dn,
                          ldap_scope::subtree,
                          "(&(objectClass=computer)" + enabled + ")",
                          {"sAMAccountName", "dNSHostName", "servicePrincipalName"}});
        if (!ctx.backup_accounts.empty()) {
          std::string names = "(|";
          for (const auto& a : ctx.backup_accounts)
            names += "(sAMAccountName=" + ldap_filter_escape(a) + ")";
          add("backup-accounts",
              {domain_dn,
               ldap_scope::subtree,
               "(&(objectClass=user)(!(objectClass=computer))" + enabled + names + "))",
               {"sAMAccountName", "userPrincipalName", "userAccountControl"}});
        }
      } else {
        add("foreign-principals", {"CN=ForeignSecurityPrincipals," + domain_dn,
                                   ldap_scope::one_level,
                                   "(objectClass=foreignSecurityPrincipal)",
                                   {"cn", "objectSid", "memberOf"}});
      }
      if (!ctx.other_side.empty()) {
        add("trusts", {domain_dn,
                       ldap_scope::subtree,
                       "(objectClass=trustedDomain)",
                       {"trustPartner", "flatName", "securityIdentifier", "trustDirection",
                        "trustAttributes"}});
      }
    }
    std::vector<ldap_query> out;
    for (const auto h : handles)
      out.push_back(log.query(h));
    return out;
  }

  bool names_backup_host(const ldap_entry& e, std::string& which) const {
    std::vector<std::string> names;
    auto sam = lower(e.first("sAMAccountName"));
    if (!sam.empty() && sam.back() == '$')
      sam.pop_back();
    names.push_back(sam);
    names.push_back(lower(e.first("dNSHostName")));
    for (const auto& spn : e.values("servicePrincipalName")) {
      const auto slash = spn.find('/');
      if (slash != std::string::npos)
        names.push_back(
            lower(spn.substr(slash + 1, spn.find_first_of(":/", slash + 1) - slash - 1)));
    }
    for (const auto& h : ctx.backup_hosts) {
      const auto full = lower(h.name), short_name = first_label(h.name);
      for (const auto& n : names) {
        if (n.empty())
          continue;
        // A short inventory name matches the first label; an FQDN or an address must match whole.
        const bool hit = n == full ||
                         std::any_of(h.addresses.begin(), h.addresses.end(),
                                     [&](const std::string& a) { return lower(a) == n; }) ||
                         (full.find('.') == std::string::npos && first_label(n) == short_name);
        if (hit) {
          which = h.name + " (" + n + ")";
          return true;
        }
      }
    }
    return false;
  }

  void on_entry(std::size_t index, const ldap_entry& e) {
    const auto h = handles.at(index);
    const auto& k = kinds.at(index);
    log.count(h);
    if (k == "rootdse") {
      domain_dn = e.first("defaultNamingContext");
      log.note(h, "defaultNamingContext: " + domain_dn);
    } else if (k == "computers") {
      std::string which;
      if (names_backup_host(e, which)) {
        computers.push_back(e.dn);
        log.note(h, e.dn + "\n  sAMAccountName=" + std::string(e.first("sAMAccountName")) +
                        " dNSHostName=" + std::string(e.first("dNSHostName")) +
                        "\n  -> names backup host " + which);
      }
    } else if (k == "backup-accounts") {
      accounts.push_back(display_name(e));
      log.note(h, e.dn + "\n  sAMAccountName=" + std::string(e.first("sAMAccountName")) +
                      " userAccountControl=" + std::string(e.first("userAccountControl")) +
                      "\n  -> declared backup-side account");
    } else if (k == "trusts") {
      const auto partner = lower(e.first("trustPartner"));
      const auto flat = lower(e.first("flatName"));
      const auto sid = sid_value(e, "securityIdentifier").value_or("");
      for (const auto& d : ctx.other_side) {
        if (partner != lower(d.dns_name) && (d.sid.empty() || sid != d.sid) &&
            (d.netbios.empty() || flat != lower(d.netbios)))
          continue;
        const auto direction = int_value(e, "trustDirection").value_or(0);
        const auto label = std::string(e.first("trustPartner")) + " (" +
                           std::string(e.first("flatName")) + ", " +
                           trust_direction_name(direction) + ")";
        trusts.push_back(label);
        log.note(h, "trustedDomain " + e.dn + ": " + label + " securityIdentifier=" + sid +
                        " trustAttributes=" +
                        join_flags(static_cast<std::uint32_t>(
                            int_value(e, "trustAttributes").value_or(0))) +
                        "\n  -> the other side's domain " + d.dns_name);
        return;
      }
    } else if (k == "foreign-principals") {
      const auto sid = sid_value(e, "objectSid").value_or(first_rdn_value(e.dn));
      for (const auto& d : ctx.other_side) {
        if (d.sid.empty() || sid_domain(sid) != d.sid)
          continue;
        std::string groups;
        for (const auto& g : e.values("memberOf"))
          groups += (groups.empty() ? "" : "; ") + first_rdn_value(g);
        foreign.push_back(sid + (groups.empty() ? "" : " (member of " + groups + ")"));
        log.note(h, e.dn + "\n  -> SID of production domain " + d.dns_name +
                        (groups.empty() ? "" : ", member of " + groups));
        return;
      }
    }
  }

  static std::string join_flags(std::uint32_t v) {
    std::string out;
    for (const auto& n : trust_attribute_names(v))
      out += (out.empty() ? "" : "|") + n;
    return out;
  }

  void facts(assessment_output& out) const {
    const auto other_role = [](const char* which) {
      return fact::ruled_out(std::string("collected on the ") + which + " directory only");
    };
    if (ctx.role == directory_role::production) {
      put_directory_fact(out, log, "directory.production.backup_computer_accounts", computers,
                         {"computers"});
      if (ctx.backup_accounts.empty())
        out.facts["directory.production.backup_accounts_present"] =
            fact::ruled_out("the inventory declares no backup_accounts");
      else
        put_directory_fact(out, log, "directory.production.backup_accounts_present", accounts,
                           {"backup-accounts"});
      out.facts["directory.backup.production_foreign_principals"] = other_role("backup");
    } else {
      out.facts["directory.production.backup_computer_accounts"] = other_role("production");
      out.facts["directory.production.backup_accounts_present"] = other_role("production");
      put_directory_fact(out, log, "directory.backup.production_foreign_principals", foreign,
                         {"foreign-principals"});
    }
    if (ctx.other_side.empty())
      out.facts["directory.trusts.with_other_side"] =
          fact::ruled_out("the inventory declares no directory of the other role");
    else
      put_directory_fact(out, log, "directory.trusts.with_other_side", trusts, {"trusts"});
  }
};

independence_assessment::independence_assessment(std::string evidence_prefix,
                                                 independence_context context)
    : s_(std::make_unique<state>(std::move(evidence_prefix), std::move(context))) {}

independence_assessment::~independence_assessment() = default;

std::vector<ldap_query> independence_assessment::next_stage() {
  return s_->stage_queries();
}

void independence_assessment::consume(std::size_t index, const ldap_entry& entry) {
  s_->on_entry(index, entry);
}

void independence_assessment::search_failed(std::size_t index, std::string why) {
  s_->log.fail(s_->handles.at(index), std::move(why));
}

assessment_output independence_assessment::result() const {
  assessment_output out;
  s_->facts(out);
  out.evidence = s_->log.evidence_items();
  return out;
}

std::span<const fact_spec> independence_fact_specs() {
  return kFacts;
}

ldap_query namesake_query(const std::string& base, const std::vector<std::string>& names) {
  std::string filter = "(&(objectClass=user)(!(objectClass=computer))(|";
  for (const auto& n : names) {
    const auto escaped = ldap_filter_escape(n);
    filter += "(sAMAccountName=" + escaped + ")(userPrincipalName=" + escaped + "@*)";
  }
  return {base,
          ldap_scope::subtree,
          filter + "))",
          {"sAMAccountName", "userPrincipalName", "userAccountControl"}};
}

std::vector<std::string> namesake_lines(const std::vector<ldap_entry>& entries,
                                        const std::vector<std::string>& names,
                                        const std::string& domain) {
  std::vector<std::string> out;
  for (const auto& e : entries) {
    const auto sam = lower(e.first("sAMAccountName"));
    const auto upn = lower(e.first("userPrincipalName"));
    const auto upn_prefix = upn.substr(0, upn.find('@'));
    for (const auto& n : names) {
      if (n != sam && n != upn_prefix)
        continue;
      out.push_back(n + ": " + domain + " account " + std::string(e.first("sAMAccountName")) +
                    " (" + e.dn + ", " +
                    (uac_of(e) & uac::account_disable ? "disabled" : "enabled") + ")");
    }
  }
  return out;
}

}  // namespace cloison
