// Kerberos initiator credentials for one LDAP connection, from a keytab: a ticket-granting ticket
// obtained at construction into a private in-memory ticket cache, so that connections never share
// tickets and never read or write the user's ticket cache. The only process-wide setting is
// KRB5_CONFIG (the realm and KDC map, which the Kerberos library reads from the environment only;
// see use_krb5_config).
//
// Errors: the constructor throws std::runtime_error naming the keytab, the principal and the
// Kerberos error text (no KDC answered, unknown principal, wrong key...). Its KDC exchange is
// bounded by the timeouts of krb5.conf, not by a cloison deadline. Instances are independent and
// may live in different threads; one instance is used by one thread at a time.
#pragma once

#include <string>

namespace cloison {

class kerberos_credentials {
 public:
  // `principal` may be empty: the keytab's first principal is used.
  kerberos_credentials(const std::string& keytab, const std::string& principal);
  ~kerberos_credentials();  // destroys the ticket cache
  kerberos_credentials(const kerberos_credentials&) = delete;
  kerberos_credentials& operator=(const kerberos_credentials&) = delete;

  const std::string& principal() const { return principal_; }

  // While alive, GSS-API calls made by the calling thread with default credentials (such as the
  // SASL GSSAPI bind of libldap) use this ticket cache. Restores the previous one when destroyed.
  class thread_scope {
   public:
    explicit thread_scope(const kerberos_credentials& c);
    ~thread_scope();
    thread_scope(const thread_scope&) = delete;
    thread_scope& operator=(const thread_scope&) = delete;

   private:
    std::string previous_;
  };

 private:
  std::string principal_;
  std::string ccache_;  // "MEMORY:cloison-ldap-N"
};

// Points the Kerberos library at `krb5_conf` (KRB5_CONFIG) when it is not empty. Process-wide:
// call it on the main thread before any other thread starts. Not thread-safe.
void use_krb5_config(const std::string& krb5_conf);

}  // namespace cloison
