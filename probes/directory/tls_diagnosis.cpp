#include "probes/directory/tls_diagnosis.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <vector>

namespace cloison {

namespace {

template <auto Free>
struct openssl_deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509_free>>;
using store_ptr = std::unique_ptr<X509_STORE, openssl_deleter<X509_STORE_free>>;
using store_ctx_ptr = std::unique_ptr<X509_STORE_CTX, openssl_deleter<X509_STORE_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free>>;
using names_ptr = std::unique_ptr<GENERAL_NAMES, openssl_deleter<GENERAL_NAMES_free>>;

std::string text_of(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string name_text(const X509_NAME* name) {
  bio_ptr b(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(b.get(), name, 0, XN_FLAG_RFC2253);
  return text_of(b.get());
}

// "2036-11-30 16:32 UTC"
std::string time_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1)
    return "an unreadable date";
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%d %H:%M UTC", &tm);
  return out;
}

std::vector<x509_ptr> read_certificates(std::string_view pem) {
  std::vector<x509_ptr> certificates;
  bio_ptr b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* c = PEM_read_bio_X509(b.get(), nullptr, nullptr, nullptr))
    certificates.emplace_back(c);
  return certificates;
}

// The DNS names and addresses of the subjectAltName, else the subject's CN.
std::string names_of(X509* certificate) {
  std::string names;
  const auto add = [&names](const std::string& n) { names += (names.empty() ? "" : ", ") + n; };
  names_ptr alt(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; alt && i < sk_GENERAL_NAME_num(alt.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(alt.get(), i);
    if (g->type == GEN_DNS) {
      const auto* s = g->d.dNSName;
      add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                      static_cast<std::size_t>(ASN1_STRING_length(s))));
    } else if (g->type == GEN_IPADD) {
      const auto* ip = g->d.iPAddress;
      const int family = ASN1_STRING_length(ip) == 4 ? AF_INET : AF_INET6;
      char text[INET6_ADDRSTRLEN] = "";
      if (ASN1_STRING_length(ip) == 4 || ASN1_STRING_length(ip) == 16)
        inet_ntop(family, ASN1_STRING_get0_data(ip), text, sizeof text);
      add(text);
    }
  }
  return names.empty() ? name_text(X509_get_subject_name(certificate)) : names;
}

}  // namespace

std::string certificate_problem(std::string_view certificate_der, std::string_view ca_pem,
                                const std::string& ca_file, const std::string& host,
                                std::time_t now) {
  const auto* der = reinterpret_cast<const unsigned char*>(certificate_der.data());
  x509_ptr certificate(d2i_X509(nullptr, &der, static_cast<long>(certificate_der.size())));
  if (!certificate)
    return "the server's certificate cannot be read";
  const auto cas = read_certificates(ca_pem);
  if (cas.empty())
    return "ca_file " + ca_file + " holds no PEM certificate";

  store_ptr store(X509_STORE_new());
  std::string ca_names;
  for (const auto& ca : cas) {
    X509_STORE_add_cert(store.get(), ca.get());
    ca_names += (ca_names.empty() ? "" : "; ") + name_text(X509_get_subject_name(ca.get()));
  }
  store_ctx_ptr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), certificate.get(), nullptr) != 1)
    return "the certificate could not be checked (out of memory)";
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, now);
  in6_addr any{};
  const bool ip =
      inet_pton(AF_INET, host.c_str(), &any) == 1 || inet_pton(AF_INET6, host.c_str(), &any) == 1;
  if (ip)
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  else
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  if (X509_verify_cert(ctx.get()) == 1)
    return "";

  const std::string subject =
      "the server's certificate (" + name_text(X509_get_subject_name(certificate.get())) + ")";
  switch (const int error = X509_STORE_CTX_get_error(ctx.get())) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return subject + " is issued by " + name_text(X509_get_issuer_name(certificate.get())) +
             ", a CA that ca_file " + ca_file + " does not hold (it holds: " + ca_names +
             "): the inventory names another CA than the one that signed the server's certificate";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return subject + " expired on " + time_text(X509_get0_notAfter(certificate.get()));
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return subject + " is valid only from " + time_text(X509_get0_notBefore(certificate.get())) +
             " (is this machine's clock right?)";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return subject + " is for " + names_of(certificate.get()) + ", not for " + host +
             ", the host of the inventory's uri";
    default:
      return subject + " does not verify against ca_file " + ca_file + ": " +
             X509_verify_cert_error_string(error);
  }
}

}  // namespace cloison
