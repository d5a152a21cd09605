// Located diagnostics for configuration files (inventories, policies, waivers): every problem is
// collected with file:line:col so that all of them can be reported at once.
#pragma once

#include <string>
#include <vector>

namespace cloison {

struct diagnostic {
  std::string file;
  int line = 0;    // 1-based; 0 when the problem concerns the whole file
  int column = 0;  // 1-based
  std::string message;

  // "file:line:col: message"
  std::string to_string() const;
};

class diagnostics {
 public:
  void add(std::string file, int line, int column, std::string message);
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<diagnostic>& items() const { return items_; }
  // Items sorted by file, line, column (stable for equal positions).
  std::vector<diagnostic> sorted() const;

 private:
  std::vector<diagnostic> items_;
};

}  // namespace cloison
