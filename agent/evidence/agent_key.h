// The agent's signing key: an Ed25519 key pair (OpenSSL EVP) that signs evidence bundles.
// Generated on first use; the private key file is created atomically with mode 0600 (a fresh
// O_EXCL temporary file, then link(2), so two agents starting at once end up with the same key),
// its missing folders with mode 0700. The fingerprint is the lowercase hex SHA-256 of the raw
// 32-byte public key (core/signature.h, which also checks signatures). Thread-safe after loading.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>

#include "agent/report/report.h"
#include "core/signature.h"

namespace cloison {

inline constexpr const char* kDefaultKeyFile = "/var/lib/cloison/agent-key.pem";
inline constexpr const char* kKeyFileVariable = "CLOISON_KEY_FILE";

// The key file to use: `option` when non-empty, else $CLOISON_KEY_FILE when set, else the default.
std::string agent_key_path(const std::string& option);

class agent_key {
 public:
  // Loads the private key at `path`, creating it first when the file does not exist. Throws
  // std::runtime_error when the file cannot be created or read, is not a regular file, is
  // readable or writable by group or others, or holds anything but an Ed25519 private key.
  static agent_key load_or_create(const std::string& path);

  // Ed25519 signature (64 bytes) of `message`. Throws std::runtime_error when OpenSSL fails.
  std::string sign(std::string_view message) const;
  const std::string& public_key_pem() const { return public_pem_; }
  const std::string& fingerprint() const { return fingerprint_; }
  // What report.json records about the key (field `signing`).
  signing_info info() const;

 private:
  explicit agent_key(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string public_pem_;
  std::string fingerprint_;
};

}  // namespace cloison
