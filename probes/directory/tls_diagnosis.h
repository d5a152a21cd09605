// Why a directory server's TLS certificate was refused, in words. libldap reports a refused
// certificate as "Can't contact LDAP server (-1)", the same as a server that is down; the
// directory client fetches the certificate again without trusting it and asks this function why
// the inventory's CA refuses it.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace cloison {

// Verifies `certificate_der` (the server's certificate, DER) against the PEM certificates of
// `ca_pem` (the content of the inventory's ca_file, named `ca_file` in the sentence), for `host`
// (the host of the URI: a DNS name or an IP literal), at time `now`. Returns "" when it verifies;
// otherwise one sentence that names the problem: the issuer that ca_file does not hold (and the
// CAs it holds), the validity dates, or the names the certificate carries instead of `host`.
// An unreadable certificate or a ca_file without certificates is itself the sentence.
// Pure (no I/O); bounded by its inputs; thread-safe.
std::string certificate_problem(std::string_view certificate_der, std::string_view ca_pem,
                                const std::string& ca_file, const std::string& host,
                                std::time_t now);

}  // namespace cloison
