// A file replaced atomically: written to a temporary file beside it, then renamed over it. The
// temporary file is created exclusively under an unpredictable name (mkostemp: O_CREAT|O_EXCL,
// so a symlink or file planted in the folder is never written through). Not thread-safe: one
// writer per object.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

namespace cloison {

class atomic_file {
 public:
  // Creates the temporary file "<path>.tmp.XXXXXX" with `mode`. Throws std::runtime_error naming
  // the path on failure.
  explicit atomic_file(std::string path, mode_t mode = 0640);
  // Removes the temporary file unless commit() succeeded.
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  int fd() const { return fd_; }
  // Writes all of `bytes` (retrying on EINTR). Throws std::runtime_error on failure.
  void write(std::string_view bytes);
  // Closes the file and renames it over the path. With `sync`, the file is flushed first and the
  // folder after. Throws std::runtime_error on failure; the path is then left untouched.
  void commit(bool sync = true);

 private:
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace cloison
