#include "core/signature.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <memory>

#include "core/observation.h"

namespace cloison {

namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

pkey_ptr public_key_of_pem(std::string_view pem) {
  bio_ptr in(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  pkey_ptr key(in ? PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr) : nullptr,
               &EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519)
    return pkey_ptr(nullptr, &EVP_PKEY_free);
  return key;
}

}  // namespace

signature_check verify_signature(std::string_view public_pem, std::string_view message,
                                 std::string_view signature) {
  const auto key = public_key_of_pem(public_pem);
  if (!key)
    return signature_check::bad_key;
  md_ctx_ptr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  const bool valid =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  return valid ? signature_check::valid : signature_check::invalid;
}

std::string public_key_fingerprint(std::string_view public_pem) {
  const auto key = public_key_of_pem(public_pem);
  if (!key)
    return "";
  std::array<unsigned char, 32> raw{};
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &length) != 1 || length != raw.size())
    return "";
  return sha256_hex(std::string_view(reinterpret_cast<const char*>(raw.data()), length));
}

}  // namespace cloison
