// Reading input that comes from elsewhere (reports, keys, evidence files) within bounds set
// before a byte is parsed. Pure functions over the file system; thread-safe.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cloison {

// Why read_file_bounded refused a file; what() says it in English, without the path.
class bounded_read_error : public std::runtime_error {
 public:
  enum class kind { cannot_read, not_regular, too_large, changed };
  bounded_read_error(kind k, std::string detail, const std::string& what)
      : std::runtime_error(what), kind_(k), detail_(std::move(detail)) {}
  kind why() const { return kind_; }
  // cannot_read: the system's error text; too_large: the file's size in bytes.
  const std::string& detail() const { return detail_; }

 private:
  kind kind_;
  std::string detail_;
};

// The bytes of the regular file `path`, read into one buffer of its size (plus one byte, to
// notice a file that grows). Throws bounded_read_error when it cannot be read, is not a regular
// file, is larger than `max_bytes` (refused before any byte is read) or changed while read.
std::string read_file_bounded(const std::string& path, std::size_t max_bytes);

// The deepest nesting of JSON arrays and objects in `text` (brackets inside strings do not
// count): measured before a parser builds the document.
std::size_t json_depth(std::string_view text);

}  // namespace cloison
