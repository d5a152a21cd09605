// Text too large to keep in memory for a whole run (the per-pair table of a sweep of every TCP
// port: tens of megabytes), kept in an anonymous temporary file instead. Written once, then read
// any number of times. The file has no name (O_TMPFILE, or created and unlinked at once) and is
// gone when the object is destroyed, whatever the exit path.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace cloison {

class spooled_text {
 public:
  // Creates the file in `folder` (TMPDIR when set, else /tmp). Throws std::runtime_error naming the
  // folder when it cannot be created.
  spooled_text();
  explicit spooled_text(const std::string& folder);
  ~spooled_text();
  spooled_text(const spooled_text&) = delete;
  spooled_text& operator=(const spooled_text&) = delete;

  // Adds `text` at the end, through a 64 KiB buffer. Throws std::runtime_error when the file cannot
  // be written (disk full). Not thread-safe.
  void append(std::string_view text);
  // Writes what is buffered. Call it before reading; append() may be called after.
  void flush();

  // Bytes appended so far.
  std::size_t size() const { return size_; }
  // Calls `sink` with the flushed content in order, in pieces of at most 64 KiB. Throws
  // std::runtime_error on a read failure. Thread-safe between flushes (positioned reads).
  void read(const std::function<void(std::string_view)>& sink) const;
  // The first `n` bytes of the flushed content (fewer when it is shorter).
  std::string prefix(std::size_t n) const;

 private:
  void read_range(std::size_t limit, const std::function<void(std::string_view)>& sink) const;

  int fd_ = -1;
  std::string buffer_;
  std::size_t size_ = 0;
  std::string folder_;
};

}  // namespace cloison
