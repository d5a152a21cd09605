#include "core/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace cloison {

std::string read_file_bounded(const std::string& path, std::size_t max_bytes) {
  using kind = bounded_read_error::kind;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const std::string why = std::strerror(errno);
    throw bounded_read_error(kind::cannot_read, why, "cannot read: " + why);
  }
  struct stat st {};
  std::string bytes;
  std::optional<bounded_read_error> problem;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    problem.emplace(kind::not_regular, "", "not a regular file");
  } else if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    const auto size = std::to_string(st.st_size);
    problem.emplace(kind::too_large, size,
                    "too large (" + size + " bytes, limit " + std::to_string(max_bytes) + ")");
  } else {
    bytes.resize(static_cast<std::size_t>(st.st_size) + 1);  // +1: notices a file that grew
    std::size_t done = 0;
    for (ssize_t n; done < bytes.size(); done += static_cast<std::size_t>(n)) {
      n = ::read(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) {
        n = 0;
        continue;
      }
      if (n <= 0)
        break;
    }
    bytes.resize(done);
    if (done > static_cast<std::size_t>(st.st_size))
      problem.emplace(kind::changed, "", "changed while it was read");
  }
  ::close(fd);
  if (problem)
    throw *problem;
  return bytes;
}

std::size_t json_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace cloison
