// The strength of a certification authority's certificate as Active Directory publishes it
// (cACertificate, DER), by the levels of ANSSI's certificates_vuln control: level 1 for a DSA key
// or an RSA key under 1,024 bits, level 3 for an RSA key under 2,048 bits, an RSA exponent under
// 65,537 or a signature whose digest is not SHA-2 or SHA-3. Pure function over OpenSSL's DER
// decoder: no I/O, thread-safe, never throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

struct ca_certificate_findings {
  std::string subject;              // RFC 2253 ("CN=BACKUP-CA,DC=backup,DC=lab")
  std::vector<std::string> level1;  // "DSA key", "RSA key of 512 bits (< 1024)"
  std::vector<std::string> level3;  // "RSA key of 1024 bits (< 2048)", "signed with SHA1", ...
};

// Judges one DER certificate; nullopt when the bytes are not one (ANSSI level 2: undecodable).
// The ROCA fingerprint (Infineon keys) is not tested.
std::optional<ca_certificate_findings> judge_ca_certificate(std::string_view der);

}  // namespace cloison
