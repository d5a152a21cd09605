#include "probes/transport/secret_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "core/bounded_read.h"

namespace cloison {

bool read_secret_file(const std::string& path, std::string& into, std::string& why) {
  wipe(into);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    why = "the secret file " + path + " is open to group or others (mode " + mode +
          "): chmod 600 " + path;
    return false;
  }
  try {
    into = read_file_bounded(path, kMaxSecretFileBytes);  // one buffer: no copy left behind
  } catch (const bounded_read_error& e) {
    using kind = bounded_read_error::kind;
    why = e.why() == kind::cannot_read ? "cannot read the secret file " + path + ": " + e.detail()
          : e.why() == kind::too_large ? "the secret file " + path + " is larger than " +
                                             std::to_string(kMaxSecretFileBytes) + " bytes"
          : e.why() == kind::not_regular ? "the secret file " + path + " is not a regular file"
                                         : "the secret file " + path + " " + e.what();
    return false;
  }
  const auto eol = std::min(into.find_first_of("\r\n"), into.size());
  std::fill(into.begin() + static_cast<std::ptrdiff_t>(eol), into.end(), '\0');
  into.resize(eol);
  return true;
}

void wipe(std::string& secret) {
  volatile char* p = secret.data();
  for (std::size_t i = 0; i < secret.size(); ++i)
    p[i] = '\0';
  secret.clear();
}

}  // namespace cloison
