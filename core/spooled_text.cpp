#include "core/spooled_text.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace cloison {

namespace {

constexpr std::size_t kPiece = 64 * 1024;

[[noreturn]] void fail(const std::string& what, const std::string& folder, int error) {
  throw std::runtime_error("cannot " + what + " a temporary file in " + folder + ": " +
                           std::strerror(error));
}

std::string temporary_folder() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

}  // namespace

spooled_text::spooled_text() : spooled_text(temporary_folder()) {}

spooled_text::spooled_text(const std::string& folder) : folder_(folder) {
  fd_ = ::open(folder.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR)) {  // file systems without O_TMPFILE
    std::string name = folder + "/cloison-spool.XXXXXX";
    fd_ = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd_ >= 0)
      ::unlink(name.c_str());
  }
  if (fd_ < 0)
    fail("create", folder_, errno);
  buffer_.reserve(kPiece);
}

spooled_text::~spooled_text() {
  ::close(fd_);
}

void spooled_text::append(std::string_view text) {
  if (buffer_.size() + text.size() > kPiece)
    flush();
  buffer_ += text;  // size_ is always what the file holds plus what is buffered
  size_ += text.size();
  if (buffer_.size() >= kPiece)
    flush();
}

void spooled_text::flush() {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int e = errno;
      buffer_.erase(0, done);  // written once, never again
      fail("write", folder_, e);
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void spooled_text::read_range(std::size_t limit,
                              const std::function<void(std::string_view)>& sink) const {
  if (!buffer_.empty())
    throw std::logic_error("spooled text read before it was flushed");
  std::array<char, kPiece> piece{};
  for (std::size_t offset = 0; offset < limit;) {
    const ssize_t n = ::pread(fd_, piece.data(), std::min(piece.size(), limit - offset),
                              static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("read", folder_, errno);
    if (n == 0)
      return;
    sink(std::string_view(piece.data(), static_cast<std::size_t>(n)));
    offset += static_cast<std::size_t>(n);
  }
}

void spooled_text::read(const std::function<void(std::string_view)>& sink) const {
  read_range(size_, sink);
}

std::string spooled_text::prefix(std::size_t n) const {
  std::string out;
  read_range(std::min(n, size_), [&](std::string_view piece) { out += piece; });
  return out;
}

}  // namespace cloison
