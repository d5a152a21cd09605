#include "agent/report/report_junit.h"

#include <algorithm>
#include <sstream>

namespace cloison {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool xml_char(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Length of the well-formed UTF-8 sequence at the start of `s` and its code point; 0 when the
// bytes are no well-formed sequence (overlong forms, surrogates and truncations included).
std::size_t decode_utf8(std::string_view s, char32_t& c) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = b(0);
  std::size_t n = 0;
  if (lead < 0x80) {
    c = lead;
    return 1;
  } else if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2, c = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3, c = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4, c = lead & 0x07u;
  } else {
    return 0;
  }
  if (s.size() < n)
    return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (b(i) & 0x3Fu);
  }
  const bool overlong = (n == 3 && c < 0x800) || (n == 4 && c < 0x10000);
  const bool surrogate = c >= 0xD800 && c <= 0xDFFF;
  return overlong || surrogate || c > 0x10FFFF ? 0 : n;
}

struct suite_counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
};

suite_counts count(const std::vector<const finding*>& findings) {
  suite_counts c;
  for (const auto* f : findings) {
    ++c.tests;
    c.failures += f->status == status::fail;
    c.errors += f->status == status::error;
    c.skipped += f->status == status::not_applicable || f->status == status::waived ||
                 f->status == status::not_evaluated;
  }
  return c;
}

std::string attributes(const suite_counts& c) {
  return " tests=\"" + std::to_string(c.tests) + "\" failures=\"" + std::to_string(c.failures) +
         "\" errors=\"" + std::to_string(c.errors) + "\" skipped=\"" + std::to_string(c.skipped) +
         "\"";
}

// The body of a <failure> or <error>: what was expected, what was seen, why, what to do.
std::string details(const finding& f, lang l) {
  std::string out = "expectation: " + f.expectation + "\nobserved: " +
                    f.observed.dump(-1, ' ', false, json::error_handler_t::replace);
  if (!f.message.empty())
    out += "\nmessage: " + f.message;
  if (f.waiver && f.waiver->expired) {
    out += "\nexpired waiver: " + f.waiver->waiver.justification + " (" + f.waiver->waiver.owner +
           ", " + f.waiver->waiver.expires + ")";
  }
  if (!f.evidence.empty()) {
    out += "\nevidence:";
    for (const auto& e : f.evidence)
      out += " " + e;
  }
  out += "\nremediation: " + f.remediation.in(l);
  return out;
}

void testcase(std::ostringstream& out, const finding& f, lang l) {
  out << "    <testcase classname=\"" << xml_escape(f.objective) << "\" name=\""
      << xml_escape(f.check + " @ " + f.target) << "\">\n";
  const std::string title = xml_escape(f.title.in(l));
  switch (f.status) {
    case status::fail:
      out << "      <failure message=\"" << title << "\" type=\"" << to_string(f.severity) << "\">"
          << xml_escape(details(f, l)) << "</failure>\n";
      break;
    case status::error:
      out << "      <error message=\"" << title << "\" type=\"no-evidence\">"
          << xml_escape(details(f, l)) << "</error>\n";
      break;
    case status::not_applicable:
      out << "      <skipped message=\"" << xml_escape("not applicable: " + f.message) << "\"/>\n";
      break;
    case status::not_evaluated:
      out << "      <skipped message=\"" << xml_escape(f.message) << "\"/>\n";
      break;
    case status::waived: {
      std::string why = "waived";
      if (f.waiver) {
        const auto& w = f.waiver->waiver;
        why += ": " + w.justification + " (owner " + w.owner + ", until " + w.expires + ", " +
               w.file + ")";
      }
      out << "      <skipped message=\"" << xml_escape(why) << "\"/>\n";
      break;
    }
    case status::pass:
      break;
  }
  out << "    </testcase>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    char32_t c = 0;
    const std::size_t n = decode_utf8(text, c);
    if (n == 0 || !xml_char(c)) {
      out += kReplacement;
      text.remove_prefix(std::max<std::size_t>(n, 1));
      continue;
    }
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
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string render_junit(const report& r, lang l) {
  std::vector<std::string> objectives;
  for (const auto& o : r.objectives)
    objectives.push_back(o.id);
  for (const auto& f : r.findings) {
    if (std::find(objectives.begin(), objectives.end(), f.objective) == objectives.end())
      objectives.push_back(f.objective);
  }
  std::ostringstream suites;
  std::vector<const finding*> all;
  for (const auto& id : objectives) {
    std::vector<const finding*> mine;
    for (const auto& f : r.findings) {
      if (f.objective == id)
        mine.push_back(&f);
    }
    all.insert(all.end(), mine.begin(), mine.end());
    suites << "  <testsuite name=\"" << xml_escape(id) << "\"" << attributes(count(mine))
           << " timestamp=\"" << xml_escape(r.started_at) << "\">\n";
    const auto result = std::find_if(r.objectives.begin(), r.objectives.end(),
                                     [&](const objective_result& o) { return o.id == id; });
    if (result != r.objectives.end()) {
      suites << "    <properties>\n      <property name=\"status\" value=\""
             << to_string(result->status) << "\"/>\n";
      if (result->score)
        suites << "      <property name=\"score\" value=\"" << *result->score << "\"/>\n";
      suites << "    </properties>\n";
    }
    for (const auto* f : mine)
      testcase(suites, *f, l);
    suites << "  </testsuite>\n";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"" +
         xml_escape("cloison D2.03: " + r.establishment) + "\"" + attributes(count(all)) + ">\n" +
         suites.str() + "</testsuites>\n";
}

}  // namespace cloison
