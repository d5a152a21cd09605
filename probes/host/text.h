// Small text helpers shared by the parsers of command outputs (internal to probes/host).
// Pure and thread-safe.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cloison::text {

// Calls f(line) for every line, without its "\n" or "\r\n".
template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos)
      break;
    text.remove_prefix(nl + 1);
  }
}

// The whitespace-separated words of a line.
inline std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

// Without leading and trailing spaces and tabs.
inline std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

inline std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The whole of `s` as a number; false (v untouched or partial) otherwise.
template <typename T>
bool to_number(std::string_view s, T& v) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

}  // namespace cloison::text
