#include "probes/directory/kerberos_credentials.h"

#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace cloison {
namespace {

struct context_deleter {
  void operator()(krb5_context c) const { krb5_free_context(c); }
};
using context_ptr = std::unique_ptr<std::remove_pointer_t<krb5_context>, context_deleter>;

context_ptr new_context() {
  krb5_context c = nullptr;
  if (const krb5_error_code rc = krb5_init_context(&c); rc != 0)
    throw std::runtime_error("Kerberos: cannot read its configuration (error " +
                             std::to_string(rc) + ")");
  return context_ptr(c);
}

// Frees krb5 objects of one context at scope exit.
struct krb5_scope {
  krb5_context ctx;
  krb5_keytab keytab = nullptr;
  krb5_principal client = nullptr;
  krb5_ccache cache = nullptr;
  krb5_creds creds{};
  bool have_creds = false;
  ~krb5_scope() {
    if (have_creds)
      krb5_free_cred_contents(ctx, &creds);
    if (cache != nullptr)
      krb5_cc_close(ctx, cache);
    if (client != nullptr)
      krb5_free_principal(ctx, client);
    if (keytab != nullptr)
      krb5_kt_close(ctx, keytab);
  }
};

void check(krb5_context ctx, krb5_error_code rc, const std::string& step) {
  if (rc == 0)
    return;
  const char* text = krb5_get_error_message(ctx, rc);
  const std::string what = step + ": " + text;
  krb5_free_error_message(ctx, text);
  throw std::runtime_error(what);
}

// The first principal of the keytab.
krb5_principal first_principal(krb5_context ctx, krb5_keytab keytab, const std::string& name) {
  krb5_kt_cursor cursor;
  check(ctx, krb5_kt_start_seq_get(ctx, keytab, &cursor), "reading keytab " + name);
  krb5_keytab_entry entry;
  const krb5_error_code rc = krb5_kt_next_entry(ctx, keytab, &entry, &cursor);
  krb5_kt_end_seq_get(ctx, keytab, &cursor);
  check(ctx, rc, "keytab " + name + " holds no key");
  krb5_principal p = nullptr;
  const krb5_error_code copied = krb5_copy_principal(ctx, entry.principal, &p);
  krb5_free_keytab_entry_contents(ctx, &entry);
  check(ctx, copied, "keytab " + name);
  return p;
}

std::string next_ccache_name() {
  static std::atomic<unsigned long> counter{0};
  return "MEMORY:cloison-ldap-" + std::to_string(++counter);
}

}  // namespace

kerberos_credentials::kerberos_credentials(const std::string& keytab, const std::string& principal)
    : ccache_(next_ccache_name()) {
  const auto ctx = new_context();
  krb5_scope s{ctx.get()};
  check(s.ctx, krb5_kt_resolve(s.ctx, ("FILE:" + keytab).c_str(), &s.keytab), "keytab " + keytab);
  if (principal.empty())
    s.client = first_principal(s.ctx, s.keytab, keytab);
  else
    check(s.ctx, krb5_parse_name(s.ctx, principal.c_str(), &s.client),
          "Kerberos principal " + principal);
  char* unparsed = nullptr;
  check(s.ctx, krb5_unparse_name(s.ctx, s.client, &unparsed), "Kerberos principal");
  principal_ = unparsed;
  krb5_free_unparsed_name(s.ctx, unparsed);

  check(s.ctx, krb5_get_init_creds_keytab(s.ctx, &s.creds, s.client, s.keytab, 0, nullptr, nullptr),
        "Kerberos ticket for " + principal_ + " from keytab " + keytab);
  s.have_creds = true;
  check(s.ctx, krb5_cc_resolve(s.ctx, ccache_.c_str(), &s.cache), "ticket cache");
  check(s.ctx, krb5_cc_initialize(s.ctx, s.cache, s.client), "ticket cache");
  check(s.ctx, krb5_cc_store_cred(s.ctx, s.cache, &s.creds), "ticket cache");
}

kerberos_credentials::~kerberos_credentials() {
  krb5_context ctx = nullptr;
  if (krb5_init_context(&ctx) != 0)
    return;
  krb5_ccache cache = nullptr;
  if (krb5_cc_resolve(ctx, ccache_.c_str(), &cache) == 0)
    krb5_cc_destroy(ctx, cache);
  krb5_free_context(ctx);
}

kerberos_credentials::thread_scope::thread_scope(const kerberos_credentials& c) {
  OM_uint32 minor = 0;
  const char* previous = nullptr;
  if (GSS_ERROR(gss_krb5_ccache_name(&minor, c.ccache_.c_str(), &previous)))
    throw std::runtime_error("Kerberos: cannot select the ticket cache");
  if (previous != nullptr)
    previous_ = previous;
}

kerberos_credentials::thread_scope::~thread_scope() {
  OM_uint32 minor = 0;
  gss_krb5_ccache_name(&minor, previous_.empty() ? nullptr : previous_.c_str(), nullptr);
}

void use_krb5_config(const std::string& krb5_conf) {
  if (!krb5_conf.empty())
    setenv("KRB5_CONFIG", krb5_conf.c_str(), 1);
}

}  // namespace cloison
