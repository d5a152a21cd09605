#include "agent/config/yaml_reader.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

#include "core/bounded_read.h"

namespace cloison {

namespace {

int line_of(const YAML::Mark& m) {
  return m.is_null() ? 0 : m.line + 1;
}
int column_of(const YAML::Mark& m) {
  return m.is_null() ? 0 : m.column + 1;
}

// Position (1-based line and column) of the first byte that is not valid UTF-8 text, or of a NUL.
std::optional<std::pair<int, int>> first_invalid_utf8(std::string_view s) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xe  ? 3
                    : (c >> 3) == 0x1e ? 4
                                       : 0;
    if (c == 0 || n == 0 || i + n > s.size())
      return std::pair{line, column};
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2)
        return std::pair{line, column};
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += n;
  }
  return std::nullopt;
}

// Line (1-based) of a "---" marker that starts a second document, if any.
std::optional<int> second_document_marker(std::string_view text) {
  bool content = false;
  int line = 1;
  for (std::size_t start = 0; start < text.size(); ++line) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    const auto l = text.substr(start, end - start);
    const bool marker = l.substr(0, 3) == "---" && (l.size() == 3 || l[3] == ' ' || l[3] == '\r');
    if (marker && content)
      return line;
    const auto first = l.find_first_not_of(" \t\r");
    if (!marker && first != std::string_view::npos && l[first] != '#' && l.substr(0, 3) != "...") {
      content = true;
    }
    if (l.substr(0, 3) == "...")
      content = true;  // end of a document: anything after is another
    start = end + 1;
  }
  return std::nullopt;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined())
    return "nothing";
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "'" + node.Scalar() + "'";
  }
}

}  // namespace

namespace {

// The first alias of a document, if any: read from the parser's events, before any node is built
// (a node graph built from aliases may be cyclic or exponentially large).
class alias_finder final : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> first;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (!first)
      first = mark;
  }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<YAML::Node> load_yaml_text(std::string_view text, const std::string& name,
                                         diagnostics& out) {
  if (auto bad = first_invalid_utf8(text)) {
    out.add(name, bad->first, bad->second, "not UTF-8 text (binary or wrongly encoded byte)");
    return std::nullopt;
  }
  if (auto marker = second_document_marker(text)) {
    out.add(name, *marker, 1, "several YAML documents in one file; expected exactly one");
    return std::nullopt;
  }
  try {
    std::istringstream events{std::string(text)};
    alias_finder aliases;
    YAML::Parser(events).HandleNextDocument(aliases);
    if (aliases.first) {
      out.add(name, line_of(*aliases.first), column_of(*aliases.first),
              "YAML aliases (*name) are not accepted in configuration; write the value out");
      return std::nullopt;
    }
    // YAML::Load, not LoadAll: yaml-cpp 0.7's LoadAll loops forever, allocating, on a stray ','.
    auto doc = YAML::Load(std::string(text));
    if (doc.IsNull()) {
      out.add(name, 1, 1, "empty document");
      return std::nullopt;
    }
    return doc;
  } catch (const YAML::DeepRecursion& e) {
    out.add(name, line_of(e.mark), column_of(e.mark), "nesting too deep");
  } catch (const YAML::Exception& e) {
    out.add(name, line_of(e.mark), column_of(e.mark), "YAML syntax error: " + e.msg);
  }
  return std::nullopt;
}

std::optional<std::string> read_config_file(const std::string& path, diagnostics& out) {
  try {
    return read_file_bounded(path, kMaxConfigBytes);
  } catch (const bounded_read_error& e) {
    out.add(path, 0, 0,
            e.why() == bounded_read_error::kind::too_large
                ? "file too large (" + e.detail() + " bytes; limit " +
                      std::to_string(kMaxConfigBytes) + ")"
                : std::string(e.what()));
    return std::nullopt;
  }
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, diagnostics& out) {
  auto text = read_config_file(path, out);
  if (!text)
    return std::nullopt;
  return load_yaml_text(*text, path, out);
}

void yaml_reader::error(const YAML::Node& at, std::string message) {
  const auto mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  out_.add(file_, line_of(mark), column_of(mark), std::move(message));
}

void yaml_reader::error_within(const YAML::Node& at, std::size_t offset, std::string message) {
  if (!at.IsDefined() || !at.IsScalar() || at.Mark().is_null())
    return error(at, std::move(message));
  const std::string& text = at.Scalar();
  // A quoted scalar's mark is its opening quote.
  int column = column_of(at.Mark()) + (at.Tag() == "!" ? 1 : 0);
  for (std::size_t i = 0; i < std::min(offset, text.size()); ++i)
    column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;  // UTF-8 lead bytes
  out_.add(file_, line_of(at.Mark()), column, std::move(message));
}

bool yaml_reader::expect_map(const YAML::Node& node, std::string_view what,
                             std::initializer_list<std::string_view> allowed,
                             std::initializer_list<std::string_view> required) {
  if (!node.IsDefined() || !node.IsMap()) {
    error(node, std::string(what) + ": expected a map, found " + describe(node));
    return false;
  }
  std::set<std::string> seen;
  for (const auto& item : node) {
    const auto& key_node = item.first;
    if (!key_node.IsScalar()) {
      error(key_node, std::string(what) + ": keys must be plain words");
      continue;
    }
    const std::string key = key_node.Scalar();
    if (!seen.insert(key).second) {
      error(key_node, std::string(what) + ": duplicate key '" + key + "'");
      continue;
    }
    bool known = false;
    for (auto a : allowed)
      known = known || a == key;
    if (!known) {
      std::string list;
      for (auto a : allowed)
        list += (list.empty() ? "" : ", ") + std::string(a);
      error(key_node,
            std::string(what) + ": unknown key '" + key + "' (expected one of: " + list + ")");
    }
  }
  for (auto r : required) {
    if (!seen.count(std::string(r))) {
      error(node, std::string(what) + ": missing required key '" + std::string(r) + "'");
    }
  }
  return true;
}

bool yaml_reader::expect_sequence(const YAML::Node& node, std::string_view what) {
  if (node.IsDefined() && node.IsSequence())
    return true;
  error(node, std::string(what) + ": expected a list, found " + describe(node));
  return false;
}

std::optional<std::string> yaml_reader::scalar_text(const YAML::Node& node, std::string_view what) {
  if (node.IsDefined() && node.IsScalar())
    return node.Scalar();
  error(node, std::string(what) + ": expected text, found " + describe(node));
  return std::nullopt;
}

std::optional<std::string> yaml_reader::text(const YAML::Node& map, std::string_view key) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined())
    return std::nullopt;
  return scalar_text(node, key);
}

std::optional<std::int64_t> yaml_reader::integer(const YAML::Node& map, std::string_view key,
                                                 std::int64_t min, std::int64_t max) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined())
    return std::nullopt;
  std::int64_t value = 0;
  const std::string s = node.IsScalar() ? node.Scalar() : std::string();
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (!node.IsScalar() || s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    error(node, std::string(key) + ": expected an integer, found " + describe(node));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(node, std::string(key) + ": " + s + " is out of range [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> yaml_reader::boolean(const YAML::Node& map, std::string_view key) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined())
    return std::nullopt;
  if (node.IsScalar() && (node.Scalar() == "true" || node.Scalar() == "false")) {
    return node.Scalar() == "true";
  }
  error(node, std::string(key) + ": expected true or false, found " + describe(node));
  return std::nullopt;
}

std::optional<std::vector<std::string>> yaml_reader::texts(const YAML::Node& map,
                                                           std::string_view key) {
  const YAML::Node node = map[std::string(key)];
  if (!node.IsDefined())
    return std::nullopt;
  if (!expect_sequence(node, key))
    return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : node) {
    if (auto s = scalar_text(item, key))
      out.push_back(*s);
  }
  return out;
}

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& item : node)
        a.push_back(yaml_to_json(item));
      return a;
    }
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& item : node)
        o[item.first.Scalar()] = yaml_to_json(item.second);
      return o;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!")
        return s;  // quoted
      if (s == "~" || s == "null")
        return nullptr;
      if (s == "true" || s == "false")
        return s == "true";
      std::int64_t i = 0;
      if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
          ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
        return i;
      }
      double d = 0;
      if (auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
          ec == std::errc() && end == s.data() + s.size() && !s.empty()) {
        return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace cloison
