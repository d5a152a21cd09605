#include "probes/transport/secret_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace cloison {

bool read_secret_file(const std::string& path, std::string& into, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot read the secret file " + path + ": " + std::strerror(errno);
    return false;
  }
  into.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  const auto eol = into.find_first_of("\r\n");
  if (eol != std::string::npos) {
    std::fill(into.begin() + static_cast<std::ptrdiff_t>(eol), into.end(), '\0');
    into.resize(eol);
  }
  return true;
}

void wipe(std::string& secret) {
  volatile char* p = secret.data();
  for (std::size_t i = 0; i < secret.size(); ++i)
    p[i] = '\0';
  secret.clear();
}

}  // namespace cloison
