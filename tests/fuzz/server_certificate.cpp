// libFuzzer harness of certificate_problem (probes/directory/tls_diagnosis.h): the input is the
// certificate a hostile directory server presents (DER), checked against the backup CA of
// tests/data/tls for a DNS name and an IP address; the same bytes are also read as the ca_file.
// A sentence or "", never a crash, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "probes/directory/tls_diagnosis.h"

namespace {

std::string backup_ca() {
  std::ifstream in(CLOISON_TEST_DATA "/tls/backup-ca.pem");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cloison::certificate_problem;
  static const std::string ca = backup_ca();
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)certificate_problem(input, ca, "ca.pem", "dc1.backup.example", 1800000000);
  (void)certificate_problem(input, ca, "ca.pem", "192.0.2.10", 1800000000);
  (void)certificate_problem(input, input, "ca.pem", "dc1.backup.example", 1800000000);
  return 0;
}
