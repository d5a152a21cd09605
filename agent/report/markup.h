// Text made safe for HTML and SVG: the one escaping function of the report writers. Pure.
#pragma once

#include <string>
#include <string_view>

namespace cloison {

// `s` as HTML/XML character data or attribute value: & < > " ' escaped; invalid UTF-8 and
// control characters other than tab, newline and carriage return replaced by U+FFFD, so hostile
// evidence can neither close an element nor corrupt the page.
std::string escape_markup(std::string_view s);

}  // namespace cloison
