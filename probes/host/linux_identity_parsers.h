// Pure parsers of the identity facts of a Linux host: directory membership (realmd, sssd, krb5,
// Samba, keytab), PAM stacks, sudoers rules and local group members. They take the raw text of
// one command output or one file and never touch the system; each is tested on fixture files of
// real outputs (tests/data/host/identity/). Malformed lines are skipped, never guessed, and values
// are reported as written: defaults a tool would apply to an absent key are left to the checks.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

// --- realm list --------------------------------------------------------------------------------

struct realm_entry {
  std::string name;             // the unindented heading line (realmd prints the domain name)
  std::string type;             // "kerberos"
  std::string realm_name;       // "PROD.LAB"
  std::string domain_name;      // "prod.lab"
  std::string configured;       // "kerberos-member", "no" (discovered only), ...
  std::string server_software;  // "active-directory", "ipa"
  std::string client_software;  // "sssd", "winbind"
  std::vector<std::string> required_packages;
  std::vector<std::string> login_formats;  // "%U@prod.lab", "PROD\\%U"
  std::string login_policy;                // "allow-permitted-logins", "allow-any-login", ...
  std::vector<std::string> permitted_logins;
  std::vector<std::string> permitted_groups;
};
// `realm list` (also `realm list --all` and `realm discover`): one entry per heading line
// followed by indented `key: value` lines. Only joined realms are returned: an entry whose
// `configured` is absent, empty or "no" is dropped. List values that realmd joins with ", " are
// split on ", ". Unknown keys and lines starting with '#' are ignored. Empty text: no realm.
std::vector<realm_entry> parse_realm_list(std::string_view text);

// --- sssd.conf ---------------------------------------------------------------------------------

struct sssd_domain {
  std::string name;  // the section name after "domain/", e.g. "prod.lab"
  std::string id_provider;
  std::string auth_provider;  // as written: sssd defaults it to id_provider when absent
  std::string access_provider;
  std::string ad_domain;
  std::string krb5_realm;
  std::string ldap_uri;
  bool listed = false;                         // named in the [sssd] `domains =` list
  std::map<std::string, std::string> options;  // every key of the section, lowercased key
};
struct sssd_config {
  std::vector<std::string> domains;          // the [sssd] `domains =` list, in order
  std::vector<sssd_domain> domain_sections;  // every [domain/...] section, in file order
};
// sssd.conf (INI). Section and key names are compared case-insensitively; the last value of a
// repeated key wins; comments are lines starting with '#' or ';'. Lines that are neither a
// section header nor `key = value` are skipped.
sssd_config parse_sssd_conf(std::string_view text);

// sssd.conf as it may be kept as evidence: the value of every option that holds a secret
// (ldap_default_authtok, any *password* or *secret* option) replaced by "<redacted>".
std::string redact_sssd_conf(std::string_view text);

// --- krb5.conf ---------------------------------------------------------------------------------

struct krb5_realm {
  std::string name;
  std::vector<std::string> kdcs;  // every `kdc =`, in order
  std::string admin_server;       // the first `admin_server =`
  std::string default_domain;
};
struct krb5_config {
  std::string default_realm;                        // [libdefaults] default_realm, "" when absent
  std::map<std::string, std::string> libdefaults;   // first value of each [libdefaults] relation
  std::vector<krb5_realm> realms;                   // [realms], in order; repeated stanzas merged
  std::map<std::string, std::string> domain_realm;  // [domain_realm]: ".prod.lab" -> "PROD.LAB"
  std::vector<std::string> includes;                // `include`/`includedir` targets (not read)
};
// krb5.conf (MIT profile syntax): `[section]`, `tag = value`, `tag = {` ... `}` subsections,
// comments are lines starting with '#' or ';', a trailing final marker '*' is ignored, double
// quotes around a value are removed. Relations nested deeper than a realm stanza are skipped.
krb5_config parse_krb5_conf(std::string_view text);

// --- smb.conf ----------------------------------------------------------------------------------

struct smb_global {
  std::string security;     // lowercased: "ads", "user", "domain", ""
  std::string server_role;  // lowercased: "standalone server", "member server", ...
  std::string realm;        // as written
  std::string workgroup;    // as written
  // Every global parameter, keyed by its normalised name (lowercase, without whitespace),
  // last value wins, as Samba does.
  std::map<std::string, std::string> parameters;
};
// smb.conf: the [global] section (and parameters before any section). As Samba does: section
// and parameter names are case-insensitive and whitespace inside them is ignored ("Work Group"
// is workgroup), a line ending in '\' continues on the next one, comments are lines starting
// with '#' or ';', and values are trimmed. `include =` files are not read (parameters["include"]).
smb_global parse_smb_conf(std::string_view text);

// --- klist -k ----------------------------------------------------------------------------------

struct keytab_principal {
  std::string principal;  // "host/backup01.prod.lab@PROD.LAB", exactly as printed
  std::string name;       // "host/backup01.prod.lab"
  std::string realm;      // "PROD.LAB"
};
struct keytab_listing {
  std::string keytab;                        // "FILE:/etc/krb5.keytab" from the "Keytab name:" line
  std::vector<keytab_principal> principals;  // unique (case-sensitive), in first-seen order
};
// `klist -k`, `klist -kt`, `klist -kte` (MIT): entry lines start with a numeric KVNO; the
// principal is the first word containing '@' (timestamps and "(enctype)" are skipped). Lines
// without a KVNO or without a principal@REALM word are skipped.
keytab_listing parse_klist_keytab(std::string_view text);

// --- PAM ---------------------------------------------------------------------------------------

struct pam_entry {
  std::string type;               // "auth", "account", "password", "session" (lowercased)
  std::string control;            // "required", "[success=1 default=ignore]", ...
  std::string module;             // "pam_sss" (basename of the path, without ".so")
  std::vector<std::string> args;  // a "[...]" argument is kept as one item, brackets included
  bool optional_prefix = false;   // the type was written "-auth": skipped if the module is absent
  std::string source;             // the file the line came from ("" for the top file)
};
struct pam_stack {
  std::vector<pam_entry> auth, account, password, session;  // each in evaluation order
  std::vector<std::string> missing_includes;  // names not found in `files` (or include loops)
};
// One PAM service file (e.g. /etc/pam.d/sshd). `@include NAME` takes every line of NAME;
// `TYPE include NAME` and `TYPE substack NAME` take NAME's lines of that TYPE. Included files are
// looked up in `files` by the name as written, then by its basename ("/etc/pam.d/common-auth"
// -> "common-auth"). Comments run from '#' to the end of line; a line ending in '\' continues.
// Lines with an unknown type or without a module are skipped.
pam_stack parse_pam_stack(std::string_view text,
                          const std::map<std::string, std::string>& files = {});

// The module names of entries, in order.
std::vector<std::string> pam_module_names(const std::vector<pam_entry>& entries);

enum class pam_module_kind { other, directory, mfa };
// directory: pam_sss, pam_winbind, pam_ldap, pam_krb5; mfa: pam_oath, pam_google_authenticator,
// pam_u2f, pam_duo, pam_yubico. Accepts "pam_sss", "pam_sss.so" or a path to the module.
pam_module_kind classify_pam_module(std::string_view module);

// --- sudoers -----------------------------------------------------------------------------------

struct sudo_rule {
  std::vector<std::string> who;    // unescaped user list items: "root", "%sudo", "%PROD\\g x",
                                   // "jdoe@prod.lab", "!jdoe", or a User_Alias name
  std::vector<std::string> hosts;  // "ALL", "backup01"
  std::string runas;  // the text inside "(...)", e.g. "ALL:ALL"; "" when not written (root)
  std::vector<std::string> commands;  // unescaped, aliases not expanded
  bool nopasswd = false;              // NOPASSWD applies (tags carry over, as sudo does)
  int line = 0;                       // 1-based line of the user specification
};
struct sudoers_file {
  std::vector<sudo_rule> rules;  // a user specification gives one rule per (host list, runas,
                                 // NOPASSWD) run of commands
  std::map<std::string, std::vector<std::string>> user_aliases;  // User_Alias NAME -> items
  std::vector<std::string> includes;  // @include/@includedir/#include/#includedir targets
};
// The text of one sudoers file (/etc/sudoers or a file of /etc/sudoers.d). Handles '\' line
// continuation, '#' comments, `Defaults` lines (skipped), aliases (User_Alias recorded, others
// skipped), escapes ("\ ", "\\", "\,", "\:", "\=") and double-quoted names. A user specification
// that cannot be split into users, hosts and '=' commands is skipped.
sudoers_file parse_sudoers(std::string_view text);

// Whether one `who` item names a directory identity: a "@domain" suffix, a "DOMAIN\" prefix, a
// "%:" non-Unix group, a "+netgroup", or a "%group" not in `local_groups`. Negated items ("!x"),
// ALL, uids ("#0", "%#27") and plain user names are not (a plain name cannot be told apart).
bool is_directory_identity(std::string_view who, const std::set<std::string>& local_groups);

// Indices into file.rules of the rules whose `who` names a directory identity, directly or
// through a User_Alias of the same file.
std::vector<std::size_t> rules_naming_directory_identities(
    const sudoers_file& file, const std::set<std::string>& local_groups);

// --- /etc/group --------------------------------------------------------------------------------

struct group_entry {
  std::string name;
  long gid = -1;
  std::vector<std::string> members;
};
// /etc/group or `getent group`. Lines without 4 fields or with a non-numeric gid are skipped.
std::vector<group_entry> parse_group(std::string_view text);

// The members of each of `names` present in the text (e.g. {"sudo", "wheel", "adm"}); a group
// absent from the text is absent from the map.
std::map<std::string, std::vector<std::string>> group_members(std::string_view text,
                                                              const std::set<std::string>& names);

}  // namespace cloison
