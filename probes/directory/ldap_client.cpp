#include "probes/directory/ldap_client.h"

#include <fcntl.h>
#include <ldap.h>
#include <openssl/rand.h>
#include <sasl/sasl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include "core/bounded_read.h"
#include "probes/directory/kerberos_credentials.h"
#include "probes/directory/tls_diagnosis.h"
#include "probes/transport/secret_file.h"

namespace cloison {

// libldap's session and its socket. The socket is known once connected (connect callback).
struct ldap_handle {
  LDAP* ld = nullptr;
  std::atomic<int> fd{-1};
  std::atomic<bool> tcp_connected{false};  // the connect callback ran: TCP is up, TLS may follow
  std::atomic<bool> expired{false};
  ldap_conncb on_connect{};
  std::unique_ptr<kerberos_credentials> kerberos;  // gssapi binds; outlives the session
  ~ldap_handle() {
    if (ld != nullptr)
      ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

namespace {

constexpr std::size_t kMaxCaFileBytes = 1 << 20;  // a CA bundle of a few hundred certificates

// Enforces a deadline on every blocking step of libldap: when it passes, the socket is shut down,
// so that a blocked read (a TLS handshake a peer never answers: libldap 2.5's GnuTLS layer retries
// it without waiting, and ignores its own timeouts) returns at once with an error.
class deadline_watch {
 public:
  deadline_watch(ldap_handle& h, deadline until)
      : thread_([&h, until](std::stop_token stop) {
          std::mutex m;
          std::condition_variable_any cv;
          std::unique_lock lock(m);
          if (cv.wait_until(lock, stop, until, [] { return false; }) || stop.stop_requested())
            return;
          h.expired = true;
          if (const int fd = h.fd.load(); fd >= 0)
            shutdown(fd, SHUT_RDWR);
        }) {}

 private:
  std::jthread thread_;
};

// Runs `step` under a deadline_watch; a failure caused by the watch reads as a timeout.
template <class F>
auto within(ldap_handle& h, deadline until, const std::string& what, F step) {
  deadline_watch watch(h, until);
  try {
    return step();
  } catch (const ldap_failure&) {
    if (h.expired)
      throw ldap_failure(LDAP_TIMEOUT, what + ": no answer before the deadline");
    throw;
  }
}

// Records the socket and makes it blocking, so that TLS reads wait instead of spinning.
int record_socket(LDAP*, Sockbuf* sb, LDAPURLDesc*, sockaddr*, ldap_conncb* ctx) {
  auto& h = *static_cast<ldap_handle*>(ctx->lc_arg);
  int fd = -1;
  if (ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1 && fd >= 0) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
      fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    h.fd = fd;
    h.tcp_connected = true;
    if (h.expired)
      shutdown(fd, SHUT_RDWR);
  }
  return 0;
}

void forget_socket(LDAP*, Sockbuf*, ldap_conncb* ctx) {
  static_cast<ldap_handle*>(ctx->lc_arg)->fd = -1;
}

struct message_deleter {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using message_ptr = std::unique_ptr<LDAPMessage, message_deleter>;

struct control_deleter {
  void operator()(LDAPControl* c) const { ldap_control_free(c); }
};
using control_ptr = std::unique_ptr<LDAPControl, control_deleter>;

struct controls_deleter {
  void operator()(LDAPControl** c) const { ldap_controls_free(c); }
};
using controls_ptr = std::unique_ptr<LDAPControl*, controls_deleter>;

// The time left before `until`, as libldap wants it; throws when none is left.
timeval time_left(deadline until, const char* step) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      until - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    throw ldap_failure(LDAP_TIMEOUT, std::string(step) + ": deadline passed");
  return {static_cast<time_t>(left.count() / 1000000),
          static_cast<suseconds_t>(left.count() % 1000000)};
}

std::string diagnostic(LDAP* ld) {
  char* text = nullptr;
  ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
  std::string s = text != nullptr ? text : "";
  ldap_memfree(text);
  return s;
}

// Throws the failure of `step`: libldap's text, its diagnostic (when it says something: its TLS
// layer leaves "(unknown error code)") and `cause`, what cloison found out itself.
[[noreturn]] void fail(LDAP* ld, int code, const std::string& step, const std::string& cause = "") {
  std::string what = step + ": " + ldap_err2string(code) + " (" + std::to_string(code) + ")";
  const std::string diag = ld != nullptr ? diagnostic(ld) : "";
  if (!diag.empty() && diag != "(unknown error code)")
    what += ": " + diag;
  if (!cause.empty())
    what += ": " + cause;
  throw ldap_failure(code, what);
}

void set_option(LDAP* ld, int option, const void* value, const char* name) {
  const int rc = ldap_set_option(ld, option, value);
  if (rc != LDAP_OPT_SUCCESS)
    fail(ld, rc, std::string("setting ") + name);
}

// A handle on `uri` with deadlines, LDAPv3 and referrals off. TLS is verified against ca_file
// (the system's trust store is not consulted: the inventory names the CA).
// `require_cert`: LDAP_OPT_X_TLS_HARD, except for tls_failure_reason's look at the certificate.
std::unique_ptr<ldap_handle> make_handle(const std::string& uri, const std::string& ca_file,
                                         deadline until, int require_cert = LDAP_OPT_X_TLS_HARD) {
  // libldap takes a space- or comma-separated list and fails over along it: the transport
  // decided from the first URL would then not be the one the bind travels on.
  if (uri.find_first_of(" \t\r\n,") != std::string::npos) {
    throw ldap_failure(LDAP_PARAM_ERROR,
                       "the URI must be one ldap:// or ldaps:// URL, found '" + uri + "'");
  }
  auto h = std::make_unique<ldap_handle>();
  const int rc = ldap_initialize(&h->ld, uri.c_str());
  if (rc != LDAP_SUCCESS)
    fail(nullptr, rc, "parsing the URI " + uri);
  const int version = LDAP_VERSION3;
  set_option(h->ld, LDAP_OPT_PROTOCOL_VERSION, &version, "the protocol version");
  set_option(h->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals");
  const timeval network = time_left(until, "connect");
  set_option(h->ld, LDAP_OPT_NETWORK_TIMEOUT, &network, "the network timeout");
  set_option(h->ld, LDAP_OPT_TIMEOUT, &network, "the operation timeout");
  if (!ca_file.empty()) {
    set_option(h->ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file.c_str(), "the CA file");
    set_option(h->ld, LDAP_OPT_X_TLS_CACERTDIR, nullptr, "the CA folder");
  }
  set_option(h->ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require_cert, "certificate verification");
  const int new_context = 0;
  set_option(h->ld, LDAP_OPT_X_TLS_NEWCTX, &new_context, "the TLS context");
  h->on_connect = {record_socket, forget_socket, h.get()};
  set_option(h->ld, LDAP_OPT_CONNECT_CB, &h->on_connect, "the connect callback");
  return h;
}

// Waits for the next message of `msgid`; throws on deadline or connection loss.
message_ptr next_message(LDAP* ld, int msgid, deadline until, const char* step) {
  timeval left = time_left(until, step);
  LDAPMessage* raw = nullptr;
  const int type = ldap_result(ld, msgid, LDAP_MSG_ONE, &left, &raw);
  message_ptr msg(raw);
  if (type == 0) {
    ldap_abandon_ext(ld, msgid, nullptr, nullptr);
    throw ldap_failure(LDAP_TIMEOUT, std::string(step) + ": no answer before the deadline");
  }
  if (type < 0) {
    int code = LDAP_SERVER_DOWN;
    ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &code);
    fail(ld, code, step);
  }
  return msg;
}

// The result code of a final message, with the server's diagnostic, and its response controls.
struct final_result {
  int code = LDAP_OTHER;
  std::string diagnostic;
  controls_ptr controls;
};

final_result parse_final(LDAP* ld, LDAPMessage* msg, const char* step) {
  final_result r;
  char* diag = nullptr;
  LDAPControl** controls = nullptr;
  const int rc = ldap_parse_result(ld, msg, &r.code, nullptr, &diag, nullptr, &controls, 0);
  if (rc != LDAP_SUCCESS)
    fail(ld, rc, step);
  r.diagnostic = diag != nullptr ? diag : "";
  ldap_memfree(diag);
  r.controls.reset(controls);
  return r;
}

// A simple bind sent and waited for against the deadline; returns the server's answer.
final_result simple_bind(LDAP* ld, const std::string& dn, std::string& password, deadline until) {
  berval cred{password.size(), password.data()};
  int msgid = 0;
  const int rc = ldap_sasl_bind(ld, dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, &msgid);
  wipe(password);
  if (rc != LDAP_SUCCESS)
    fail(ld, rc, "bind");
  const auto msg = next_message(ld, msgid, until, "bind");
  return parse_final(ld, msg.get(), "bind");
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

std::unique_ptr<kerberos_credentials> kerberos_for(const directory& d) {
  try {
    return std::make_unique<kerberos_credentials>(d.keytab, d.principal);
  } catch (const std::runtime_error& e) {
    throw ldap_failure(LDAP_LOCAL_ERROR, std::string("bind: ") + e.what());
  }
}

// The SASL prompts of the GSSAPI mechanism (the authorization identity) each get their default.
int sasl_defaults(LDAP*, unsigned, void*, void* prompts) {
  for (auto* p = static_cast<sasl_interact_t*>(prompts); p->id != SASL_CB_LIST_END; ++p) {
    p->result = p->defresult != nullptr ? p->defresult : "";
    p->len = static_cast<unsigned>(std::strlen(static_cast<const char*>(p->result)));
  }
  return LDAP_SUCCESS;
}

// Binds with Kerberos as h.kerberos. Over TLS, no SASL security layer (Active Directory refuses
// one there); without TLS, a Kerberos confidentiality layer is required (SSF >= 56), so the
// session is sealed. The service ticket is for ldap/<host of the URI>, never a reverse lookup.
void gssapi_bind(ldap_handle& h, bool over_tls) {
  set_option(h.ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON, "SASL host canonicalisation");
  set_option(h.ld, LDAP_OPT_X_SASL_SECPROPS, over_tls ? "maxssf=0" : "minssf=56",
             "SASL security properties");
  kerberos_credentials::thread_scope tickets(*h.kerberos);
  const int rc = ldap_sasl_interactive_bind_s(h.ld, nullptr, "GSSAPI", nullptr, nullptr,
                                              LDAP_SASL_QUIET, sasl_defaults, nullptr);
  if (rc == LDAP_SUCCESS)
    return;
  const std::string step = "GSSAPI bind as " + h.kerberos->principal();
  if (over_tls && diagnostic(h.ld).find("Sign or Seal are required") != std::string::npos) {
    fail(h.ld, rc,
         step +
             " (this DC refuses Kerberos over TLS without a SASL layer: use ldap:// so that "
             "Kerberos seals the session, or allow SASL over TLS on the DC)");
  }
  fail(h.ld, rc, step);
}

int to_scope(ldap_scope s) {
  switch (s) {
    case ldap_scope::base:
      return LDAP_SCOPE_BASE;
    case ldap_scope::one_level:
      return LDAP_SCOPE_ONELEVEL;
    case ldap_scope::subtree:
      return LDAP_SCOPE_SUBTREE;
  }
  return LDAP_SCOPE_SUBTREE;
}

}  // namespace

bool ldap_failure::timed_out() const {
  return code_ == LDAP_TIMEOUT;
}

void ldap_library_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::setenv("LDAPNOINIT", "1", 1);  // no ldap.conf or .ldaprc: the inventory decides everything
    int version = 0;
    ldap_get_option(nullptr, LDAP_OPT_PROTOCOL_VERSION, &version);
  });
}

namespace {

// Why a TLS connection to d.uri failed, in words, or "" when that cannot be told before `until`.
// Connects again with the certificate requested but not required, so that the handshake
// completes: nothing is sent but the handshake (after StartTLS's request), then the connection
// is closed. The certificate is then checked against d.ca_file by certificate_problem.
std::string tls_failure_reason(const directory& d, bool starttls, deadline until) {
  try {
    auto h = make_handle(d.uri, d.ca_file, until, LDAP_OPT_X_TLS_ALLOW);
    return within(*h, until, "TLS diagnosis", [&]() -> std::string {
      const int rc = starttls ? ldap_start_tls_s(h->ld, nullptr, nullptr) : ldap_connect(h->ld);
      if (rc != LDAP_SUCCESS && !h->tcp_connected)
        return "nothing accepts TCP connections at " + d.uri;
      if (rc != LDAP_SUCCESS)
        return "the TLS handshake failed before any certificate was checked (is " + d.uri +
               " a TLS port of a directory server?)";
      berval der{};  // filled in; its bytes are the caller's to free
      if (ldap_get_option(h->ld, LDAP_OPT_X_TLS_PEERCERT, &der) != LDAP_OPT_SUCCESS ||
          der.bv_val == nullptr)
        return "the server presented no certificate";
      const std::string certificate(der.bv_val, der.bv_len);
      ldap_memfree(der.bv_val);
      std::string ca;
      try {
        ca = read_file_bounded(d.ca_file, kMaxCaFileBytes);
      } catch (const bounded_read_error& e) {
        return "ca_file " + d.ca_file + ": " + e.what();
      }
      const std::string problem =
          certificate_problem(certificate, ca, d.ca_file, ldap_uri_host(d.uri), std::time(nullptr));
      return problem.empty() ? "" : "TLS: " + problem;
    });
  } catch (const ldap_failure&) {
    return "";
  }
}

// Connects now if not yet connected and throws unless the session is TLS: nothing that should
// travel protected (a bind, a password) is sent on a connection that is not. A refused
// certificate is named (tls_failure_reason).
void require_tls(LDAP* ld, const directory& d, deadline until) {
  if (const int rc = ldap_connect(ld); rc != LDAP_SUCCESS)
    fail(ld, rc, "TLS connection (certificate checked against the inventory's CA)",
         tls_failure_reason(d, false, until));
  void* session = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_X_TLS_SSL_CTX, &session) != LDAP_OPT_SUCCESS ||
      session == nullptr) {
    throw ldap_failure(LDAP_CONNECT_ERROR,
                       "the connection is not protected by TLS: nothing is sent on it");
  }
}

}  // namespace

ldap_connection::ldap_connection(std::unique_ptr<ldap_handle> h, ldap_transport t)
    : handle_(std::move(h)), transport_(std::move(t)) {}

ldap_connection::~ldap_connection() = default;

std::unique_ptr<ldap_connection> ldap_connection::open(const directory& d, deadline until) {
  ldap_library_init();
  const bool gssapi = d.bind_method == "gssapi";
  const bool ldaps = starts_with_nocase(d.uri, "ldaps://");
  if ((ldaps || (!gssapi && !d.allow_plaintext)) && d.ca_file.empty()) {
    throw ldap_failure(LDAP_PARAM_ERROR, "no ca_file for " + d.uri +
                                             ": TLS is verified against the inventory's CA "
                                             "only, never the system's trust store");
  }
  auto h = make_handle(d.uri, d.ca_file, until);
  std::string password;
  struct wipe_on_exit {
    std::string& secret;
    ~wipe_on_exit() { wipe(secret); }
  } wiper{password};
  if (gssapi) {
    h->kerberos = kerberos_for(d);
  } else if (std::string why; !read_secret_file(d.password_file, password, why)) {
    throw ldap_failure(LDAP_PARAM_ERROR, "bind: " + why);
  }
  const std::string who = gssapi ? h->kerberos->principal() : d.bind_dn;
  ldap_transport transport;
  within(*h, until, "connect and bind to " + d.uri, [&] {
    if (ldaps) {
      transport = {"ldaps", true, false, who};
    } else if (gssapi) {
      transport = {"kerberos-sealed", false, true, who};
    } else if (!d.allow_plaintext) {
      const int rc = ldap_start_tls_s(h->ld, nullptr, nullptr);
      if (rc != LDAP_SUCCESS)
        fail(h->ld, rc, "StartTLS", tls_failure_reason(d, true, until));
      transport = {"starttls", true, false, who};
    } else {
      transport = {"plaintext", false, false, who};
    }
    if (transport.certificate_verified)
      require_tls(h->ld, d, until);
    if (gssapi) {
      gssapi_bind(*h, transport.certificate_verified);
      return;
    }
    const auto answer = simple_bind(h->ld, d.bind_dn, password, until);
    if (answer.code != LDAP_SUCCESS) {
      throw ldap_failure(answer.code,
                         "bind as " + d.bind_dn + ": " + ldap_err2string(answer.code) + " (" +
                             std::to_string(answer.code) + ")" +
                             (answer.diagnostic.empty() ? "" : ": " + answer.diagnostic));
    }
  });
  return std::unique_ptr<ldap_connection>(new ldap_connection(std::move(h), transport));
}

namespace {

// Reads the rest of a ranged attribute of `dn`, from `from` on, appending to `values`.
void fetch_remaining_range(LDAP* ld, const std::string& dn, const std::string& name,
                           unsigned long from, std::vector<std::string>& values, deadline until) {
  unsigned long next = from;
  for (bool more = true; more;) {
    const std::string wanted = name + ";range=" + std::to_string(next) + "-*";
    char* attrs[] = {const_cast<char*>(wanted.c_str()), nullptr};
    timeval left = time_left(until, "ranged retrieval");
    LDAPMessage* raw = nullptr;
    const int rc = ldap_search_ext_s(ld, dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0,
                                     nullptr, nullptr, &left, 0, &raw);
    message_ptr msg(raw);
    if (rc != LDAP_SUCCESS)
      fail(ld, rc, "ranged retrieval of " + name + " on " + dn);
    more = false;
    LDAPMessage* entry = ldap_first_entry(ld, msg.get());
    if (entry == nullptr)
      break;
    BerElement* ber = nullptr;
    for (char* a = ldap_first_attribute(ld, entry, &ber); a != nullptr;
         a = ldap_next_attribute(ld, entry, ber)) {
      const auto range = parse_ranged_attribute(a);
      if (range && starts_with_nocase(range->name, name) && range->name.size() == name.size()) {
        berval** v = ldap_get_values_len(ld, entry, a);
        for (int i = 0; v != nullptr && v[i] != nullptr; ++i)
          values.emplace_back(v[i]->bv_val, v[i]->bv_len);
        ldap_value_free_len(v);
        more = range->next.has_value();
        next = range->next.value_or(0);
      }
      ldap_memfree(a);
    }
    ber_free(ber, 0);
  }
}

ldap_entry read_entry(LDAP* ld, LDAPMessage* msg, deadline until) {
  ldap_entry e;
  char* dn = ldap_get_dn(ld, msg);
  e.dn = dn != nullptr ? dn : "";
  ldap_memfree(dn);
  BerElement* ber = nullptr;
  std::vector<std::pair<std::string, unsigned long>> unfinished;
  for (char* a = ldap_first_attribute(ld, msg, &ber); a != nullptr;
       a = ldap_next_attribute(ld, msg, ber)) {
    const auto range = parse_ranged_attribute(a);
    auto& values = e.attributes[range ? range->name : std::string(a)];
    berval** v = ldap_get_values_len(ld, msg, a);
    for (int i = 0; v != nullptr && v[i] != nullptr; ++i)
      values.emplace_back(v[i]->bv_val, v[i]->bv_len);
    ldap_value_free_len(v);
    if (range && range->next)
      unfinished.emplace_back(range->name, *range->next);
    ldap_memfree(a);
  }
  ber_free(ber, 0);
  for (const auto& [name, from] : unfinished)
    fetch_remaining_range(ld, e.dn, name, from, e.attributes[name], until);
  return e;
}

// The SD_FLAGS control (MS-ADTS 3.1.1.3.4.1.11: SEQUENCE { Flags INTEGER }), critical: a server
// that does not know it fails the search rather than returning another part of the descriptor.
LDAPControl* sd_flags_control(int flags) {
  BerElement* ber = ber_alloc_t(LBER_USE_DER);
  berval* value = nullptr;
  LDAPControl* control = nullptr;
  if (ber != nullptr && ber_printf(ber, "{i}", flags) != -1 && ber_flatten(ber, &value) == 0)
    ldap_control_create("1.2.840.113556.1.4.801", 1, value, 1, &control);
  ber_free(ber, 1);
  ber_bvfree(value);
  if (control == nullptr)
    throw ldap_failure(LDAP_NO_MEMORY, "building the SD_FLAGS control");
  return control;
}

std::size_t paged_search(LDAP* ld, const ldap_query& q,
                         const std::function<void(const ldap_entry&)>& on_entry, deadline until,
                         search_limits limits) {
  std::vector<char*> attrs;
  for (const auto& a : q.attributes)
    attrs.push_back(const_cast<char*>(a.c_str()));
  attrs.push_back(nullptr);
  const std::string step = "search " + q.filter + " under \"" + q.base + "\"";
  std::size_t count = 0;
  berval* cookie = nullptr;
  struct cookie_guard {
    berval*& c;
    ~cookie_guard() { ber_bvfree(c); }
  } guard{cookie};
  do {
    LDAPControl* raw_page = nullptr;
    int rc = ldap_create_page_control(ld, limits.page_size, cookie, 0, &raw_page);
    const control_ptr page(raw_page);
    if (rc != LDAP_SUCCESS)
      fail(ld, rc, step);
    const control_ptr sd_flags(q.sd_flags != 0 ? sd_flags_control(q.sd_flags) : nullptr);
    LDAPControl* controls[] = {page.get(), sd_flags.get(), nullptr};
    timeval left = time_left(until, step.c_str());
    int msgid = 0;
    rc = ldap_search_ext(ld, q.base.c_str(), to_scope(q.scope), q.filter.c_str(), attrs.data(), 0,
                         controls, nullptr, &left, 0, &msgid);
    if (rc != LDAP_SUCCESS)
      fail(ld, rc, step);
    for (;;) {
      auto msg = next_message(ld, msgid, until, step.c_str());
      const int type = ldap_msgtype(msg.get());
      if (type == LDAP_RES_SEARCH_ENTRY) {
        if (++count > limits.max_entries) {
          ldap_abandon_ext(ld, msgid, nullptr, nullptr);
          throw ldap_failure(LDAP_SIZELIMIT_EXCEEDED, step + ": more than " +
                                                          std::to_string(limits.max_entries) +
                                                          " entries (the size cap)");
        }
        on_entry(read_entry(ld, msg.get(), until));
        continue;
      }
      if (type == LDAP_RES_SEARCH_REFERENCE)
        continue;
      const auto result = parse_final(ld, msg.get(), step.c_str());
      if (result.code != LDAP_SUCCESS) {
        throw ldap_failure(result.code,
                           step + ": " + ldap_err2string(result.code) + " (" +
                               std::to_string(result.code) + ")" +
                               (result.diagnostic.empty() ? "" : ": " + result.diagnostic));
      }
      ber_bvfree(cookie);
      cookie = nullptr;
      LDAPControl* response =
          ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, result.controls.get(), nullptr);
      if (response != nullptr) {
        ber_int_t estimate = 0;
        berval next{};
        if (ldap_parse_pageresponse_control(ld, response, &estimate, &next) == LDAP_SUCCESS &&
            next.bv_len > 0) {
          cookie = ber_bvdup(&next);
        }
        ber_memfree(next.bv_val);
      }
      break;
    }
  } while (cookie != nullptr);
  return count;
}

}  // namespace

std::size_t ldap_connection::search(const ldap_query& q,
                                    const std::function<void(const ldap_entry&)>& on_entry,
                                    deadline until, search_limits limits) {
  return within(*handle_, until, "search " + q.filter + " under \"" + q.base + "\"",
                [&] { return paged_search(handle_->ld, q, on_entry, until, limits); });
}

std::string ldap_uri_host(const std::string& uri) {
  LDAPURLDesc* desc = nullptr;
  if (ldap_url_parse(uri.c_str(), &desc) != LDAP_URL_SUCCESS)
    return "";
  std::string host = desc->lud_host != nullptr ? desc->lud_host : "";
  ldap_free_urldesc(desc);
  return host;
}

plaintext_bind_probe probe_plaintext_simple_bind(const std::string& host, unsigned port,
                                                 const std::string& realm, deadline until) {
  ldap_library_init();
  plaintext_bind_probe probe;
  unsigned char random[12];
  if (RAND_bytes(random, sizeof random) != 1) {
    probe.detail = "no random bytes for the probe's throw-away password";
    return probe;
  }
  std::string password;
  for (const unsigned char b : random) {
    static constexpr char hex[] = "0123456789abcdef";
    password += hex[b >> 4];
    password += hex[b & 15];
  }
  const std::string who = "cloison-plaintext-probe-" + password.substr(0, 8) + "@" + realm;
  const bool v6 = host.find(':') != std::string::npos;
  const std::string uri = "ldap://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  try {
    auto h = make_handle(uri, "", until);
    const auto answer = within(*h, until, "bind to " + uri,
                               [&] { return simple_bind(h->ld, who, password, until); });
    const bool refused =
        answer.code == LDAP_STRONG_AUTH_REQUIRED || answer.code == LDAP_CONFIDENTIALITY_REQUIRED;
    probe.verdict = refused ? plaintext_bind::refused : plaintext_bind::accepted;
    probe.detail = "simple bind in clear as " + who +
                   " (a name that does not exist): " + ldap_err2string(answer.code) + " (" +
                   std::to_string(answer.code) + ")" +
                   (answer.diagnostic.empty() ? "" : ": " + answer.diagnostic);
  } catch (const ldap_failure& e) {
    probe.detail = e.what();
  }
  return probe;
}

}  // namespace cloison
