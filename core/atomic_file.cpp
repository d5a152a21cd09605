#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace cloison {

namespace {

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error("cannot write " + what + ": " + std::strerror(error));
}

}  // namespace

atomic_file::atomic_file(std::string path, mode_t mode)
    : path_(std::move(path)), tmp_(path_ + ".tmp.XXXXXX") {
  fd_ = ::mkostemp(tmp_.data(), O_CLOEXEC);
  if (fd_ < 0)
    fail(path_, errno);
  if (::fchmod(fd_, mode) != 0) {
    const int e = errno;
    ::close(fd_);
    ::unlink(tmp_.c_str());
    fail(path_, e);
  }
}

atomic_file::~atomic_file() {
  if (committed_)
    return;
  if (fd_ >= 0)
    ::close(fd_);
  ::unlink(tmp_.c_str());
}

void atomic_file::write(std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail(path_, errno);
    done += static_cast<std::size_t>(n);
  }
}

void atomic_file::commit(bool sync) {
  const int fd = fd_;
  fd_ = -1;
  if ((sync && ::fsync(fd) != 0) || ::close(fd) != 0 ||
      std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    fail(path_, errno);
  }
  committed_ = true;
  if (!sync)
    return;
  const auto folder = std::filesystem::path(path_).parent_path();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    const int e = errno;
    if (dir >= 0)
      ::close(dir);
    fail(folder.string(), e);
  }
  ::close(dir);
}

}  // namespace cloison
