// LDAP client for the directory probe, on OpenLDAP's libldap. One connection to one directory
// server, TLS verified against the inventory's CA file (LDAPS, or StartTLS on ldap://), simple
// bind with the password read from the inventory's secret file, or SASL GSSAPI with a keytab.
// Searches are paged (1.2.840.113556.1.4.319) and streamed: each entry is handed over as it
// arrives; ranged values (member;range=...) are fetched to the end and joined under the plain
// attribute name. Referrals are off and skipped. Every network step runs against the caller's
// deadline.
//
// Errors: open() and search() throw ldap_failure, whose text names the step (connect, TLS, bind,
// search) and the server's diagnostic; never a password. A connection is used by one thread at a
// time; distinct connections are independent.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/inventory.h"
#include "probes/directory/ldap_entry.h"

namespace cloison {

using deadline = std::chrono::steady_clock::time_point;

class ldap_failure : public std::runtime_error {
 public:
  ldap_failure(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // libldap result code (LDAP_*), negative for API errors
  bool timed_out() const;             // the deadline passed before the server answered

 private:
  int code_;
};

// Initialises libldap once, with LDAPNOINIT (no ldap.conf or .ldaprc is read: the inventory
// decides every setting); it resolves this machine's own name (for SASL),
// which can take the resolver's whole timeout when DNS does not answer. Call it at start-up,
// before any deadline runs; later calls return at once. Thread-safe.
void ldap_library_init();

// How the connection is protected: "ldaps", "starttls", "kerberos-sealed" (a GSSAPI bind on
// ldap://: Kerberos authenticates the server and encrypts the session) or "plaintext" (only
// when the inventory sets allow_plaintext for a simple bind).
struct ldap_transport {
  std::string kind;
  bool certificate_verified = false;
  bool kerberos_sealed = false;
  std::string bound_as;  // the bind DN or UPN, or the Kerberos principal
  // The server is authenticated and the session encrypted.
  bool is_protected() const { return certificate_verified || kerberos_sealed; }
};

// Bounds of one search: entries accepted before the search is abandoned, entries per page.
struct search_limits {
  std::size_t max_entries = 200000;
  int page_size = 500;
};

struct ldap_handle;  // libldap's session, private to ldap_client.cpp

class ldap_connection {
 public:
  // Connects to d.uri and binds. Simple binds: TLS verified against d.ca_file (LDAPS, else
  // StartTLS; plaintext only with d.allow_plaintext), as d.bind_dn with the password of
  // d.password_file. GSSAPI binds: Kerberos tickets from d.keytab (kerberos_credentials), over
  // LDAPS, or on ldap:// with a Kerberos-sealed session. Throws ldap_failure.
  static std::unique_ptr<ldap_connection> open(const directory& d, deadline until);
  ~ldap_connection();
  ldap_connection(const ldap_connection&) = delete;
  ldap_connection& operator=(const ldap_connection&) = delete;

  const ldap_transport& transport() const { return transport_; }

  // Runs `q`, calling on_entry for each entry in arrival order; returns how many entries came.
  // Throws ldap_failure when the search fails, when `until` passes, or when more than
  // limits.max_entries entries arrive (the search is then abandoned). Entries handed over before a
  // failure stay handed over: callers decide what a partial result means.
  std::size_t search(const ldap_query& q, const std::function<void(const ldap_entry&)>& on_entry,
                     deadline until, search_limits limits = {});

 private:
  ldap_connection(std::unique_ptr<ldap_handle> h, ldap_transport t);

  std::unique_ptr<ldap_handle> handle_;
  ldap_transport transport_;
};

// The host part of an LDAP URI ("ldaps://dc1.backup.lab:636" -> "dc1.backup.lab"); "" when the
// URI does not parse.
std::string ldap_uri_host(const std::string& uri);

// What a directory server answers to a simple bind sent in clear, probed without a real
// credential: a bind as a name that does not exist, with a random password, on ldap:// without
// TLS. refused: "stronger authentication required"; accepted: any other bind answer (the server
// reads simple binds in clear); unreachable: nothing listens or the deadline passed.
enum class plaintext_bind { refused, accepted, unreachable };

struct plaintext_bind_probe {
  plaintext_bind verdict = plaintext_bind::unreachable;
  std::string detail;  // the server's answer (result code and diagnostic), or the failure
};

// `host` is a DNS name or an address; `realm` names the domain in the non-existent bind name.
plaintext_bind_probe probe_plaintext_simple_bind(const std::string& host, unsigned port,
                                                 const std::string& realm, deadline until);

}  // namespace cloison
