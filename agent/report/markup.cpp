#include "agent/report/markup.h"

#include "core/observation.h"

namespace cloison {

std::string escape_markup(std::string_view s) {
  // nlohmann-json's replacing dump is the UTF-8 validator: parsing its output back gives the text
  // with every invalid sequence replaced by U+FFFD.
  const auto valid =
      json::parse(json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace))
          .get<std::string>();
  std::string out;
  out.reserve(valid.size() + valid.size() / 8);
  for (const char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
            c == '\x7f') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace cloison
