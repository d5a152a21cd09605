// Checking Ed25519 signatures (OpenSSL EVP): what a reader needs to trust material signed by a
// cloison agent (agent/evidence/agent_key.h signs), whether an evidence bundle or a
// collected-evidence file. The fingerprint of a key is the lowercase hex SHA-256 of its raw 32-byte
// public key (docs/evidence-bundle.md shows how to recompute it with openssl). Functions never
// throw and are thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cloison {

// The result of checking an Ed25519 signature against a public key in PEM form.
enum class signature_check { valid, invalid, bad_key };

// Checks `signature` over `message` with the Ed25519 public key `public_pem` (SubjectPublicKeyInfo
// PEM). bad_key when `public_pem` is no Ed25519 public key.
signature_check verify_signature(std::string_view public_pem, std::string_view message,
                                 std::string_view signature);

// The fingerprint of an Ed25519 public key in PEM form; empty when it is no such key.
std::string public_key_fingerprint(std::string_view public_pem);

}  // namespace cloison
