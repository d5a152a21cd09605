#include "core/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace cloison {

std::string diagnostic::to_string() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

void diagnostics::add(std::string file, int line, int column, std::string message) {
  items_.push_back({std::move(file), line, column, std::move(message)});
}

std::vector<diagnostic> diagnostics::sorted() const {
  auto out = items_;
  std::stable_sort(out.begin(), out.end(), [](const diagnostic& a, const diagnostic& b) {
    return std::tie(a.file, a.line, a.column) < std::tie(b.file, b.line, b.column);
  });
  return out;
}

}  // namespace cloison
