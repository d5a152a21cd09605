// JUnit XML (the de-facto schema read by Jenkins, GitLab, Azure DevOps...), derived from a report:
// one <testsuite> per objective, one <testcase> per finding (classname: the objective; name:
// "check @ target"); fail -> <failure>, error -> <error>, not_applicable and waived -> <skipped>
// (a waiver's justification, owner and expiry in its message). Texts that XML 1.0 cannot carry
// (control characters other than tab and line breaks, invalid UTF-8, U+FFFE/U+FFFF) become U+FFFD.
// Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "agent/report/report.h"

namespace cloison {

std::string render_junit(const report& r, lang l);

// `text` escaped for XML 1.0 character data and attribute values (quotes, tab and line breaks
// included, so that attribute values keep them).
std::string xml_escape(std::string_view text);

}  // namespace cloison
