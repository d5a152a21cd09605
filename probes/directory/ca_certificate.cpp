#include "probes/directory/ca_certificate.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <memory>

namespace cloison {

namespace {

constexpr int kMinimumRsaBits = 1024;
constexpr int kRecommendedRsaBits = 2048;
constexpr unsigned long kMinimumRsaExponent = 65537;

std::string rfc2253(const X509_NAME* name) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  if (!out || X509_NAME_print_ex(out.get(), name, 0, XN_FLAG_RFC2253) < 0)
    return "";
  char* text = nullptr;
  const auto size = BIO_get_mem_data(out.get(), &text);
  return size > 0 ? std::string(text, static_cast<std::size_t>(size)) : "";
}

bool strong_digest(int digest) {
  switch (digest) {
    case NID_sha224:
    case NID_sha256:
    case NID_sha384:
    case NID_sha512:
    case NID_sha512_224:
    case NID_sha512_256:
    case NID_sha3_224:
    case NID_sha3_256:
    case NID_sha3_384:
    case NID_sha3_512:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<ca_certificate_findings> judge_ca_certificate(std::string_view der) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(der.data());
  const std::unique_ptr<X509, decltype(&X509_free)> cert(
      d2i_X509(nullptr, &bytes, static_cast<long>(der.size())), X509_free);
  if (!cert || bytes != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return std::nullopt;
  const EVP_PKEY* key = X509_get0_pubkey(cert.get());
  if (!key)
    return std::nullopt;
  ca_certificate_findings out{rfc2253(X509_get_subject_name(cert.get())), {}, {}};
  const int bits = EVP_PKEY_get_bits(key);
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_DSA) {
    out.level1.push_back("DSA key");
  } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
    const auto size = "RSA key of " + std::to_string(bits) + " bits";
    if (bits < kMinimumRsaBits)
      out.level1.push_back(size + " (< 1024)");
    else if (bits < kRecommendedRsaBits)
      out.level3.push_back(size + " (< 2048)");
    BIGNUM* exponent = nullptr;
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &exponent) == 1) {
      const auto e = BN_get_word(exponent);
      if (e < kMinimumRsaExponent)
        out.level3.push_back("RSA exponent " + std::to_string(e) + " (< 65537)");
      BN_free(exponent);
    }
  }
  int digest = NID_undef;
  if (OBJ_find_sigid_algs(X509_get_signature_nid(cert.get()), &digest, nullptr) != 1 ||
      !strong_digest(digest)) {
    const char* name =
        OBJ_nid2sn(digest == NID_undef ? X509_get_signature_nid(cert.get()) : digest);
    out.level3.push_back(std::string("signed with ") + (name ? name : "an unknown algorithm"));
  }
  return out;
}

}  // namespace cloison
