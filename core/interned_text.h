// A text that many values share, held once: a pointer into a process-wide pool instead of a
// string per value. Meant for the few distinct error messages of millions of results (a sweep of
// every TCP port): 8 bytes a result instead of 32. Every distinct text stays in the pool for the
// life of the process, so only texts drawn from a small set belong here.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace cloison {

class interned_text {
 public:
  interned_text() = default;
  // Finds or adds `text` in the pool; "" is the empty value. Thread-safe.
  interned_text(std::string_view text);  // NOLINT(google-explicit-constructor): a text
  interned_text(const std::string& text) : interned_text(std::string_view(text)) {}
  interned_text(const char* text) : interned_text(std::string_view(text)) {}

  const std::string& str() const;
  bool empty() const { return text_ == nullptr; }
  void clear() { text_ = nullptr; }

  friend bool operator==(const interned_text& a, std::string_view b) { return a.str() == b; }
  friend std::ostream& operator<<(std::ostream& out, const interned_text& t) {
    return out << t.str();
  }

 private:
  const std::string* text_ = nullptr;
};

}  // namespace cloison
