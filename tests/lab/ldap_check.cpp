// ldap_check: one search through cloison's LDAP client, or its plaintext-bind probe, printed.
// Used by tests/lab/ldap_test.sh inside the lab (`lab exec admin -- ldap_check ...`).
//
//   ldap_check [--timeout SECONDS] [--cap N] [--page N] [--plaintext]
//              URI BIND_DN PASSWORD_FILE CA_FILE BASE base|one|sub FILTER ATTR...
//   ldap_check --probe-plaintext [--timeout SECONDS] HOST PORT REALM
//
// Prints "transport: KIND verified=0|1", one "dn: DN" line per entry followed by
// "  ATTR: N values" lines and, for text values, "  ATTR= VALUE" lines, then "entries: N" and
// "elapsed-ms: N"; on failure "failure: TEXT". The probe prints "verdict: " and "detail: ".
// Exit status: 0 success, 1 failure, 64 usage.
#include <chrono>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "probes/directory/ldap_client.h"

namespace {

int usage() {
  std::cerr << "usage: ldap_check [--timeout S] [--cap N] [--page N] [--plaintext]\n"
               "                  URI BIND_DN PASSWORD_FILE CA_FILE BASE base|one|sub FILTER "
               "ATTR...\n"
               "       ldap_check --probe-plaintext [--timeout S] HOST PORT REALM\n";
  return 64;
}

bool printable(const std::string& v) {
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f)
      return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cloison;
  std::vector<std::string> args(argv + 1, argv + argc);
  double timeout_s = 10;
  search_limits limits;
  bool plaintext = false, probe = false;
  std::size_t i = 0;
  try {
    for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
      if (args[i] == "--plaintext") {
        plaintext = true;
      } else if (args[i] == "--probe-plaintext") {
        probe = true;
      } else if (i + 1 < args.size() && args[i] == "--timeout") {
        timeout_s = std::stod(args[++i]);
      } else if (i + 1 < args.size() && args[i] == "--cap") {
        limits.max_entries = std::stoul(args[++i]);
      } else if (i + 1 < args.size() && args[i] == "--page") {
        limits.page_size = std::stoi(args[++i]);
      } else {
        return usage();
      }
    }
  } catch (const std::exception&) {
    return usage();
  }
  std::signal(SIGPIPE, SIG_IGN);  // as cloison's main does
  ldap_library_init();
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
  const auto elapsed = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  if (probe) {
    if (args.size() - i != 3)
      return usage();
    const auto r = probe_plaintext_simple_bind(
        args[i], static_cast<unsigned>(std::stoul(args[i + 1])), args[i + 2], until);
    const char* verdict = r.verdict == plaintext_bind::refused    ? "refused"
                          : r.verdict == plaintext_bind::accepted ? "accepted"
                                                                  : "unreachable";
    std::cout << "verdict: " << verdict << "\ndetail: " << r.detail << "\nelapsed-ms: " << elapsed()
              << "\n";
    return 0;
  }
  if (args.size() - i < 8)
    return usage();
  directory d;
  d.uri = args[i];
  d.bind_dn = args[i + 1];
  d.password_file = args[i + 2];
  d.ca_file = args[i + 3];
  d.allow_plaintext = plaintext;
  ldap_query q;
  q.base = args[i + 4];
  const std::string scope = args[i + 5];
  q.scope = scope == "base"  ? ldap_scope::base
            : scope == "one" ? ldap_scope::one_level
                             : ldap_scope::subtree;
  q.filter = args[i + 6];
  q.attributes.assign(args.begin() + static_cast<std::ptrdiff_t>(i + 7), args.end());
  try {
    auto conn = ldap_connection::open(d, until);
    std::cout << "transport: " << conn->transport().kind
              << " verified=" << conn->transport().certificate_verified << "\n";
    const auto n = conn->search(
        q,
        [](const ldap_entry& e) {
          std::cout << "dn: " << e.dn << "\n";
          for (const auto& [name, values] : e.attributes) {
            std::cout << "  " << name << ": " << values.size() << " values\n";
            for (const auto& v : values) {
              if (printable(v))
                std::cout << "  " << name << "= " << v << "\n";
            }
          }
        },
        until, limits);
    std::cout << "entries: " << n << "\nelapsed-ms: " << elapsed() << "\n";
    return 0;
  } catch (const ldap_failure& e) {
    std::cout << "failure: " << e.what() << "\nelapsed-ms: " << elapsed() << "\n";
    return 1;
  }
}
