#include "agent/report/report_junit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <memory>

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A parsed document (libxml2, strict: any well-formedness error fails the test).
class xml_doc {
 public:
  explicit xml_doc(const std::string& text)
      : doc_(xmlReadMemory(text.data(), static_cast<int>(text.size()), "report.xml", "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             &xmlFreeDoc) {}
  bool ok() const { return doc_ != nullptr; }
  // The string value of an XPath expression (count(), @attribute...).
  std::string eval(const std::string& xpath) const {
    std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(
        xmlXPathNewContext(doc_.get()), &xmlXPathFreeContext);
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> r(
        xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()),
        &xmlXPathFreeObject);
    EXPECT_NE(r, nullptr) << xpath;
    if (!r)
      return "";
    std::unique_ptr<xmlChar, decltype(&free)> s(xmlXPathCastToString(r.get()), &free);
    return reinterpret_cast<const char*>(s.get());
  }
  int number(const std::string& xpath) const { return std::stoi(eval(xpath)); }

 private:
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc_;
};

finding make(const std::string& check, const std::string& objective, status st) {
  finding f;
  f.check = check;
  f.objective = objective;
  f.target = "repo01";
  f.status = st;
  f.severity = severity::high;
  f.weight = 5;
  f.title = {"Titre " + check, "Title " + check};
  f.remediation = {"Corriger", "Fix it"};
  f.observed = "yes";
  f.expectation = "equals \"no\"";
  return f;
}

report sample() {
  report r;
  r.establishment = "CH Exemple";
  r.started_at = "2026-11-28T02:30:00Z";
  r.objectives = {{"D2.03.A", objective_status::not_met, 50.0, {1, 1, 1, 1, 1, 0}, {}},
                  {"D2.03.B", objective_status::met, 100.0, {1, 0, 0, 0, 0, 0}, {}}};
  r.findings = {
      make("a-pass", "D2.03.A", status::pass),     make("a-fail", "D2.03.A", status::fail),
      make("a-error", "D2.03.A", status::error),   make("a-na", "D2.03.A", status::not_applicable),
      make("a-waived", "D2.03.A", status::waived), make("b-pass", "D2.03.B", status::pass)};
  r.findings[2].message = "fact missing: ssh timed out";
  r.findings[3].message = "host declared without access";
  r.findings[4].waiver = applied_waiver{
      {"a-waived", "repo01", "vendor support until March", "RSSI", "2027-03-31", "w.yaml:2"},
      false};
  return r;
}

TEST(Junit, OneSuitePerObjectiveOneCasePerFindingWithConsistentCounts) {
  const auto text = render_junit(sample(), lang::en);
  const xml_doc doc(text);
  ASSERT_TRUE(doc.ok()) << text;
  EXPECT_EQ(doc.number("count(/testsuites/testsuite)"), 2);
  EXPECT_EQ(doc.number("count(//testcase)"), 6);
  EXPECT_EQ(doc.number("/testsuites/@tests"), 6);
  EXPECT_EQ(doc.number("/testsuites/@failures"), 1);
  EXPECT_EQ(doc.number("/testsuites/@errors"), 1);
  EXPECT_EQ(doc.number("/testsuites/@skipped"), 2);
  for (const std::string suite : {"D2.03.A", "D2.03.B"}) {
    const std::string s = "/testsuites/testsuite[@name='" + suite + "']";
    EXPECT_EQ(doc.number(s + "/@tests"), doc.number("count(" + s + "/testcase)")) << suite;
    EXPECT_EQ(doc.number(s + "/@failures"), doc.number("count(" + s + "/testcase/failure)"));
    EXPECT_EQ(doc.number(s + "/@errors"), doc.number("count(" + s + "/testcase/error)"));
    EXPECT_EQ(doc.number(s + "/@skipped"), doc.number("count(" + s + "/testcase/skipped)"));
    EXPECT_EQ(doc.number("count(" + s + "/testcase[@classname!='" + suite + "'])"), 0);
  }
  EXPECT_EQ(doc.eval("//testsuite[@name='D2.03.A']/properties/property[@name='status']/@value"),
            "not_met");
  EXPECT_EQ(doc.eval("//testcase[failure]/@name"), "a-fail @ repo01");
  EXPECT_EQ(doc.eval("//failure/@message"), "Title a-fail");
  EXPECT_THAT(doc.eval("//failure"), HasSubstr("expectation: equals \"no\"\nobserved: \"yes\""));
  EXPECT_THAT(doc.eval("//failure"), HasSubstr("remediation: Fix it"));
  EXPECT_THAT(doc.eval("//error"), HasSubstr("fact missing: ssh timed out"));
  EXPECT_THAT(doc.eval("//testcase[@name='a-waived @ repo01']/skipped/@message"),
              HasSubstr("vendor support until March (owner RSSI, until 2027-03-31"));
  EXPECT_THAT(doc.eval("//testcase[@name='a-na @ repo01']/skipped/@message"),
              HasSubstr("host declared without access"));
  EXPECT_THAT(render_junit(sample(), lang::fr), HasSubstr("Titre a-fail"));
}

TEST(Junit, HostileStringsStayWellFormedAndKeepTheirText) {
  report r = sample();
  auto& f = r.findings[1];
  f.target = "a\"b'<c>&d]]>";
  static constexpr char kControls[] = "nul\0bell\x07 esc\x1b tab\tcr\r";
  f.message = std::string(kControls, sizeof kControls - 1) + "\xff\xfe invalid \xed\xa0\x80";
  f.title.en = "line1\nline2 \xef\xbf\xbf";  // U+FFFF is no XML character
  r.establishment = "</testsuites><!-- --> &amp;";
  const auto text = render_junit(r, lang::en);
  const xml_doc doc(text);
  ASSERT_TRUE(doc.ok()) << text;
  EXPECT_EQ(doc.number("count(//testcase)"), 6);
  EXPECT_EQ(doc.eval("//testcase[failure]/@name"), "a-fail @ a\"b'<c>&d]]>");
  EXPECT_EQ(doc.eval("/testsuites/@name"), "cloison D2.03: </testsuites><!-- --> &amp;");
  EXPECT_EQ(doc.eval("//failure/@message"), "line1\nline2 \xef\xbf\xbd");
  EXPECT_THAT(doc.eval("//failure"), HasSubstr("nul\xef\xbf\xbd"
                                               "bell\xef\xbf\xbd esc\xef\xbf\xbd tab\tcr\r"));
  EXPECT_THAT(doc.eval("//failure"), HasSubstr("\xef\xbf\xbd\xef\xbf\xbd invalid "));
  EXPECT_THAT(text, Not(HasSubstr(std::string(1, '\0'))));
  EXPECT_THAT(text, Not(HasSubstr("\x07")));
}

TEST(Junit, EscapesEverySpecialCharacter) {
  EXPECT_EQ(xml_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("\t\n\r"), "&#9;&#10;&#13;");
  EXPECT_EQ(xml_escape("é€😀"), "é€😀");
  EXPECT_EQ(xml_escape("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  EXPECT_EQ(xml_escape("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // truncated
  EXPECT_EQ(xml_escape(std::string("\x01\x1f", 2)), "\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Junit, EmptyReportIsAValidDocument) {
  report r;
  const xml_doc doc(render_junit(r, lang::fr));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.number("/testsuites/@tests"), 0);
}

}  // namespace
}  // namespace cloison
