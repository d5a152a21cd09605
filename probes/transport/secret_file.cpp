#include "probes/transport/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cloison {

bool read_secret_file(const std::string& path, std::string& into, std::string& why) {
  wipe(into);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = "cannot read the secret file " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string problem;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem = "the secret file " + path + " is not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    problem = "the secret file " + path + " is open to group or others (mode " + mode +
              "): chmod 600 " + path;
  } else if (static_cast<std::size_t>(st.st_size) > kMaxSecretFileBytes) {
    problem = "the secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
              " bytes";
  } else {
    into.resize(static_cast<std::size_t>(st.st_size));  // one buffer: no copy left behind
    std::size_t done = 0;
    for (ssize_t n; done < into.size(); done += static_cast<std::size_t>(n)) {
      n = ::read(fd, into.data() + done, into.size() - done);
      if (n < 0 && errno == EINTR) {
        n = 0;
        continue;
      }
      if (n <= 0)
        break;
    }
    std::fill(into.begin() + static_cast<std::ptrdiff_t>(done), into.end(), '\0');
    const auto eol = std::min(into.find_first_of("\r\n"), done);
    std::fill(into.begin() + static_cast<std::ptrdiff_t>(eol), into.end(), '\0');
    into.resize(eol);
  }
  ::close(fd);
  if (!problem.empty()) {
    wipe(into);
    why = problem;
    return false;
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
