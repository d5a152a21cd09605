#include "probes/directory/ads_assessment.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "probes/directory/ca_certificate.h"
#include "probes/directory/security_descriptor.h"

namespace cloison {

namespace {

constexpr std::array kFacts{
    // Level 1.
    fact_spec{"directory.ads.critical_objects", fact_type::text_list,
              "critical objects that could not be read (AdminSDHolder, krbtgt, RID-500, Domain/"
              "Schema/Enterprise Admins)"},
    fact_spec{"directory.ads.dc_inconsistent_uac", fact_type::text_list,
              "DCs whose userAccountControl or Sites registration (server + nTDSDSA) is "
              "inconsistent"},
    fact_spec{"directory.ads.dc_obsolete", fact_type::text_list,
              "DCs running an operating system out of support"},
    fact_spec{"directory.ads.delegation_a2d2", fact_type::text_list,
              "accounts with constrained delegation to a DC service or krbtgt"},
    fact_spec{"directory.ads.delegation_sourcedeleg", fact_type::text_list,
              "DCs with resource-based constrained delegation configured"},
    fact_spec{"directory.ads.delegation_t2a4d", fact_type::text_list,
              "accounts with protocol transition and constrained delegation to a DC or krbtgt"},
    fact_spec{"directory.ads.delegation_t4d", fact_type::text_list,
              "enabled non-DC accounts trusted for unconstrained delegation"},
    fact_spec{"directory.ads.display_specifier", fact_type::text_list,
              "display specifiers running a program from a UNC path outside SYSVOL"},
    fact_spec{"directory.ads.dnsadmins", fact_type::text_list,
              "members of DnsAdmins (transitively) that are not privileged"},
    fact_spec{"directory.ads.dnsadmins_permissions", fact_type::text_list,
              "trustees outside the privileged groups that own or control the DnsAdmins group"},
    fact_spec{"directory.ads.dnszone_bad_prop", fact_type::text_list,
              "the domain and _msdcs DNS zones accepting unsecure dynamic updates"},
    fact_spec{"directory.ads.dnszone_bad_prop_all", fact_type::text_list,
              "every DNS zone accepting unsecure dynamic updates"},
    fact_spec{"directory.ads.dont_expire_priv", fact_type::text_list,
              "enabled privileged accounts whose password never expires"},
    fact_spec{"directory.ads.dsheuristics_bad", fact_type::text_list,
              "dSHeuristics characters set to a level-1 dangerous value (8 fAllowAnonNSPI, 16 "
              "dwAdminSDExMask)"},
    fact_spec{"directory.ads.dsheuristics_bad_level2", fact_type::text_list,
              "dSHeuristics characters set to a level-2 dangerous value (7, 21, 28, 29)"},
    fact_spec{"directory.ads.functional_level", fact_type::integer,
              "forest functional level (rootDSE forestFunctionality: 4 = 2008 R2, 6 = 2012 R2, "
              "7 = 2016)"},
    fact_spec{"directory.ads.kerberos_properties_preauth_priv", fact_type::text_list,
              "enabled privileged accounts without Kerberos pre-authentication"},
    fact_spec{"directory.ads.dc_password_max_age_days", fact_type::integer,
              "days since the oldest DC machine password was set"},
    fact_spec{"directory.ads.dc_max_inactive_days", fact_type::integer,
              "days since the least recently authenticated DC last logged on (lastLogonTimestamp, "
              "else its creation)"},
    fact_spec{"directory.ads.privileged_password_max_age_days", fact_type::integer,
              "days since the oldest password of an enabled privileged account was set"},
    fact_spec{"directory.ads.primary_group_id_1000", fact_type::text_list,
              "accounts whose primaryGroupID is below 1000 and not a default one"},
    fact_spec{"directory.ads.privileged_members_count", fact_type::integer,
              "privileged accounts (transitive members of the privileged groups), RID-500 and DCs "
              "excluded"},
    fact_spec{"directory.ads.spn_priv", fact_type::text_list,
              "enabled privileged user accounts carrying a servicePrincipalName (not (g)MSAs)"},
    fact_spec{"directory.ads.trusts_domain_notfiltered", fact_type::text_list,
              "outbound external trusts without SID filtering (quarantine)"},
    fact_spec{"directory.ads.trusts_forest_sidhistory", fact_type::text_list,
              "outbound forest trusts with SID history enabled (TREAT_AS_EXTERNAL)"},
    fact_spec{"directory.ads.dormant_accounts_percent", fact_type::integer,
              "percent of enabled accounts that are dormant (password older than 3 years and no "
              "logon for a year)"},
    // Level 2.
    fact_spec{"directory.ads.adupdate_revision", fact_type::integer,
              "revision of CN=ActiveDirectoryUpdate,CN=DomainUpdates,CN=System"},
    fact_spec{"directory.ads.compatible_2000_anonymous", fact_type::text_list,
              "Anonymous (S-1-5-7) in Pre-Windows 2000 Compatible Access"},
    fact_spec{"directory.ads.dc_crypto_des", fact_type::text_list,
              "DCs allowing DES Kerberos encryption (msDS-SupportedEncryptionTypes)"},
    fact_spec{"directory.ads.dont_expire_percent", fact_type::integer,
              "percent of enabled user accounts whose password never expires"},
    fact_spec{"directory.ads.guest", fact_type::text_list,
              "the Guest account (RID 501) if enabled"},
    fact_spec{"directory.ads.kerberos_properties_deskey", fact_type::text_list,
              "enabled accounts with USE_DES_KEY_ONLY"},
    fact_spec{"directory.ads.kerberos_properties_preauth", fact_type::text_list,
              "enabled accounts without Kerberos pre-authentication"},
    fact_spec{"directory.ads.krbtgt_password_age_days", fact_type::integer,
              "days since the krbtgt password was set"},
    fact_spec{"directory.ads.server_password_max_age_days", fact_type::integer,
              "days since the oldest machine password of an enabled server (not a DC) was set"},
    fact_spec{"directory.ads.cluster_password_max_age_days", fact_type::integer,
              "days since the oldest password of a failover-cluster name account was set"},
    fact_spec{"directory.ads.msa_password_max_age_days", fact_type::integer,
              "days since the oldest password of an enabled (g)MSA was set"},
    fact_spec{"directory.ads.permissions_gpo_container_priv", fact_type::text_list,
              "trustees outside the privileged groups that own or control a container (OU, "
              "container) holding privileged accounts, groups or DCs, or a DC's site"},
    fact_spec{"directory.ads.privileged_members_password", fact_type::text_list,
              "privileged accounts whose password policy (domain or PSO) allows fewer than 8 "
              "characters or a maximum age above 3 years (or none)"},
    fact_spec{"directory.ads.privileged_members_no_admincount", fact_type::text_list,
              "privileged accounts whose adminCount is not 1"},
    fact_spec{"directory.ads.rodc_priv_revealed", fact_type::text_list,
              "privileged accounts whose secrets are cached on an RODC"},
    fact_spec{"directory.ads.sidhistory_dangerous", fact_type::text_list,
              "accounts whose sIDHistory holds a builtin, well-known or RID < 1000 SID"},
    fact_spec{"directory.ads.sysvol_ntfrs", fact_type::text_list,
              "SYSVOL replica sets still replicated by NTFRS"},
    fact_spec{"directory.ads.trust_account_password_max_age_days", fact_type::integer,
              "days since the oldest interdomain trust account password was set"},
    // Level 3.
    fact_spec{"directory.ads.compatible_2000_not_default", fact_type::text_list,
              "members of Pre-Windows 2000 Compatible Access other than Authenticated Users"},
    fact_spec{"directory.ads.dc_crypto_no_aes", fact_type::text_list,
              "DCs that do not declare AES Kerberos encryption"},
    fact_spec{"directory.ads.kerberos_properties_encryption", fact_type::text_list,
              "enabled user service accounts (with an SPN) that do not declare AES"},
    fact_spec{"directory.ads.server_max_inactive_days", fact_type::integer,
              "days since the least recently authenticated enabled server last logged on"},
    fact_spec{"directory.ads.primary_group_id_nochange", fact_type::text_list,
              "accounts whose primaryGroupID is not the default of their kind"},
    fact_spec{"directory.ads.protected_users", fact_type::text_list,
              "enabled privileged user accounts not in Protected Users"},
    fact_spec{"directory.ads.reversible_password_priv_uac", fact_type::text_list,
              "privileged accounts allowed to store a reversible password"},
    fact_spec{"directory.ads.reversible_password_priv_namingcontext", fact_type::text_list,
              "domain password properties storing reversible passwords"},
    fact_spec{"directory.ads.rodc_never_reveal", fact_type::text_list,
              "RODCs whose msDS-NeverRevealGroup lacks a default group"},
    fact_spec{"directory.ads.rodc_reveal", fact_type::text_list,
              "RODCs whose msDS-RevealOnDemandGroup holds a builtin or RID < 1000 group"},
    fact_spec{"directory.ads.rodc_allowed_group", fact_type::text_list,
              "members of Allowed RODC Password Replication Group"},
    fact_spec{"directory.ads.rodc_denied_group", fact_type::text_list,
              "default members missing from Denied RODC Password Replication Group"},
    fact_spec{"directory.ads.rodc_orphan_krbtgt", fact_type::text_list,
              "krbtgt_NNNNN accounts linked to no RODC"},
    fact_spec{"directory.ads.sidhistory_present", fact_type::text_list,
              "accounts carrying sIDHistory"},
    fact_spec{"directory.ads.trusts_tgt_deleg", fact_type::text_list,
              "inbound forest trusts allowing TGT delegation"},
    fact_spec{"directory.ads.owner", fact_type::text_list,
              "privileged accounts and groups owned by another principal than Domain Admins, "
              "Enterprise Admins, Administrators or SYSTEM"},
    fact_spec{"directory.ads.sd_failed_sd_read_on_priv", fact_type::text_list,
              "privileged accounts and groups whose security descriptor could not be read"},
    // Level 4.
    fact_spec{"directory.ads.smartcard_expire_passwords", fact_type::boolean,
              "msDS-ExpirePasswordsOnSmartCardOnlyAccounts is TRUE on the domain head"},
    fact_spec{"directory.ads.machine_account_quota", fact_type::integer,
              "ms-DS-MachineAccountQuota of the domain head"},
    fact_spec{"directory.ads.group_loop", fact_type::text_list,
              "group nesting cycles, each as its groups in membership order"},
    fact_spec{"directory.ads.silo_priv", fact_type::text_list,
              "enabled privileged user accounts (not computers, DCs or managed service accounts) "
              "assigned no enforced authentication policy silo"},
    // Needs security descriptors or X.509: always missing.
    fact_spec{"directory.ads.adcs_control", fact_type::text_list,
              "trustees outside the privileged groups that own or control an object of CN=Public "
              "Key Services (certificate authorities, enrollment services, NTAuth, OIDs...)"},
    fact_spec{"directory.ads.adcs_template_control", fact_type::text_list,
              "trustees outside the privileged groups that own or control a certificate template"},
    fact_spec{"directory.ads.adcs_template_auth_enroll_with_name", fact_type::text_list,
              "trustees outside the privileged groups that may enroll in a published template "
              "for client authentication with a subject of their choice (ESC1)"},
    fact_spec{"directory.ads.certificates_vuln", fact_type::text_list,
              "CA certificates of CN=Public Key Services with a DSA key or an RSA key under "
              "1,024 bits"},
    fact_spec{"directory.ads.certificates_vuln_undecodable", fact_type::text_list,
              "cACertificate values of CN=Public Key Services that are not DER certificates"},
    fact_spec{"directory.ads.certificates_vuln_level3", fact_type::text_list,
              "CA certificates of CN=Public Key Services with an RSA key under 2,048 bits, an RSA "
              "exponent under 65,537 or a signature digest other than SHA-2/SHA-3"},
    fact_spec{"directory.ads.permissions_adminsdholder", fact_type::text_list,
              "trustees outside the privileged groups that own or control (GenericAll, "
              "GenericWrite, WriteDacl, WriteOwner, every property) CN=AdminSDHolder"},
    fact_spec{"directory.ads.permissions_dc", fact_type::text_list,
              "trustees outside the privileged groups that own or control a domain controller's "
              "computer object"},
    fact_spec{"directory.ads.permissions_dfsr_sysvol", fact_type::text_list,
              "trustees outside the privileged groups that own or control a DFSR object of the "
              "domain (CN=DFSR-GlobalSettings and the DCs' SYSVOL subscriptions)"},
    fact_spec{"directory.ads.permissions_dpapi", fact_type::text_list,
              "trustees outside the privileged groups that own or control a DPAPI domain backup "
              "key (CN=BCKUPKEY_* secrets of CN=System)"},
    fact_spec{"directory.ads.permissions_gmsa_keys", fact_type::text_list,
              "trustees outside the privileged groups that own or control a KDS root key (gMSA) "
              "or its containers"},
    fact_spec{"directory.ads.permissions_naming_context", fact_type::text_list,
              "trustees outside the privileged groups holding DS-Replication-Get-Changes or "
              "-Get-Changes-All (DCSync) on the domain naming context head, or owning or "
              "controlling it or the heads of the configuration and DNS partitions"},
    fact_spec{"directory.ads.permissions_schema", fact_type::text_list,
              "trustees outside the privileged groups that own or control the schema naming "
              "context head or a schema object"},
    fact_spec{"directory.ads.permissions_msdns", fact_type::text_list,
              "trustees outside the privileged groups and DnsAdmins that own or control "
              "CN=MicrosoftDNS,CN=System"},
    fact_spec{"directory.ads.permissions_gpo_priv", fact_type::text_list,
              "trustees outside the privileged groups that own or control a GPO linked (enabled) "
              "to the domain, a container holding privileged accounts, groups or DCs, or a DC's "
              "site"},
    fact_spec{"directory.ads.privileged_members_perm", fact_type::text_list,
              "trustees outside the privileged set that own or control a privileged account or "
              "group, and the longer control paths onto them (bounded)"},
};

// Facts that no search decides, and why.

// Groups read by SID in stage 3. Builtin ones have a full SID, domain ones a RID.
struct group_def {
  std::string_view key;
  std::string_view builtin_sid;  // "" for domain groups
  std::uint32_t rid;             // domain groups
  bool privileged;
};
constexpr std::array<group_def, 19> kGroups{{
    {"Administrators", "S-1-5-32-544", 0, true},
    {"Account Operators", "S-1-5-32-548", 0, true},
    {"Server Operators", "S-1-5-32-549", 0, true},
    {"Print Operators", "S-1-5-32-550", 0, true},
    {"Backup Operators", "S-1-5-32-551", 0, true},
    {"Domain Admins", "", 512, true},
    {"Domain Controllers", "", 516, true},
    {"Schema Admins", "", 518, true},
    {"Enterprise Admins", "", 519, true},
    {"Key Admins", "", 526, true},
    {"Enterprise Key Admins", "", 527, true},
    {"Pre-Windows 2000 Compatible Access", "S-1-5-32-554", 0, false},
    {"Cert Publishers", "", 517, false},
    {"Group Policy Creator Owners", "", 520, false},
    {"Read-only Domain Controllers", "", 521, false},
    {"Protected Users", "", 525, false},
    {"Allowed RODC Password Replication Group", "", 571, false},
    {"Denied RODC Password Replication Group", "", 572, false},
    {"DnsAdmins", "", 0, false},  // no well-known RID: found by sAMAccountName
}};
constexpr std::uint32_t kPrivilegedPrimaryGroups[] = {512, 516, 518, 519, 526, 527};

constexpr std::int64_t kThreeYearsDays = 3 * 365 + 1;

constexpr int kOwnerGroupDacl = 0x7;  // SD_FLAGS: owner, group, DACL (the SACL needs a privilege)
// Bounds of the control-path walk onto privileged objects: searches after the first step (paths of
// at most 4 steps) and trustees followed per search.
constexpr int kControlPathSearches = 3;
constexpr std::size_t kControlPathWidth = 100;
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kReplicationRights{{
    {kDsReplicationGetChanges, "DS-Replication-Get-Changes"},
    {kDsReplicationGetChangesAll, "DS-Replication-Get-Changes-All"},
}};
// Objects that control points read every security descriptor of, by a search in stage 1: the
// search's name, the fact, and why the fact stays undecided when the search finds no object ("":
// no object, nothing to control).
struct descriptor_scan {
  std::string_view search, fact, if_none;
};
constexpr std::array<descriptor_scan, 5> kDescriptorScans{{
    {"dfsr-sd", "directory.ads.permissions_dfsr_sysvol", ""},
    {"dpapi-sd", "directory.ads.permissions_dpapi",
     "not evaluated: no BCKUPKEY_* secret is visible to the audit account (Active Directory shows "
     "them to administrators only)"},
    {"gmsa-keys-sd", "directory.ads.permissions_gmsa_keys",
     "not evaluated: no KDS root key nor its containers are visible to the audit account"},
    {"adcs-sd", "directory.ads.adcs_control", ""},
    {"templates-sd", "directory.ads.adcs_template_control", ""},
}};
constexpr std::size_t kAdcsScan = 3;
constexpr std::size_t kTemplatesScan = 4;
// Certificate templates (MS-CRTD): the attributes that decide who may request what.
const std::vector<std::string> kTemplateAttributes{"cn",
                                                   "msPKI-Certificate-Name-Flag",
                                                   "msPKI-Enrollment-Flag",
                                                   "msPKI-RA-Signature",
                                                   "pKIExtendedKeyUsage",
                                                   "msPKI-Certificate-Application-Policy"};
constexpr std::int64_t kEnrolleeSuppliesSubject = 0x1;  // msPKI-Certificate-Name-Flag
constexpr std::int64_t kPendAllRequests = 0x2;          // msPKI-Enrollment-Flag: manager approval
// Extended rights on templates (controlAccessRight rightsGuid).
constexpr std::string_view kCertificateEnrollment = "0e10c968-78fb-11d2-90d4-00c04f79dc55";
constexpr std::string_view kCertificateAutoEnrollment = "a05b8cc2-17bc-4802-a710-e7c15ab866a2";
// EKUs a certificate authenticates a client with (TLS client, PKINIT, smart card logon) and "any
// purpose".
constexpr std::array<std::string_view, 4> kAuthenticationEkus{
    "1.3.6.1.5.5.7.3.2", "1.3.6.1.5.2.3.4", "1.3.6.1.4.1.311.20.2.2", "2.5.29.37.0"};
// Read-only DCs replicate the directory (not its secrets) by design: Get-Changes only.
constexpr std::uint32_t kReadOnlyDcGroups[] = {498, 521};

enum class kind {
  rootdse,
  domain_head,
  dsheuristics,
  sites,
  adupdate,
  adminsdholder,
  ntfrs,
  trusts,
  display_specifiers,
  dns_zones,
  groups,
  accounts,
  psos,
  silos,
  membership,  // one member of a watched group, read to resolve nesting (stages 3+)
  primary_members,
  descriptor,       // one object's owner, group and DACL (SD_FLAGS 7): `descriptors`
  descriptor_scan,  // idem for every object a search returns (kDescriptorScans[lookup])
  group_graph,      // groups that are members of a group and have members: `nesting`
  control_path,     // the objects of trustees that control a privileged object: `path_asked`
  schema_objects    // every attributeSchema/classSchema object: `schema_control`
};

// What a watched group's transitive members are collected for.
enum class watch { privileged, protected_users, dnsadmins };

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains_ci(std::string_view text, std::string_view needle) {
  return lower(text).find(lower(needle)) != std::string::npos;
}

std::string date_of(sys_time t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

// The time an account's password was last set: pwdLastSet, else (0: never) its creation.
std::optional<sys_time> password_set(const ldap_entry& e) {
  if (auto t = decode_filetime(e.first("pwdLastSet")))
    return t;
  return decode_generalized_time(e.first("whenCreated"));
}

// The DN part of a DN-Binary value ("B:8:0000000D:CN=..."), or the value itself.
std::string dn_of_dn_binary(std::string_view v) {
  if (v.size() < 2 || v[0] != 'B' || v[1] != ':')
    return std::string(v);
  std::size_t at = 0;
  for (int i = 0; i < 3 && at != std::string_view::npos; ++i)
    at = v.find(':', at + 1);
  return at == std::string_view::npos ? std::string(v) : std::string(v.substr(at + 1));
}

// The host of an SPN "service/host[:port][/name]".
std::string spn_host(std::string_view spn) {
  const auto slash = spn.find('/');
  if (slash == std::string_view::npos)
    return "";
  auto host = spn.substr(slash + 1);
  host = host.substr(0, host.find_first_of(":/"));
  return lower(host);
}

// The largest age seen, and whose it is.
struct oldest {
  std::int64_t days = 0;
  std::string who;
  void update(std::int64_t d, const std::string& name) {
    if (d > days || who.empty()) {
      days = std::max(days, d);
      who = name;
    }
  }
};

struct dc_record {
  std::string name, dn, dns;
  std::uint32_t uac = 0;
  std::string os;
  std::int64_t password_days = 0, inactive_days = 0;
  std::optional<std::int64_t> etypes;
  bool rbcd = false;
  std::vector<std::string> revealed, never_reveal, reveal_on_demand;
};

struct delegation_record {
  std::string name;
  bool protocol_transition = false;
  std::vector<std::string> targets;
};

struct trust_record {
  std::string label;
  std::int64_t direction = 0;
  std::uint32_t attributes = 0;
};

struct privileged_account {
  std::string dn, name;
  std::optional<std::string> sid;
  std::uint32_t uac = 0;
  bool computer = false, msa = false, fsp = false;
  std::optional<std::int64_t> admin_count;
  std::int64_t password_days = 0;
  bool spn = false;
  std::string pso;
  std::string silo;  // lower(DN) of msDS-AssignedAuthNPolicySilo, "" when none
  std::string upn;   // userPrincipalName, "" when none
  std::set<std::string> groups;
  std::optional<security_descriptor> sd;
  bool enabled() const { return !(uac & uac::account_disable); }
  bool dc() const { return uac & (uac::server_trust_account | uac::partial_secrets_account); }
};

struct group_found {
  std::size_t def;
  std::string dn, sid;
  std::vector<std::string> members;
  std::optional<security_descriptor> sd;
};

}  // namespace

struct ads_assessment::state {
  search_log log;
  sys_time now;
  int stage = 0;
  struct current_search {
    kind k;
    std::size_t handle;
    std::size_t lookup = 0;  // membership searches: index into `lookups`
  };
  std::vector<current_search> current;
  // Transitive membership, resolved top down from the watched groups' `member` values: each
  // member is read once per (purpose, watched group); nested groups add their members to the
  // next stage. (The in-chain matching rule costs Samba seconds per group on large directories.)
  struct lookup {
    watch purpose;
    std::string dn;
    std::set<std::size_t> roots;  // indices into `groups` that reach this member
  };
  std::vector<lookup> lookups;                                    // of the current stage
  std::map<std::pair<watch, std::string>, lookup> frontier;       // for the next stage
  std::set<std::tuple<watch, std::string, std::size_t>> reached;  // (purpose, lower dn, root)

  // rootDSE and domain head.
  std::string domain_dn, config_dn, root_dn, schema_dn, dns_name;
  std::vector<std::string> naming_contexts;
  std::optional<std::int64_t> forest_level;
  std::string domain_sid;
  std::optional<std::int64_t> min_pwd_length, max_pwd_age_days, pwd_properties, maq;
  bool smartcard_expire = false;
  // Configuration and system objects.
  std::optional<std::string> dsheuristics;          // set once the entry is read ("" when absent)
  std::map<std::string, std::string> site_servers;  // lower(server DN) -> lower(serverReference)
  std::set<std::string> ntds_parents;  // lower(server DN) holding an nTDSDSA with a version
  std::optional<std::int64_t> adupdate_revision;
  bool adminsdholder_seen = false;
  std::vector<std::string> ntfrs, display_specifiers, zones_domain, zones_all;
  std::vector<trust_record> trusts;
  // Groups and policies.
  std::vector<group_found> groups;
  std::map<std::string, std::pair<std::int64_t, std::optional<std::int64_t>>> psos;
  std::set<std::string> enforced_silos;  // lower(DN) of silos with msDS-AuthNPolicySiloEnforced
  // Accounts.
  bool admin_seen = false, krbtgt_seen = false;
  std::string krbtgt_dn;
  std::int64_t krbtgt_days = 0;
  std::vector<std::string> guest, t4d, deskey, preauth, pgid_1000, pgid_nochange, sidh_present,
      sidh_dangerous, encryption, orphan_krbtgt;
  std::int64_t enabled_users = 0, never_expire = 0, enabled_accounts = 0, dormant = 0;
  oldest servers_password, servers_inactive, clusters, msas, trust_accounts;
  std::vector<dc_record> dcs;
  std::vector<delegation_record> delegations;
  // Privileged set (stage 4).
  std::map<std::string, privileged_account> privileged;  // by lower(DN)
  std::set<std::string> protected_members, dnsadmins_members;
  std::map<std::string, std::string> dnsadmins_names;  // lower(DN) -> name
  // Permissions.
  struct descriptor_read {
    std::string_view search;  // the name of the search that read it ("dc-sd", "msdns-sd", ...)
    std::string dn;
    std::optional<security_descriptor> sd;
  };
  std::vector<descriptor_read> descriptors;
  // Certificate templates (templates-sd) and the ones an enrollment service publishes (adcs-sd).
  struct template_record {
    std::string name;
    std::size_t descriptor;  // index into `descriptors`
    std::int64_t name_flag = 0, enrollment_flag = 0, ra_signatures = 0;
    std::vector<std::string> ekus;
  };
  std::vector<template_record> templates;
  std::map<std::string, std::vector<std::string>> published;  // lower(template cn) -> CA names
  // CA certificates (cACertificate of adcs-sd objects) by certificates_vuln level.
  std::vector<std::string> weak_certificates, undecodable_certificates, level3_certificates;
  // Where privileged objects live, read once the memberships are resolved: the containers above
  // them and the DCs' sites (container-sd), then the GPOs linked there (gpo-sd).
  std::set<std::string> dc_sites;              // DNs of the sites holding a DC's server object
  std::map<std::string, std::string> gplinks;  // lower(DN) -> gPLink, from the descriptor reads
  bool containers_asked = false, gpos_asked = false;
  // Group nesting: lower(DN) of a group -> its DN and lower(DN) of its members (stage 1).
  struct nested_group {
    std::string dn;
    std::vector<std::string> members;
  };
  std::map<std::string, nested_group> nesting;
  std::map<std::string, std::string> names_by_sid;  // accounts and groups read, by SID text
  // Control paths onto privileged objects, walked back one step per stage: the SIDs of trustees
  // controlling a privileged object (then an object on such a path), each with what it
  // controls ("holds GenericAll on CN=..., which holds ..."), and the longer paths found.
  std::map<std::string, std::string> path_frontier, path_asked;
  std::set<std::string> path_seen;
  int path_steps = 0;
  std::vector<std::string> control_paths;
  // Who controls schema objects (owner or any ACE of their DACL, inherited ones included: an
  // inherit-only ACE of the schema head reaches every object), outside the privileged groups known
  // by SID alone: per (trustee, right), the first object and how many objects.
  struct schema_holding {
    std::string first_dn;
    std::size_t objects = 0;
  };
  std::map<std::pair<std::string, std::string>, schema_holding> schema_control;
  std::set<std::string> schema_allowed;  // privileged_group_sids(), once the domain SID is known

  std::string prefix;

  state(std::string p, sys_time t) : log(p), now(t), prefix(std::move(p)) {}

  std::size_t add(kind k, std::string name, ldap_query q, std::size_t lookup_index = 0) {
    const auto h = log.add(std::move(name), std::move(q));
    current.push_back({k, h, lookup_index});
    return h;
  }
  // Queues `member` for the next stage, for the roots it has not been reached from yet.
  void reach(watch purpose, const std::string& member, const std::set<std::size_t>& roots) {
    for (const auto root : roots) {
      if (!reached.insert({purpose, lower(member), root}).second)
        continue;
      auto& l = frontier[{purpose, lower(member)}];
      l.purpose = purpose;
      l.dn = member;
      l.roots.insert(root);
    }
  }
  void on_member(std::size_t h, const lookup& l, const ldap_entry& e);

  // "" for a group without a well-known SID.
  std::string group_sid(const group_def& g) const {
    if (!g.builtin_sid.empty())
      return std::string(g.builtin_sid);
    return g.rid == 0 ? "" : domain_sid + "-" + std::to_string(g.rid);
  }
  const group_found* group(std::string_view key) const {
    for (const auto& g : groups) {
      if (kGroups[g.def].key == key)
        return &g;
    }
    return nullptr;
  }
  std::int64_t age_days(std::optional<sys_time> t) const { return t ? days_between(*t, now) : 0; }

  std::vector<ldap_query> stage_queries();
  void on_entry(const current_search& c, const ldap_entry& e);
  void on_account(std::size_t h, const ldap_entry& e);
  void on_privileged(std::size_t h, const ldap_entry& e, std::string_view group_key);
  void facts(assessment_output& out) const;
  void read_descriptor(std::string_view name, std::string dn) {
    add(kind::descriptor, std::string(name),
        ldap_query{dn,
                   ldap_scope::base,
                   "(objectClass=*)",
                   {"nTSecurityDescriptor", "gPLink"},
                   kOwnerGroupDacl},
        descriptors.size());
    descriptors.push_back({name, std::move(dn), std::nullopt});
  }
  void scan_descriptors(std::size_t scan, std::string base, ldap_scope scope, std::string filter,
                        std::vector<std::string> attributes = {}) {
    attributes.push_back("nTSecurityDescriptor");
    add(kind::descriptor_scan, std::string(kDescriptorScans[scan].search),
        ldap_query{std::move(base), scope, std::move(filter), std::move(attributes),
                   kOwnerGroupDacl},
        scan);
  }
  // The DNS application partitions the rootDSE lists (DomainDnsZones, ForestDnsZones).
  std::vector<std::string> dns_partitions() const {
    std::vector<std::string> out;
    for (auto nc : {"DC=DomainDnsZones," + domain_dn, "DC=ForestDnsZones," + root_dn}) {
      if (std::any_of(naming_contexts.begin(), naming_contexts.end(),
                      [&](const std::string& n) { return same_text(n, nc); }))
        out.push_back(std::move(nc));
    }
    return out;
  }
  // SYSTEM, Enterprise DCs and the privileged groups (by SID); privileged_sids() adds their
  // transitive members.
  std::set<std::string> privileged_group_sids() const;
  std::set<std::string> privileged_sids() const;
  std::string trustee_name(const std::string& sid) const;
  std::vector<std::string> replication_rights_outside(const std::set<std::string>& allowed) const;
  std::vector<std::string> control_outside(std::string_view search,
                                           const std::set<std::string>& allowed) const;
  std::vector<std::string> group_loops() const;
  std::vector<std::string> enroll_with_any_name(const std::set<std::string>& allowed) const;
  std::vector<std::string> privileged_containers() const;
  std::vector<std::string> privileged_gpos() const;
  std::vector<std::string> control_lines(const security_descriptor& sd, const std::string& dn,
                                         const std::set<std::string>& allowed) const;
  void walk_control_paths();
  void on_schema_object(std::size_t h, const ldap_entry& e);
  void on_path_object(std::size_t h, const ldap_entry& e);
};

namespace {

ldap_query query(std::string base, ldap_scope scope, std::string filter,
                 std::vector<std::string> attributes, int sd_flags = 0) {
  return ldap_query{std::move(base), scope, std::move(filter), std::move(attributes), sd_flags};
}

// What `h` holds on the object `dn`: "owns DN" or "holds RIGHT on DN".
std::string control_text(const control_holder& h, const std::string& dn) {
  return (h.right == "owner" ? "owns " : "holds " + h.right + " on ") + dn;
}

// The evidence of a security descriptor: owner, group, who holds the replication rights and who
// controls the object.
std::string describe_rights(const security_descriptor& sd) {
  std::string out =
      "owner: " + sd.owner + "\ngroup: " + sd.group + "\nDACL: " +
      (sd.has_dacl ? std::to_string(sd.dacl.size()) + " ACEs" : "none (every right to everyone)");
  for (const auto& [right, label] : kReplicationRights)
    out += "\n" + std::string(label) +
           " held by: " + join(trustees_with_extended_right(sd, right), ", ");
  std::vector<std::string> control;
  for (const auto& h : trustees_with_control(sd))
    control.push_back(h.trustee + " (" + h.right + ")");
  return out + "\ncontrol held by: " + join(control, ", ");
}

const std::vector<std::string> kAccountAttributes{"sAMAccountName",
                                                  "objectClass",
                                                  "objectSid",
                                                  "userAccountControl",
                                                  "primaryGroupID",
                                                  "pwdLastSet",
                                                  "lastLogonTimestamp",
                                                  "whenCreated",
                                                  "servicePrincipalName",
                                                  "msDS-AllowedToDelegateTo",
                                                  "msDS-AllowedToActOnBehalfOfOtherIdentity",
                                                  "msDS-SupportedEncryptionTypes",
                                                  "operatingSystem",
                                                  "dNSHostName",
                                                  "sIDHistory",
                                                  "msDS-RevealedUsers",
                                                  "msDS-NeverRevealGroup",
                                                  "msDS-RevealOnDemandGroup",
                                                  "msDS-KrbTgtLinkBl"};

const std::vector<std::string> kPrivilegedAttributes{"sAMAccountName",
                                                     "objectClass",
                                                     "objectSid",
                                                     "userAccountControl",
                                                     "pwdLastSet",
                                                     "whenCreated",
                                                     "servicePrincipalName",
                                                     "adminCount",
                                                     "msDS-ResultantPSO",
                                                     "nTSecurityDescriptor",
                                                     "msDS-AssignedAuthNPolicySilo",
                                                     "userPrincipalName"};

}  // namespace

std::vector<ldap_query> ads_assessment::state::stage_queries() {
  // A search that went through without what the next stage needs counts as failed.
  for (const auto& c : current) {
    if (c.k == kind::rootdse && (domain_dn.empty() || config_dn.empty()))
      log.fail(c.handle, "no defaultNamingContext/configurationNamingContext in the rootDSE");
    if (c.k == kind::domain_head && domain_sid.empty())
      log.fail(c.handle, "the domain head has no objectSid");
    if (c.k == kind::descriptor && !descriptors.at(c.lookup).sd)
      log.fail(c.handle, "no readable nTSecurityDescriptor on " + descriptors.at(c.lookup).dn);
    if (c.k == kind::descriptor_scan) {
      for (const auto& d : descriptors) {
        if (d.search == kDescriptorScans[c.lookup].search && !d.sd)
          log.fail(c.handle, "no readable nTSecurityDescriptor on " + d.dn);
      }
    }
  }
  current.clear();
  const int this_stage = stage++;
  if (this_stage == 0) {
    add(kind::rootdse, "rootdse",
        query("", ldap_scope::base, "(objectClass=*)",
              {"defaultNamingContext", "configurationNamingContext", "rootDomainNamingContext",
               "namingContexts", "forestFunctionality", "domainFunctionality", "dnsHostName",
               "schemaNamingContext"}));
  } else if (this_stage == 1 && !domain_dn.empty() && !config_dn.empty()) {
    add(kind::domain_head, "domain",
        query(domain_dn, ldap_scope::base, "(objectClass=*)",
              {"objectSid", "msDS-Behavior-Version", "minPwdLength", "maxPwdAge", "pwdProperties",
               "ms-DS-MachineAccountQuota", "msDS-ExpirePasswordsOnSmartCardOnlyAccounts"}));
    read_descriptor("naming-context-sd", domain_dn);
    read_descriptor("naming-context-sd", config_dn);
    for (const auto& nc : dns_partitions())
      read_descriptor("naming-context-sd", nc);
    read_descriptor("adminsdholder-sd", "CN=AdminSDHolder,CN=System," + domain_dn);
    read_descriptor("schema-sd", schema_dn.empty() ? "CN=Schema," + config_dn : schema_dn);
    const auto system = "CN=System," + domain_dn;
    read_descriptor("msdns-sd", "CN=MicrosoftDNS," + system);
    scan_descriptors(0, domain_dn, ldap_scope::subtree,
                     "(|(objectClass=msDFSR-GlobalSettings)(objectClass=msDFSR-ReplicationGroup)"
                     "(objectClass=msDFSR-Content)(objectClass=msDFSR-ContentSet)"
                     "(objectClass=msDFSR-Topology)(objectClass=msDFSR-Member)"
                     "(objectClass=msDFSR-LocalSettings)(objectClass=msDFSR-Subscriber)"
                     "(objectClass=msDFSR-Subscription))");
    scan_descriptors(1, system, ldap_scope::one_level, "(&(objectClass=secret)(cn=BCKUPKEY_*))");
    const auto pki = "CN=Public Key Services,CN=Services," + config_dn;
    scan_descriptors(kAdcsScan, pki, ldap_scope::subtree, "(!(objectClass=pKICertificateTemplate))",
                     {"objectClass", "cn", "certificateTemplates", "cACertificate"});
    scan_descriptors(kTemplatesScan, "CN=Certificate Templates," + pki, ldap_scope::one_level,
                     "(objectClass=pKICertificateTemplate)", kTemplateAttributes);
    scan_descriptors(2, "CN=Services," + config_dn, ldap_scope::subtree,
                     "(|(objectClass=msKds-ProvRootKey)(cn=Master Root Keys)"
                     "(cn=Group Key Distribution Service))");
    add(kind::silos, "silos",
        query("CN=Services," + config_dn, ldap_scope::subtree, "(objectClass=msDS-AuthNPolicySilo)",
              {"msDS-AuthNPolicySiloEnforced"}));
    add(kind::group_graph, "group-nesting",
        query(domain_dn, ldap_scope::subtree, "(&(objectClass=group)(memberOf=*)(member=*))",
              {"member"}));
    add(kind::dsheuristics, "dsheuristics",
        query("CN=Directory Service,CN=Windows NT,CN=Services," + config_dn, ldap_scope::base,
              "(objectClass=*)", {"dSHeuristics"}));
    add(kind::sites, "sites",
        query("CN=Sites," + config_dn, ldap_scope::subtree,
              "(|(objectClass=server)(objectClass=nTDSDSA))",
              {"objectClass", "serverReference", "msDS-Behavior-Version"}));
    add(kind::adupdate, "adupdate",
        query("CN=ActiveDirectoryUpdate,CN=DomainUpdates,CN=System," + domain_dn, ldap_scope::base,
              "(objectClass=*)", {"revision"}));
    add(kind::adminsdholder, "adminsdholder",
        query("CN=AdminSDHolder,CN=System," + domain_dn, ldap_scope::base, "(objectClass=*)",
              {"cn"}));
    add(kind::ntfrs, "ntfrs",
        query("CN=System," + domain_dn, ldap_scope::subtree, "(objectClass=nTFRSReplicaSet)",
              {"cn"}));
    add(kind::trusts, "trusts",
        query(domain_dn, ldap_scope::subtree, "(objectClass=trustedDomain)",
              {"trustPartner", "flatName", "trustDirection", "trustAttributes", "trustType"}));
    add(kind::display_specifiers, "display-specifiers",
        query("CN=DisplaySpecifiers," + config_dn, ldap_scope::subtree,
              "(|(adminContextMenu=*)(contextMenu=*)(shellContextMenu=*))",
              {"adminContextMenu", "contextMenu", "shellContextMenu"}));
    const std::vector<std::string> zone_attributes{"name", "dNSProperty"};
    add(kind::dns_zones, "dns-zones",
        query("CN=MicrosoftDNS,CN=System," + domain_dn, ldap_scope::subtree,
              "(objectClass=dnsZone)", zone_attributes));
    for (const auto& nc : dns_partitions()) {
      add(kind::dns_zones, "dns-zones",
          query(nc, ldap_scope::subtree, "(objectClass=dnsZone)", zone_attributes));
    }
  } else if (this_stage == 2 && !domain_sid.empty()) {
    std::string filter = "(|";
    for (const auto& g : kGroups) {
      if (!group_sid(g).empty())
        filter += "(objectSid=" + group_sid(g) + ")";
    }
    filter += "(&(objectClass=group)(sAMAccountName=DnsAdmins)))";
    add(kind::groups, "groups",
        query(domain_dn, ldap_scope::subtree, filter,
              {"objectSid", "sAMAccountName", "member", "nTSecurityDescriptor"}, kOwnerGroupDacl));
    add(kind::accounts, "accounts",
        query(domain_dn, ldap_scope::subtree, "(objectClass=user)", kAccountAttributes));
    schema_allowed = privileged_group_sids();
    add(kind::schema_objects, "schema-sd",
        query(schema_dn.empty() ? "CN=Schema," + config_dn : schema_dn, ldap_scope::one_level,
              "(objectClass=*)", {"nTSecurityDescriptor"}, kOwnerGroupDacl));
    add(kind::psos, "psos",
        query("CN=Password Settings Container,CN=System," + domain_dn, ldap_scope::subtree,
              "(objectClass=msDS-PasswordSettings)",
              {"msDS-MinimumPasswordLength", "msDS-MaximumPasswordAge"}));
  } else if (this_stage == 3 && !log.problem("groups")) {
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const auto& def = kGroups[groups[i].def];
      const auto purpose = def.privileged                 ? std::optional(watch::privileged)
                           : def.key == "Protected Users" ? std::optional(watch::protected_users)
                           : def.key == "DnsAdmins"       ? std::optional(watch::dnsadmins)
                                                          : std::nullopt;
      for (const auto& m : purpose ? groups[i].members : std::vector<std::string>{})
        reach(*purpose, m, {i});
    }
    if (!log.problem("accounts")) {
      for (const auto& dc : dcs)
        read_descriptor("dc-sd", dc.dn);
    }
    std::string primary = "(&(objectClass=user)(|";
    for (const auto rid : kPrivilegedPrimaryGroups)
      primary += "(primaryGroupID=" + std::to_string(rid) + ")";
    add(kind::primary_members, "memberships",
        query(domain_dn, ldap_scope::subtree, primary + "))", kPrivilegedAttributes,
              kOwnerGroupDacl));
  }
  lookups.clear();
  if (this_stage >= 3) {
    auto attributes = kPrivilegedAttributes;
    attributes.push_back("member");
    for (auto& [key, l] : frontier) {
      add(kind::membership, "memberships",
          query(l.dn, ldap_scope::base, "(objectClass=*)", attributes, kOwnerGroupDacl),
          lookups.size());
      lookups.push_back(std::move(l));
    }
    frontier.clear();
  }
  if (this_stage >= 4 && current.empty()) {  // memberships resolved
    if (!containers_asked) {
      containers_asked = true;
      for (auto& dn : privileged_containers())
        read_descriptor("container-sd", std::move(dn));
    } else if (!gpos_asked) {
      gpos_asked = true;
      for (auto& dn : privileged_gpos())
        read_descriptor("gpo-sd", std::move(dn));
    }
    walk_control_paths();
  }
  std::vector<ldap_query> out;
  for (const auto& c : current)
    out.push_back(log.query(c.handle));
  return out;
}

void ads_assessment::state::on_entry(const current_search& c, const ldap_entry& e) {
  const auto h = c.handle;
  switch (c.k) {
    case kind::rootdse:
      domain_dn = e.first("defaultNamingContext");
      config_dn = e.first("configurationNamingContext");
      schema_dn = e.first("schemaNamingContext");
      root_dn = e.has("rootDomainNamingContext") ? std::string(e.first("rootDomainNamingContext"))
                                                 : domain_dn;
      naming_contexts = e.values("namingContexts");
      forest_level = int_value(e, "forestFunctionality");
      dns_name = dns_name_of(domain_dn);
      log.note(h, "defaultNamingContext: " + domain_dn + "\nconfigurationNamingContext: " +
                      config_dn + "\nrootDomainNamingContext: " + root_dn +
                      "\nforestFunctionality: " + std::string(e.first("forestFunctionality")) +
                      " (" + functional_level_name(forest_level.value_or(-1)) + ")" +
                      "\ndomainFunctionality: " + std::string(e.first("domainFunctionality")) +
                      "\ndnsHostName: " + std::string(e.first("dnsHostName")));
      return;
    case kind::domain_head: {
      domain_sid = sid_value(e, "objectSid").value_or("");
      min_pwd_length = int_value(e, "minPwdLength");
      max_pwd_age_days = decode_interval_days(e.first("maxPwdAge"));
      pwd_properties = int_value(e, "pwdProperties");
      maq = int_value(e, "ms-DS-MachineAccountQuota");
      smartcard_expire = same_text(e.first("msDS-ExpirePasswordsOnSmartCardOnlyAccounts"), "TRUE");
      log.note(h, "dn: " + e.dn + "\nobjectSid: " + domain_sid +
                      "\nmsDS-Behavior-Version: " + std::string(e.first("msDS-Behavior-Version")) +
                      "\nminPwdLength: " + std::string(e.first("minPwdLength")) +
                      "\nmaxPwdAge: " + std::string(e.first("maxPwdAge")) + " (" +
                      (max_pwd_age_days ? std::to_string(*max_pwd_age_days) + " days" : "never") +
                      ")\npwdProperties: " + std::string(e.first("pwdProperties")) +
                      "\nms-DS-MachineAccountQuota: " +
                      std::string(e.first("ms-DS-MachineAccountQuota")) +
                      "\nmsDS-ExpirePasswordsOnSmartCardOnlyAccounts: " +
                      std::string(e.first("msDS-ExpirePasswordsOnSmartCardOnlyAccounts")));
      return;
    }
    case kind::dsheuristics:
      dsheuristics = std::string(e.first("dSHeuristics"));
      log.note(h, "dn: " + e.dn + "\ndSHeuristics: " +
                      (e.has("dSHeuristics") ? *dsheuristics : "(absent: every default)"));
      return;
    case kind::sites:
      if (has_class(e, "nTDSDSA")) {
        if (e.has("msDS-Behavior-Version")) {
          const auto comma = e.dn.find(',');
          ntds_parents.insert(lower(comma == std::string::npos ? "" : e.dn.substr(comma + 1)));
        }
        log.note(h, "nTDSDSA " + e.dn +
                        " msDS-Behavior-Version=" + std::string(e.first("msDS-Behavior-Version")));
      } else {
        site_servers[lower(e.dn)] = lower(e.first("serverReference"));
        if (const auto servers = parent_dn(e.dn); !servers.empty())
          dc_sites.insert(parent_dn(servers));
        log.note(h,
                 "server " + e.dn + " serverReference=" + std::string(e.first("serverReference")));
      }
      return;
    case kind::adupdate:
      adupdate_revision = int_value(e, "revision");
      log.note(h, "dn: " + e.dn + "\nrevision: " + std::string(e.first("revision")));
      return;
    case kind::adminsdholder:
      adminsdholder_seen = true;
      log.note(h, "dn: " + e.dn);
      return;
    case kind::ntfrs:
      if (same_text(e.first("cn"), "Domain System Volume (SYSVOL share)")) {
        ntfrs.push_back(e.dn);
        log.note(h, "nTFRSReplicaSet " + e.dn);
      }
      return;
    case kind::trusts: {
      trust_record t;
      t.direction = int_value(e, "trustDirection").value_or(0);
      t.attributes = static_cast<std::uint32_t>(int_value(e, "trustAttributes").value_or(0));
      t.label = std::string(e.first("trustPartner")) + " (" + std::string(e.first("flatName")) +
                ", " + trust_direction_name(t.direction) + ", " +
                join(trust_attribute_names(t.attributes), "|") + ")";
      log.note(h, "trustedDomain " + e.dn + ": " + t.label +
                      " trustType=" + std::string(e.first("trustType")));
      trusts.push_back(std::move(t));
      return;
    }
    case kind::display_specifiers:
      for (const auto* a : {"adminContextMenu", "contextMenu", "shellContextMenu"}) {
        for (const auto& v : e.values(a)) {
          if (v.find("\\\\") != std::string::npos && !contains_ci(v, "\\sysvol\\")) {
            display_specifiers.push_back(e.dn + " " + a + ": " + v);
            log.note(h, e.dn + " " + a + ": " + v);
          }
        }
      }
      return;
    case kind::dns_zones: {
      const auto update = dns_zone_allow_update(e.values("dNSProperty"));
      const std::string zone = lower(e.first("name"));
      log.note(h, "dnsZone " + zone + " allow update=" +
                      (update ? std::to_string(*update) : std::string("(absent)")));
      if (update == 1) {
        zones_all.push_back(zone);
        if (zone == dns_name || zone == "_msdcs." + dns_name_of(root_dn))
          zones_domain.push_back(zone);
      }
      return;
    }
    case kind::groups: {
      const auto sid = sid_value(e, "objectSid").value_or("");
      if (!sid.empty())
        names_by_sid[sid] = std::string(e.first("sAMAccountName"));
      for (std::size_t i = 0; i < kGroups.size(); ++i) {
        const auto wanted = group_sid(kGroups[i]);
        if (wanted.empty() ? same_text(e.first("sAMAccountName"), kGroups[i].key) : sid == wanted) {
          groups.push_back({i, e.dn, sid, e.values("member"),
                            parse_security_descriptor(e.first("nTSecurityDescriptor"))});
          log.note(h, std::string(kGroups[i].key) + ": " + e.dn + " " + sid +
                          " members: " + join(e.values("member"), "; "));
          return;
        }
      }
      return;
    }
    case kind::accounts:
      on_account(h, e);
      return;
    case kind::psos: {
      const auto age = decode_interval_days(e.first("msDS-MaximumPasswordAge"));
      psos[lower(e.dn)] = {int_value(e, "msDS-MinimumPasswordLength").value_or(0), age};
      log.note(h,
               "PSO " + e.dn + " msDS-MinimumPasswordLength=" +
                   std::string(e.first("msDS-MinimumPasswordLength")) +
                   " msDS-MaximumPasswordAge=" + (age ? std::to_string(*age) + " days" : "never"));
      return;
    }
    case kind::membership:
      on_member(h, lookups.at(c.lookup), e);
      return;
    case kind::silos:
      if (same_text(e.first("msDS-AuthNPolicySiloEnforced"), "TRUE"))
        enforced_silos.insert(lower(e.dn));
      log.note(h, "silo " + e.dn + " msDS-AuthNPolicySiloEnforced=" +
                      std::string(e.first("msDS-AuthNPolicySiloEnforced")));
      return;
    case kind::primary_members:
      on_privileged(h, e, "primaryGroupID " + std::string(e.first("primaryGroupID")));
      return;
    case kind::descriptor:
    case kind::descriptor_scan: {
      if (c.k == kind::descriptor_scan)
        descriptors.push_back({kDescriptorScans[c.lookup].search, e.dn, std::nullopt});
      if (c.k == kind::descriptor_scan && c.lookup == kTemplatesScan) {
        templates.push_back({std::string(e.first("cn")), descriptors.size() - 1,
                             int_value(e, "msPKI-Certificate-Name-Flag").value_or(0),
                             int_value(e, "msPKI-Enrollment-Flag").value_or(0),
                             int_value(e, "msPKI-RA-Signature").value_or(0),
                             e.values("pKIExtendedKeyUsage")});
        for (const auto& policy : e.values("msPKI-Certificate-Application-Policy"))
          templates.back().ekus.push_back(policy);
      }
      for (const auto& der :
           c.k == kind::descriptor_scan ? e.values("cACertificate") : std::vector<std::string>{}) {
        const auto judged = judge_ca_certificate(der);
        if (!judged) {
          undecodable_certificates.push_back(e.dn);
          continue;
        }
        for (const auto& [found, list] : {std::pair{&judged->level1, &weak_certificates},
                                          std::pair{&judged->level3, &level3_certificates}}) {
          for (const auto& why : *found)
            list->push_back(judged->subject + " (in " + e.dn + "): " + why);
        }
      }
      if (c.k == kind::descriptor_scan && has_class(e, "pKIEnrollmentService")) {
        for (const auto& t : e.values("certificateTemplates"))
          published[lower(t)].push_back(std::string(e.first("cn")));
      }
      auto& read = c.k == kind::descriptor ? descriptors.at(c.lookup) : descriptors.back();
      read.sd = parse_security_descriptor(e.first("nTSecurityDescriptor"));
      if (e.has("gPLink"))
        gplinks[lower(e.dn)] = e.first("gPLink");
      log.note(h, "dn: " + e.dn + "\n" +
                      (read.sd ? describe_rights(*read.sd)
                               : "nTSecurityDescriptor: absent or malformed (" +
                                     std::to_string(e.first("nTSecurityDescriptor").size()) +
                                     " bytes)"));
      return;
    }
    case kind::control_path:
      on_path_object(h, e);
      return;
    case kind::schema_objects:
      on_schema_object(h, e);
      return;
    case kind::group_graph: {
      auto& node = nesting[lower(e.dn)];
      node.dn = e.dn;
      for (const auto& m : e.values("member"))
        node.members.push_back(lower(m));
      return;
    }
  }
}

void ads_assessment::state::on_member(std::size_t h, const lookup& l, const ldap_entry& e) {
  if (has_class(e, "group")) {  // nested: its members are read in the next stage
    for (const auto& m : e.values("member"))
      reach(l.purpose, m, l.roots);
    log.note(
        h, "nested group " + e.dn + " (" + std::to_string(e.values("member").size()) + " members)");
    return;
  }
  for (const auto root : l.roots) {
    const auto key = kGroups[groups[root].def].key;
    switch (l.purpose) {
      case watch::privileged:
        on_privileged(h, e, key);
        break;
      case watch::protected_users:
        protected_members.insert(lower(e.dn));
        log.note(h, std::string(key) + ": " + e.dn);
        break;
      case watch::dnsadmins:
        dnsadmins_members.insert(lower(e.dn));
        dnsadmins_names[lower(e.dn)] = display_name(e);
        log.note(h, std::string(key) + ": " + e.dn);
        break;
    }
  }
}

void ads_assessment::state::on_account(std::size_t h, const ldap_entry& e) {
  const auto u = uac_of(e);
  const bool enabled = !(u & uac::account_disable);
  const bool computer = has_class(e, "computer");
  const bool dc = u & (uac::server_trust_account | uac::partial_secrets_account);
  const bool trust_account = u & uac::interdomain_trust_account;
  const bool msa =
      has_class(e, "msDS-GroupManagedServiceAccount") || has_class(e, "msDS-ManagedServiceAccount");
  const auto sid = sid_value(e, "objectSid").value_or("");
  // 0 for accounts of another domain.
  const std::uint32_t rid = sid_domain(sid) == domain_sid ? sid_rid(sid).value_or(0) : 0;
  const auto name = display_name(e);
  if (!sid.empty())
    names_by_sid[sid] = name;
  const auto created = decode_generalized_time(e.first("whenCreated"));
  const auto last_logon = decode_filetime(e.first("lastLogonTimestamp"));
  const auto password_days = age_days(password_set(e));
  const auto inactive_days = age_days(last_logon ? last_logon : created);
  const auto pgid = int_value(e, "primaryGroupID").value_or(0);
  const auto etypes = int_value(e, "msDS-SupportedEncryptionTypes");
  const bool has_spn = e.has("servicePrincipalName");
  const auto flags = join(uac_flag_names(u), "|");
  std::vector<std::string> why;  // what makes this entry worth keeping in the evidence

  if (rid == 500)
    admin_seen = true;
  if (rid == 502) {
    krbtgt_seen = true;
    krbtgt_dn = lower(e.dn);
    krbtgt_days = password_days;
    why.push_back("krbtgt password age " + std::to_string(password_days) + " d");
  }
  if (rid == 501 && enabled) {
    guest.push_back(name);
    why.push_back("guest enabled");
  }
  const auto flag = [&](std::vector<std::string>& list, std::string label) {
    list.push_back(name);
    why.push_back(std::move(label));
  };
  if (enabled && !trust_account) {
    ++enabled_accounts;
    const auto dormant_logon =
        last_logon ? days_between(*last_logon, now) > 365 : age_days(created) > 365;
    if (password_days > kThreeYearsDays && dormant_logon) {
      ++dormant;
      why.push_back("dormant");
    }
    if (!computer) {
      ++enabled_users;
      if (u & uac::dont_expire_password) {
        ++never_expire;
        why.push_back("password never expires");
      }
    }
    if ((u & uac::trusted_for_delegation) && !dc)
      flag(t4d, "unconstrained delegation");
    if (u & uac::use_des_key_only)
      flag(deskey, "DES only");
    if (u & uac::dont_req_preauth)
      flag(preauth, "no Kerberos pre-authentication");
    if (e.has("msDS-AllowedToDelegateTo") && !dc) {
      delegations.push_back({name, (u & uac::trusted_to_auth_for_delegation) != 0,
                             e.values("msDS-AllowedToDelegateTo")});
      why.push_back("constrained delegation to " + join(e.values("msDS-AllowedToDelegateTo")));
    }
    if (!computer && has_spn && rid != 502 && (!etypes || !(*etypes & 0x18)))
      flag(encryption, "service account without AES");
    if (computer && !dc && contains_ci(e.first("operatingSystem"), "server")) {
      servers_password.update(password_days, name);
      servers_inactive.update(inactive_days, name);
    }
    if (msa)
      msas.update(password_days, name);
  }
  if (trust_account)
    trust_accounts.update(password_days, name);
  const auto& spns = e.values("servicePrincipalName");
  if (computer && std::any_of(spns.begin(), spns.end(), [](const std::string& s) {
        return contains_ci(s.substr(0, s.find('/')), "MSClusterVirtualServer");
      }))
    clusters.update(password_days, name);
  // Primary group: the default is 513 for users (514 for Guest), 515 for computers, 516 for DCs
  // and 521 for RODCs.
  const std::int64_t expected = (u & uac::partial_secrets_account) ? 521
                                : (u & uac::server_trust_account)  ? 516
                                : computer                         ? 515
                                : rid == 501                       ? 514
                                                                   : 513;
  if (pgid != expected) {
    const std::string label = name + " (primaryGroupID " + std::to_string(pgid) + ")";
    pgid_nochange.push_back(label);
    why.push_back("primaryGroupID " + std::to_string(pgid));
    static constexpr std::int64_t kDefaults[] = {513, 514, 515, 516, 521};
    if (pgid < 1000 &&
        std::find(std::begin(kDefaults), std::end(kDefaults), pgid) == std::end(kDefaults))
      pgid_1000.push_back(label);
  }
  for (const auto& raw : e.values("sIDHistory")) {
    const auto old = decode_sid(raw).value_or("(undecodable)");
    sidh_present.push_back(name + " (" + old + ")");
    const auto old_rid = sid_rid(old);
    if (old.rfind("S-1-5-32-", 0) == 0 || old.rfind("S-1-5-21-", 0) != 0 || !old_rid ||
        *old_rid < 1000)
      sidh_dangerous.push_back(name + " (" + old + ")");
    why.push_back("sIDHistory " + old);
  }
  if (lower(name).rfind("krbtgt_", 0) == 0 && !e.has("msDS-KrbTgtLinkBl"))
    flag(orphan_krbtgt, "krbtgt_ account linked to no RODC");
  if (dc) {
    dc_record d;
    d.name = name;
    d.dn = e.dn;
    d.dns = lower(e.first("dNSHostName"));
    d.uac = u;
    d.os = e.first("operatingSystem");
    d.password_days = password_days;
    d.inactive_days = inactive_days;
    d.etypes = etypes;
    d.rbcd = e.has("msDS-AllowedToActOnBehalfOfOtherIdentity");
    for (const auto& v : e.values("msDS-RevealedUsers"))
      d.revealed.push_back(lower(dn_of_dn_binary(v)));
    for (const auto& v : e.values("msDS-NeverRevealGroup"))
      d.never_reveal.push_back(lower(v));
    for (const auto& v : e.values("msDS-RevealOnDemandGroup"))
      d.reveal_on_demand.push_back(lower(v));
    dcs.push_back(std::move(d));
    why.push_back("domain controller, operatingSystem " + std::string(e.first("operatingSystem")) +
                  ", msDS-SupportedEncryptionTypes " +
                  std::string(e.first("msDS-SupportedEncryptionTypes")) + ", last logon " +
                  (last_logon ? date_of(*last_logon) : std::string("never")));
  }
  if (!why.empty()) {
    log.note(h, e.dn + "\n  sAMAccountName=" + name + " objectSid=" + sid + " userAccountControl=" +
                    std::to_string(u) + " (" + flags + ")" + "\n  pwdLastSet=" +
                    (decode_filetime(e.first("pwdLastSet"))
                         ? date_of(*decode_filetime(e.first("pwdLastSet")))
                         : std::string("never")) +
                    " (" + std::to_string(password_days) + " d) whenCreated=" +
                    std::string(e.first("whenCreated")) + "\n  -> " + join(why, "; "));
  }
}

void ads_assessment::state::on_privileged(std::size_t h, const ldap_entry& e,
                                          std::string_view group_key) {
  auto& a = privileged[lower(e.dn)];
  if (a.dn.empty()) {
    a.dn = e.dn;
    a.name = display_name(e);
    a.sid = sid_value(e, "objectSid");
    a.uac = uac_of(e);
    a.computer = has_class(e, "computer");
    a.msa = has_class(e, "msDS-GroupManagedServiceAccount") ||
            has_class(e, "msDS-ManagedServiceAccount");
    a.fsp = has_class(e, "foreignSecurityPrincipal");
    a.admin_count = int_value(e, "adminCount");
    a.password_days = age_days(password_set(e));
    a.spn = e.has("servicePrincipalName");
    a.pso = lower(e.first("msDS-ResultantPSO"));
    a.silo = lower(e.first("msDS-AssignedAuthNPolicySilo"));
    a.upn = e.first("userPrincipalName");
    a.sd = parse_security_descriptor(e.first("nTSecurityDescriptor"));
  }
  a.groups.insert(std::string(group_key));
  log.note(h, std::string(group_key) + ": " + e.dn + "\n  sAMAccountName=" + a.name +
                  " userAccountControl=" + std::to_string(a.uac) + " (" +
                  join(uac_flag_names(a.uac), "|") + ") password age " +
                  std::to_string(a.password_days) + " d adminCount=" +
                  (a.admin_count ? std::to_string(*a.admin_count) : std::string("(absent)")) +
                  (a.spn ? " servicePrincipalName=" + join(e.values("servicePrincipalName"))
                         : std::string()) +
                  (a.pso.empty() ? std::string() : " msDS-ResultantPSO=" + a.pso));
}

void ads_assessment::state::facts(assessment_output& out) const {
  const auto put = [&](std::string_view name, json value,
                       std::initializer_list<std::string_view> sources) {
    put_directory_fact(out, log, name, std::move(value), sources);
  };
  // Integer measures name the account they come from in one more evidence item.
  const auto measures_id = prefix + "/measures";
  std::string measures;
  const auto measured = [&](std::string_view name, const oldest& o,
                            std::initializer_list<std::string_view> sources) {
    put(name, o.days, sources);
    auto& f = out.facts[std::string(name)];
    if (f.value && !o.who.empty()) {
      measures += std::string(name) + " = " + std::to_string(o.days) + " (" + o.who + ")\n";
      f.evidence.push_back(measures_id);
    }
  };
  const auto percent = [](std::int64_t part, std::int64_t whole) {
    return whole == 0 ? std::int64_t{0} : (100 * part + whole - 1) / whole;  // rounded up
  };

  // Configuration and domain-wide settings.
  std::vector<std::string> heuristics1, heuristics2;
  if (dsheuristics) {
    const auto at = [&](std::size_t p) { return dsheuristics_char(*dsheuristics, p); };
    const auto report = [&](std::vector<std::string>& list, std::size_t p, std::string_view what) {
      list.push_back(std::string(what) + " (character " + std::to_string(p) + ") = " + at(p));
    };
    if (at(8) != '0')
      report(heuristics1, 8, "fAllowAnonNSPI");
    if (at(16) != '0')
      report(heuristics1, 16, "dwAdminSDExMask");
    if (at(7) == '2')
      report(heuristics2, 7, "fLDAPBlockAnonOps");
    if (at(21) != '0')
      report(heuristics2, 21, "DoNotVerifyUPNAndOrSPNUniqueness");
    if (at(28) == '2')
      report(heuristics2, 28, "LDAPAddAuthZVerifications");
    if (at(29) == '2')
      report(heuristics2, 29, "BlockOwnerImplicitRights");
  }
  put("directory.ads.dsheuristics_bad", heuristics1, {"dsheuristics"});
  put("directory.ads.dsheuristics_bad_level2", heuristics2, {"dsheuristics"});
  if (forest_level)
    put("directory.ads.functional_level", *forest_level, {"rootdse"});
  else
    out.facts["directory.ads.functional_level"] =
        fact::missing("the rootDSE has no forestFunctionality", {log.evidence_id("rootdse")});
  if (adupdate_revision)
    put("directory.ads.adupdate_revision", *adupdate_revision, {"adupdate"});
  else
    out.facts["directory.ads.adupdate_revision"] =
        fact::missing(log.problem("adupdate").value_or("CN=ActiveDirectoryUpdate has no revision"),
                      {log.evidence_id("adupdate")});
  std::vector<std::string> cleartext;
  if (pwd_properties && (*pwd_properties & 0x10))
    cleartext.push_back("pwdProperties " + std::to_string(*pwd_properties) +
                        " has DOMAIN_PASSWORD_STORE_CLEARTEXT");
  put("directory.ads.reversible_password_priv_namingcontext", cleartext, {"domain"});
  put("directory.ads.smartcard_expire_passwords", smartcard_expire, {"domain"});
  if (maq)
    put("directory.ads.machine_account_quota", *maq, {"domain"});
  else
    out.facts["directory.ads.machine_account_quota"] = fact::missing(
        log.problem("domain").value_or("the domain head has no ms-DS-MachineAccountQuota"),
        {log.evidence_id("domain")});
  put("directory.ads.sysvol_ntfrs", ntfrs, {"ntfrs"});
  put("directory.ads.display_specifier", display_specifiers, {"display-specifiers"});
  put("directory.ads.dnszone_bad_prop", zones_domain, {"dns-zones"});
  put("directory.ads.dnszone_bad_prop_all", zones_all, {"dns-zones"});

  // Trusts.
  std::vector<std::string> notfiltered, forest_sidhistory, tgt_deleg;
  for (const auto& t : trusts) {
    const auto a = t.attributes;
    if ((t.direction & 2) && !(a & trust_attr::within_forest) &&
        !(a & trust_attr::forest_transitive) && !(a & trust_attr::quarantined_domain))
      notfiltered.push_back(t.label);
    if ((t.direction & 2) && (a & trust_attr::forest_transitive) &&
        (a & trust_attr::treat_as_external))
      forest_sidhistory.push_back(t.label);
    if ((t.direction & 1) && (a & trust_attr::forest_transitive) &&
        (a & trust_attr::cross_organization_enable_tgt_delegation) &&
        !(a & trust_attr::cross_organization_no_tgt_delegation))
      tgt_deleg.push_back(t.label);
  }
  put("directory.ads.trusts_domain_notfiltered", notfiltered, {"trusts"});
  put("directory.ads.trusts_forest_sidhistory", forest_sidhistory, {"trusts"});
  put("directory.ads.trusts_tgt_deleg", tgt_deleg, {"trusts"});

  // Accounts.
  put("directory.ads.guest", guest, {"accounts"});
  put("directory.ads.delegation_t4d", t4d, {"accounts"});
  put("directory.ads.kerberos_properties_deskey", deskey, {"accounts"});
  put("directory.ads.kerberos_properties_preauth", preauth, {"accounts"});
  put("directory.ads.kerberos_properties_encryption", encryption, {"accounts"});
  put("directory.ads.primary_group_id_1000", pgid_1000, {"accounts"});
  put("directory.ads.primary_group_id_nochange", pgid_nochange, {"accounts"});
  put("directory.ads.sidhistory_present", sidh_present, {"accounts"});
  put("directory.ads.sidhistory_dangerous", sidh_dangerous, {"accounts"});
  put("directory.ads.rodc_orphan_krbtgt", orphan_krbtgt, {"accounts"});
  put("directory.ads.dont_expire_percent", percent(never_expire, enabled_users), {"accounts"});
  put("directory.ads.dormant_accounts_percent", percent(dormant, enabled_accounts), {"accounts"});
  measured("directory.ads.server_password_max_age_days", servers_password, {"accounts"});
  measured("directory.ads.server_max_inactive_days", servers_inactive, {"accounts"});
  measured("directory.ads.cluster_password_max_age_days", clusters, {"accounts"});
  measured("directory.ads.msa_password_max_age_days", msas, {"accounts"});
  measured("directory.ads.trust_account_password_max_age_days", trust_accounts, {"accounts"});
  if (krbtgt_seen)
    put("directory.ads.krbtgt_password_age_days", krbtgt_days, {"accounts"});
  else
    out.facts["directory.ads.krbtgt_password_age_days"] =
        fact::missing(log.problem("accounts").value_or("no krbtgt account (RID 502) was returned"),
                      {log.evidence_id("accounts")});

  // Domain controllers.
  std::vector<std::string> inconsistent, obsolete, sourcedeleg, des, no_aes, a2d2, t2a4d;
  oldest dc_password, dc_inactive;
  for (const auto& d : dcs) {
    const bool rodc = d.uac & uac::partial_secrets_account;
    const std::uint32_t must = rodc ? 0x5001000 : 0x82000;
    bool registered = false;
    for (const auto& [server, reference] : site_servers)
      registered = registered || (reference == lower(d.dn) && ntds_parents.count(server));
    if ((d.uac & must) != must)
      inconsistent.push_back(d.name + " (userAccountControl " + std::to_string(d.uac) + ")");
    else if (!registered)
      inconsistent.push_back(d.name + " (no server object with an nTDSDSA in CN=Sites)");
    static constexpr std::string_view kEndOfLife[] = {"Windows NT", "2000", "2003", "2008", "2012"};
    if (contains_ci(d.os, "windows") &&
        std::any_of(std::begin(kEndOfLife), std::end(kEndOfLife),
                    [&](std::string_view v) { return contains_ci(d.os, v); }))
      obsolete.push_back(d.name + " (" + d.os + ")");
    if (d.rbcd)
      sourcedeleg.push_back(d.name);
    if (d.etypes && (*d.etypes & 0x3))
      des.push_back(d.name + " (msDS-SupportedEncryptionTypes " + std::to_string(*d.etypes) + ")");
    if (!d.etypes || !(*d.etypes & 0x18))
      no_aes.push_back(d.name);
    dc_password.update(d.password_days, d.name);
    dc_inactive.update(d.inactive_days, d.name);
  }
  for (const auto& del : delegations) {
    for (const auto& target : del.targets) {
      const auto host = spn_host(target);
      const bool to_dc = lower(target.substr(0, target.find('/'))) == "krbtgt" ||
                         std::any_of(dcs.begin(), dcs.end(), [&](const dc_record& d) {
                           auto short_name = lower(d.name);
                           if (!short_name.empty() && short_name.back() == '$')
                             short_name.pop_back();
                           return host == d.dns || host == short_name;
                         });
      if (!to_dc)
        continue;
      a2d2.push_back(del.name + " -> " + target);
      if (del.protocol_transition)
        t2a4d.push_back(del.name + " -> " + target);
    }
  }
  put("directory.ads.dc_inconsistent_uac", inconsistent, {"accounts", "sites"});
  put("directory.ads.dc_obsolete", obsolete, {"accounts"});
  put("directory.ads.delegation_sourcedeleg", sourcedeleg, {"accounts"});
  put("directory.ads.delegation_a2d2", a2d2, {"accounts"});
  put("directory.ads.delegation_t2a4d", t2a4d, {"accounts"});
  put("directory.ads.dc_crypto_des", des, {"accounts"});
  put("directory.ads.dc_crypto_no_aes", no_aes, {"accounts"});
  measured("directory.ads.dc_password_max_age_days", dc_password, {"accounts"});
  measured("directory.ads.dc_max_inactive_days", dc_inactive, {"accounts"});

  // Groups read directly.
  const auto members_of = [&](std::string_view key) {
    const auto* g = group(key);
    return g ? g->members : std::vector<std::string>{};
  };
  std::vector<std::string> anonymous, not_default;
  for (const auto& m : members_of("Pre-Windows 2000 Compatible Access")) {
    const auto rdn = first_rdn_value(m);
    if (rdn == "S-1-5-7")
      anonymous.push_back(m);
    if (rdn != "S-1-5-11")
      not_default.push_back(m);
  }
  put("directory.ads.compatible_2000_anonymous", anonymous, {"groups"});
  put("directory.ads.compatible_2000_not_default", not_default, {"groups"});
  put("directory.ads.rodc_allowed_group", members_of("Allowed RODC Password Replication Group"),
      {"groups"});
  std::vector<std::string> denied_missing;
  {
    std::set<std::string> denied;
    for (const auto& m : members_of("Denied RODC Password Replication Group"))
      denied.insert(lower(m));
    for (const auto* key :
         {"Domain Controllers", "Read-only Domain Controllers", "Group Policy Creator Owners",
          "Domain Admins", "Cert Publishers", "Enterprise Admins", "Schema Admins"}) {
      const auto* g = group(key);
      if (g && !denied.count(lower(g->dn)))
        denied_missing.push_back(key);
    }
    if (krbtgt_seen && !denied.count(krbtgt_dn))
      denied_missing.push_back("krbtgt");
  }
  put("directory.ads.rodc_denied_group", denied_missing, {"groups", "accounts"});
  std::vector<std::string> never_reveal, reveal;
  for (const auto& d : dcs) {
    if (!(d.uac & uac::partial_secrets_account))
      continue;
    for (const auto* key : {"Administrators", "Server Operators", "Account Operators",
                            "Backup Operators", "Denied RODC Password Replication Group"}) {
      const auto* g = group(key);
      if (g && std::find(d.never_reveal.begin(), d.never_reveal.end(), lower(g->dn)) ==
                   d.never_reveal.end())
        never_reveal.push_back(d.name + " lacks " + key);
    }
    for (const auto& g : groups) {
      if (std::find(d.reveal_on_demand.begin(), d.reveal_on_demand.end(), lower(g.dn)) !=
              d.reveal_on_demand.end() &&
          kGroups[g.def].key != "DnsAdmins" &&
          kGroups[g.def].key != "Allowed RODC Password Replication Group")
        reveal.push_back(d.name + " reveals " + std::string(kGroups[g.def].key));
    }
  }
  put("directory.ads.rodc_never_reveal", never_reveal, {"accounts", "groups"});
  put("directory.ads.rodc_reveal", reveal, {"accounts", "groups"});

  // Critical objects.
  std::vector<std::string> critical;
  if (!adminsdholder_seen)
    critical.push_back("CN=AdminSDHolder (" +
                       log.problem("adminsdholder").value_or("not returned") + ")");
  if (!admin_seen)
    critical.push_back("Administrator (RID 500)");
  if (!krbtgt_seen)
    critical.push_back("krbtgt (RID 502)");
  std::vector<std::string_view> critical_groups{"Domain Admins"};
  if (same_text(domain_dn, root_dn)) {
    critical_groups.push_back("Schema Admins");
    critical_groups.push_back("Enterprise Admins");
  }
  for (const auto key : critical_groups) {
    if (!group(key))
      critical.push_back(std::string(key));
  }
  put("directory.ads.critical_objects", critical, {"accounts", "groups"});

  // The privileged set.
  std::int64_t count = 0;
  oldest oldest_password;
  std::vector<std::string> dont_expire, preauth_priv, spn, weak_policy, no_admincount,
      not_protected, reversible, revealed, dnsadmins, unsiloed;
  for (const auto& [key, a] : privileged) {
    const bool rid500 = a.sid && sid_rid(*a.sid) == 500 && sid_domain(*a.sid) == domain_sid;
    if (!rid500 && !a.dc())
      ++count;
    for (const auto& d : dcs) {
      if (std::find(d.revealed.begin(), d.revealed.end(), key) != d.revealed.end())
        revealed.push_back(a.name + " on " + d.name);
    }
    if (a.fsp || a.dc())
      continue;
    if (!a.admin_count || *a.admin_count != 1)
      no_admincount.push_back(a.name);
    if (a.uac & uac::encrypted_text_password_allowed)
      reversible.push_back(a.name);
    if (!a.enabled())
      continue;
    oldest_password.update(a.password_days, a.name);
    if (a.uac & uac::dont_expire_password)
      dont_expire.push_back(a.name);
    if (a.uac & uac::dont_req_preauth)
      preauth_priv.push_back(a.name);
    if (a.spn && !a.computer && !a.msa)
      spn.push_back(a.name);
    if (!a.computer && !a.msa && !protected_members.count(key))
      not_protected.push_back(a.name);
    if (!a.computer && !a.msa && !enforced_silos.count(a.silo))
      unsiloed.push_back(a.name);
    std::string policy = "domain policy";
    auto length = min_pwd_length.value_or(0);
    auto age = max_pwd_age_days;
    if (const auto it = psos.find(a.pso); !a.pso.empty() && it != psos.end()) {
      policy = "PSO " + a.pso;
      length = it->second.first;
      age = it->second.second;
    } else if (!a.pso.empty()) {
      policy = "PSO " + a.pso + " (unreadable, domain policy assumed)";
    }
    if (length < 8 || !age || *age > kThreeYearsDays)
      weak_policy.push_back(a.name + " (" + policy + ": minimum length " + std::to_string(length) +
                            ", maximum age " + (age ? std::to_string(*age) + " d" : "none") + ")");
  }
  for (const auto& key : dnsadmins_members) {
    if (!privileged.count(key))
      dnsadmins.push_back(dnsadmins_names.at(key));
  }
  const std::initializer_list<std::string_view> priv{"groups", "memberships"};
  put("directory.ads.privileged_members_count", count, priv);
  measured("directory.ads.privileged_password_max_age_days", oldest_password, priv);
  put("directory.ads.dont_expire_priv", dont_expire, priv);
  put("directory.ads.kerberos_properties_preauth_priv", preauth_priv, priv);
  put("directory.ads.spn_priv", spn, priv);
  put("directory.ads.privileged_members_password", weak_policy,
      {"groups", "memberships", "domain", "psos"});
  put("directory.ads.privileged_members_no_admincount", no_admincount, priv);
  put("directory.ads.reversible_password_priv_uac", reversible, priv);
  put("directory.ads.silo_priv", unsiloed, {"groups", "memberships", "silos"});
  put("directory.ads.rodc_priv_revealed", revealed, {"groups", "memberships", "accounts"});
  if (group("Protected Users"))
    put("directory.ads.protected_users", not_protected, {"groups", "memberships"});
  else  // a domain older than 2012 R2 has no Protected Users: nobody is in it
    put("directory.ads.protected_users", not_protected, priv);
  if (group("DnsAdmins"))
    put("directory.ads.dnsadmins", dnsadmins, {"groups", "memberships"});
  else
    put("directory.ads.dnsadmins", json::array(), {"groups"});

  // The permission controls, against one set of privileged SIDs. Privileged accounts and groups:
  // who controls them (one step), who owns them, and those whose descriptor could not be read.
  const auto allowed = privileged_sids();
  const std::set<std::string> admin_owners{domain_sid + "-512", domain_sid + "-519", "S-1-5-32-544",
                                           "S-1-5-18"};
  std::vector<std::string> controlled, owned, unread;
  const auto judge = [&](const std::string& dn, const std::string& name,
                         const std::optional<security_descriptor>& sd) {
    if (!sd) {
      unread.push_back(name + " (" + dn + ")");
      return;
    }
    for (auto& line : control_lines(*sd, dn, allowed))
      controlled.push_back(std::move(line));
    if (!admin_owners.count(sd->owner))
      owned.push_back(dn + " is owned by " +
                      (sd->owner.empty() ? "nobody" : trustee_name(sd->owner)));
  };
  for (const auto& g : groups) {
    if (kGroups[g.def].privileged)
      judge(g.dn, std::string(kGroups[g.def].key), g.sd);
  }
  for (const auto& [key, a] : privileged) {
    if (!a.fsp)
      judge(a.dn, a.name, a.sd);
  }
  // The walk runs only when a first step exists (the control fails already): a failed walk search
  // leaves the longer paths out, never the finding; its evidence says why.
  controlled.insert(controlled.end(), control_paths.begin(), control_paths.end());
  put("directory.ads.privileged_members_perm", controlled, priv);
  if (auto& f = out.facts["directory.ads.privileged_members_perm"]; f.value && path_steps > 0)
    f.evidence.push_back(log.evidence_id("control-paths"));
  put("directory.ads.owner", owned, priv);
  put("directory.ads.sd_failed_sd_read_on_priv", unread, priv);

  auto naming_context = replication_rights_outside(allowed);
  for (auto& line : control_outside("naming-context-sd", allowed))
    naming_context.push_back(std::move(line));
  put("directory.ads.permissions_naming_context", naming_context,
      {"naming-context-sd", "groups", "memberships"});
  put("directory.ads.permissions_adminsdholder", control_outside("adminsdholder-sd", allowed),
      {"adminsdholder-sd", "groups", "memberships"});
  auto schema = control_outside("schema-sd", allowed);
  for (const auto& [held_by, held] : schema_control) {
    if (!allowed.count(held_by.first))
      schema.push_back(trustee_name(held_by.first) + " " +
                       control_text({held_by.first, held_by.second}, held.first_dn) +
                       (held.objects > 1
                            ? " (+" + std::to_string(held.objects - 1) + " more schema objects)"
                            : ""));
  }
  put("directory.ads.permissions_schema", schema, {"schema-sd", "groups", "memberships"});
  // DnsAdmins may administer DNS by design; who is in it is the dnsadmins control.
  auto dns_allowed = allowed;
  if (const auto* g = group("DnsAdmins"); g && !g->sid.empty())
    dns_allowed.insert(g->sid);
  put("directory.ads.permissions_msdns", control_outside("msdns-sd", dns_allowed),
      {"msdns-sd", "groups", "memberships"});
  // Whoever controls DnsAdmins can join it (the group itself is read in the groups search).
  if (const auto* g = group("DnsAdmins"); g && !g->sd)
    out.facts["directory.ads.dnsadmins_permissions"] =
        fact::missing("no readable nTSecurityDescriptor on " + g->dn, {log.evidence_id("groups")});
  else
    put("directory.ads.dnsadmins_permissions",
        g ? control_lines(*g->sd, g->dn, allowed) : std::vector<std::string>{},
        {"groups", "memberships"});
  for (const auto& scan : kDescriptorScans) {
    const bool found =
        std::any_of(descriptors.begin(), descriptors.end(),
                    [&](const descriptor_read& d) { return d.search == scan.search; });
    if (!found && !scan.if_none.empty() && !log.problem(scan.search))
      out.facts[std::string(scan.fact)] = fact::undecidable(std::string(scan.if_none));
    else
      put(scan.fact, control_outside(scan.search, allowed), {scan.search, "groups", "memberships"});
  }
  put("directory.ads.group_loop", group_loops(), {"group-nesting"});
  put("directory.ads.certificates_vuln", weak_certificates, {"adcs-sd"});
  put("directory.ads.certificates_vuln_undecodable", undecodable_certificates, {"adcs-sd"});
  put("directory.ads.certificates_vuln_level3", level3_certificates, {"adcs-sd"});
  put("directory.ads.adcs_template_auth_enroll_with_name", enroll_with_any_name(allowed),
      {"templates-sd", "adcs-sd", "groups", "memberships"});
  put("directory.ads.permissions_gpo_container_priv", control_outside("container-sd", allowed),
      {"container-sd", "groups", "memberships", "accounts", "sites"});
  const bool gpo_read = std::any_of(descriptors.begin(), descriptors.end(),
                                    [](const descriptor_read& d) { return d.search == "gpo-sd"; });
  if (gpo_read)
    put("directory.ads.permissions_gpo_priv", control_outside("gpo-sd", allowed),
        {"gpo-sd", "container-sd", "naming-context-sd", "groups", "memberships", "accounts"});
  else  // no GPO linked where privileged objects live (or the containers could not be read)
    put("directory.ads.permissions_gpo_priv", json::array(),
        {"container-sd", "naming-context-sd", "groups", "memberships", "accounts"});
  const auto dc_control = control_outside("dc-sd", allowed);
  if (dcs.empty())  // no DC object read: nothing to judge, and no search named dc-sd ran
    put("directory.ads.permissions_dc", dc_control, {"accounts", "groups", "memberships"});
  else
    put("directory.ads.permissions_dc", dc_control, {"dc-sd", "accounts", "groups", "memberships"});

  if (!measures.empty()) {
    out.evidence.push_back(
        make_evidence(measures_id, "largest ages measured in the searches above", measures, false));
  }
}

ads_assessment::ads_assessment(std::string evidence_prefix, sys_time now)
    : s_(std::make_unique<state>(std::move(evidence_prefix), now)) {}

ads_assessment::~ads_assessment() = default;

std::vector<ldap_query> ads_assessment::next_stage() {
  return s_->stage_queries();
}

void ads_assessment::consume(std::size_t index, const ldap_entry& entry) {
  const auto& c = s_->current.at(index);
  s_->log.count(c.handle);
  s_->on_entry(c, entry);
}

void ads_assessment::search_failed(std::size_t index, std::string why) {
  s_->log.fail(s_->current.at(index).handle, std::move(why));
}

assessment_output ads_assessment::result() const {
  assessment_output out;
  out.evidence = s_->log.evidence_items();
  s_->facts(out);
  return out;
}

std::vector<std::string> ads_assessment::privileged_logon_names() const {
  std::set<std::string> names;
  for (const auto& [key, a] : s_->privileged) {
    const bool rid500 = a.sid && sid_rid(*a.sid) == 500 && sid_domain(*a.sid) == s_->domain_sid;
    if (a.fsp || a.dc() || a.computer || a.msa || rid500 || !a.enabled())
      continue;
    names.insert(lower(a.name));
    if (const auto at = a.upn.find('@'); at != std::string::npos && at > 0)
      names.insert(lower(a.upn.substr(0, at)));
  }
  return {names.begin(), names.end()};
}

std::span<const fact_spec> ads_fact_specs() {
  return kFacts;
}

// The SIDs that may hold control and replication rights: SYSTEM, the Enterprise Domain
// Controllers, the privileged groups and their transitive members (stage 4).
std::set<std::string> ads_assessment::state::privileged_group_sids() const {
  std::set<std::string> sids{"S-1-5-18", "S-1-5-9"};
  for (const auto& g : kGroups) {
    if (g.privileged && !group_sid(g).empty())
      sids.insert(group_sid(g));
  }
  return sids;
}

std::set<std::string> ads_assessment::state::privileged_sids() const {
  auto sids = privileged_group_sids();
  for (const auto& [key, a] : privileged) {
    if (a.sid)
      sids.insert(*a.sid);
  }
  return sids;
}

std::string ads_assessment::state::trustee_name(const std::string& sid) const {
  const auto name = names_by_sid.find(sid);
  return name != names_by_sid.end() ? name->second + " (" + sid + ")" : sid;
}

// DCSync: the replication rights the domain head's DACL grants outside `allowed` (read-only DCs
// may hold Get-Changes).
std::vector<std::string> ads_assessment::state::replication_rights_outside(
    const std::set<std::string>& allowed) const {
  std::vector<std::string> out;
  const auto head = std::find_if(descriptors.begin(), descriptors.end(), [&](const auto& d) {
    return d.search == "naming-context-sd" && same_text(d.dn, domain_dn);
  });
  if (head == descriptors.end() || !head->sd)
    return out;
  for (const auto& [right, label] : kReplicationRights) {
    for (const auto& sid : trustees_with_extended_right(*head->sd, right)) {
      const auto rid = sid_domain(sid) == domain_sid ? sid_rid(sid).value_or(0) : 0;
      const bool read_only_dc =
          right == kDsReplicationGetChanges &&
          std::find(std::begin(kReadOnlyDcGroups), std::end(kReadOnlyDcGroups), rid) !=
              std::end(kReadOnlyDcGroups);
      if (!allowed.count(sid) && !read_only_dc)
        out.push_back(trustee_name(sid) + " holds " + std::string(label) + " on " + domain_dn);
    }
  }
  return out;
}

// Who controls the objects the search `search` read (owner, GenericAll, WriteDacl, ...) outside
// `allowed`.
std::vector<std::string> ads_assessment::state::control_outside(
    std::string_view search, const std::set<std::string>& allowed) const {
  std::vector<std::string> out;
  for (const auto& d : descriptors) {
    if (d.search != search || !d.sd)
      continue;
    for (auto& line : control_lines(*d.sd, d.dn, allowed))
      out.push_back(std::move(line));
  }
  return out;
}

// The containers that hold privileged accounts, privileged groups or DCs (every ancestor below the
// domain head, which permissions_naming_context judges), and the sites holding a DC, each once.
std::vector<std::string> ads_assessment::state::privileged_containers() const {
  std::map<std::string, std::string> found;  // lower(DN) -> DN
  const auto domain = lower(domain_dn);
  const auto above = [&](const std::string& dn) {
    for (auto p = parent_dn(dn); !p.empty(); p = parent_dn(p)) {
      const auto key = lower(p);
      if (key.size() <= domain.size() || !key.ends_with("," + domain))
        return;
      found.emplace(key, p);
    }
  };
  for (const auto& [key, a] : privileged) {
    if (!a.fsp)
      above(a.dn);
  }
  for (const auto& g : groups) {
    if (kGroups[g.def].privileged)
      above(g.dn);
  }
  for (const auto& dc : dcs)
    above(dc.dn);
  for (const auto& site : dc_sites)
    found.emplace(lower(site), site);
  std::vector<std::string> out;
  for (auto& [key, dn] : found)
    out.push_back(std::move(dn));
  return out;
}

// The GPOs linked and enabled on the domain head and on the containers and sites of
// privileged_containers(), each once (from the gPLink values the descriptor reads returned).
std::vector<std::string> ads_assessment::state::privileged_gpos() const {
  std::map<std::string, std::string> found;  // lower(DN) -> DN
  const auto linked = [&](const std::string& dn) {
    if (const auto g = gplinks.find(lower(dn)); g != gplinks.end()) {
      for (auto& gpo : enabled_gpo_links(g->second))
        found.emplace(lower(gpo), gpo);
    }
  };
  linked(domain_dn);
  for (const auto& dn : privileged_containers())
    linked(dn);
  std::vector<std::string> out;
  for (auto& [key, dn] : found)
    out.push_back(std::move(dn));
  return out;
}

// ESC1: the templates an enrollment service publishes whose requester names the subject
// (ENROLLEE_SUPPLIES_SUBJECT), without manager approval or authorized signatures, for client
// authentication (an authentication EKU or none at all), and that someone outside `allowed` may
// enroll or auto-enroll in.
std::vector<std::string> ads_assessment::state::enroll_with_any_name(
    const std::set<std::string>& allowed) const {
  std::vector<std::string> out;
  for (const auto& t : templates) {
    const auto cas = published.find(lower(t.name));
    const auto& sd = descriptors.at(t.descriptor).sd;
    const bool authenticates =
        t.ekus.empty() || std::any_of(t.ekus.begin(), t.ekus.end(), [](const std::string& eku) {
          return std::find(kAuthenticationEkus.begin(), kAuthenticationEkus.end(), eku) !=
                 kAuthenticationEkus.end();
        });
    if (cas == published.end() || !sd || !(t.name_flag & kEnrolleeSuppliesSubject) ||
        (t.enrollment_flag & kPendAllRequests) || t.ra_signatures > 0 || !authenticates)
      continue;
    std::set<std::string> enrollees;
    for (const auto right : {kCertificateEnrollment, kCertificateAutoEnrollment}) {
      for (auto& sid : trustees_with_extended_right(*sd, right)) {
        if (!allowed.count(sid))
          enrollees.insert(trustee_name(sid));
      }
    }
    for (const auto& who : enrollees)
      out.push_back(who + " may enroll in " + t.name + " (published by " + join(cas->second, ", ") +
                    ") naming any subject, for client authentication");
  }
  return out;
}

// Cycles of group nesting, found by a depth-first walk of `nesting` (iterative: a long chain of
// nested groups cannot exhaust the stack). Each back edge closes one cycle, named by the groups'
// DNs from the one the walk entered first, back to it.
std::vector<std::string> ads_assessment::state::group_loops() const {
  enum class mark { unseen, on_path, done };
  std::map<std::string_view, mark> marks;
  std::vector<std::string> out;
  for (const auto& [root, ignored] : nesting) {
    if (marks[root] != mark::unseen)
      continue;
    // The path from `root`: each group with the index of its next member to visit.
    std::vector<std::pair<std::string_view, std::size_t>> path{{root, 0}};
    marks[root] = mark::on_path;
    while (!path.empty()) {
      auto& [group, next] = path.back();
      const auto& members = nesting.at(std::string(group)).members;
      if (next == members.size()) {
        marks[group] = mark::done;
        path.pop_back();
        continue;
      }
      const std::string_view member = members[next++];
      const auto node = nesting.find(std::string(member));
      if (node == nesting.end())
        continue;  // not a nested group: no cycle through it
      const auto m = marks[node->first];
      if (m == mark::on_path) {
        std::string cycle;
        bool in_cycle = false;
        for (const auto& [g, n] : path) {
          in_cycle = in_cycle || g == node->first;
          if (in_cycle)
            cycle += nesting.at(std::string(g)).dn + " -> ";
        }
        out.push_back(cycle + node->second.dn);
      } else if (m == mark::unseen) {
        marks[node->first] = mark::on_path;
        path.push_back({node->first, 0});
      }
    }
  }
  return out;
}

// One step of the control-path walk: the first time, the trustees controlling a privileged object
// (outside the privileged SIDs, SIDs of this domain: they have an object to read); then the
// trustees found controlling those objects, until kControlPathSearches searches or no one new.
void ads_assessment::state::walk_control_paths() {
  if (path_steps == 0) {
    const auto allowed = privileged_sids();
    const auto seed = [&](const std::string& dn, const std::optional<security_descriptor>& sd) {
      for (const auto& h : sd ? trustees_with_control(*sd) : std::vector<control_holder>{}) {
        if (!allowed.count(h.trustee))
          path_frontier.emplace(h.trustee, control_text(h, dn));
      }
    };
    for (const auto& g : groups) {
      if (kGroups[g.def].privileged)
        seed(g.dn, g.sd);
    }
    for (const auto& [key, a] : privileged) {
      if (!a.fsp)
        seed(a.dn, a.sd);
    }
  }
  path_asked.clear();
  std::string filter;
  std::size_t left = 0;
  for (auto& [sid, chain] : path_frontier) {
    if (!sid.starts_with(domain_sid + "-") || !path_seen.insert(sid).second)
      continue;
    if (path_asked.size() == kControlPathWidth) {
      ++left;
      continue;
    }
    filter += "(objectSid=" + sid + ")";
    path_asked.emplace(sid, std::move(chain));
  }
  path_frontier.clear();
  if (path_asked.empty() || path_steps == kControlPathSearches)
    return;
  ++path_steps;
  const auto h = add(kind::control_path, "control-paths",
                     query(domain_dn, ldap_scope::subtree, "(|" + filter + ")",
                           {"objectSid", "nTSecurityDescriptor"}, kOwnerGroupDacl));
  if (left > 0)
    log.note(h, std::to_string(left) + " more trustees on control paths not followed (at most " +
                    std::to_string(kControlPathWidth) + " per search)");
}

// An object on a control path: whoever controls it outside the privileged SIDs extends the path.
void ads_assessment::state::on_path_object(std::size_t h, const ldap_entry& e) {
  const auto sid = sid_value(e, "objectSid");
  const auto chain = sid ? path_asked.find(*sid) : path_asked.end();
  if (chain == path_asked.end())
    return;
  const auto sd = parse_security_descriptor(e.first("nTSecurityDescriptor"));
  if (!sd) {
    log.note(h, "dn: " + e.dn + "\nnTSecurityDescriptor: absent or malformed (not followed)");
    return;
  }
  const auto allowed = privileged_sids();
  for (const auto& holder : trustees_with_control(*sd)) {
    if (allowed.count(holder.trustee) || path_seen.count(holder.trustee))
      continue;  // privileged, or already on a path as short or shorter
    auto step = control_text(holder, e.dn) + ", which " + chain->second;
    control_paths.push_back(trustee_name(holder.trustee) + " " + step);
    log.note(h, control_paths.back());
    path_frontier.emplace(holder.trustee, std::move(step));
  }
}

// A schema object: its owner and the ACEs that give control outside `schema_allowed` (the final
// judgement adds the privileged accounts), counted per trustee and right.
void ads_assessment::state::on_schema_object(std::size_t h, const ldap_entry& e) {
  const auto sd = parse_security_descriptor(e.first("nTSecurityDescriptor"));
  if (!sd) {
    log.fail(h, "no readable nTSecurityDescriptor on " + e.dn);
    return;
  }
  for (const auto& holder : trustees_with_control(*sd)) {
    if (schema_allowed.count(holder.trustee))
      continue;
    auto& held = schema_control[{holder.trustee, holder.right}];
    if (held.objects++ == 0) {
      held.first_dn = e.dn;
      log.note(h, trustee_name(holder.trustee) + " " + control_text(holder, e.dn));
    }
  }
}

// Who owns or controls the object `dn` of `sd` outside `allowed`, one line each.
std::vector<std::string> ads_assessment::state::control_lines(
    const security_descriptor& sd, const std::string& dn,
    const std::set<std::string>& allowed) const {
  std::vector<std::string> out;
  for (const auto& h : trustees_with_control(sd)) {
    if (!allowed.count(h.trustee))
      out.push_back(trustee_name(h.trustee) + " " + control_text(h, dn));
  }
  return out;
}

}  // namespace cloison
