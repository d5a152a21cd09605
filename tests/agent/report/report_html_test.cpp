#include "agent/report/report_html.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <regex>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

report fixture() {
  return read_report(testing::data_path("report/report.json"));
}

// The part of the page in language `code`.
std::string section(const std::string& html, const std::string& code) {
  const auto start = html.find("<main class=\"doc\" lang=\"" + code + "\">");
  EXPECT_NE(start, std::string::npos) << code;
  const auto end = html.find("</main>", start);
  return html.substr(start, end - start);
}

TEST(ReportHtml, HostileTextIsEscapedEverywhere) {
  auto r = fixture();
  const std::string hostile = "<script>alert('x')</script> & \"q\" <img src=\"http://e.invalid/\">";
  r.establishment = hostile;
  r.findings[0].title = {hostile, hostile};
  r.findings[0].remediation = {hostile, hostile};
  r.findings[0].target = hostile;
  r.findings[0].message = hostile;
  r.findings[0].observed = hostile;
  r.findings[0].expectation = hostile;
  r.evidence[0].excerpt = hostile + "\x01\xff";
  r.evidence[0].source = hostile;
  r.policies[0].file = hostile;
  r.observations[0].detail = hostile;
  const auto html = render_html(r, lang::fr, nullptr);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("\x01")));
  EXPECT_THAT(html,
              HasSubstr("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
  EXPECT_THAT(
      html,
      HasSubstr("&lt;img src=&quot;http://e.invalid/&quot;&gt;\xEF\xBF\xBD\xEF\xBF\xBD</pre>"))
      << "control characters and invalid UTF-8 replaced";
  EXPECT_THAT(html, HasSubstr("data-target=\"&lt;script&gt;"));
}

TEST(ReportHtml, LoadsNothingFromOutside) {
  const auto html = render_html(fixture(), lang::en, nullptr);
  EXPECT_THAT(html, HasSubstr("<meta http-equiv=\"Content-Security-Policy\" "
                              "content=\"default-src 'none'; style-src 'unsafe-inline'\">"));
  // Every '<' of the page opens a real tag (text is escaped): no tag may load anything.
  const std::regex tag("<[^>]*>");
  const std::regex loads(
      "^<(script|link|iframe|object|embed|img|image|use|audio|video|source|"
      "base|form)\\b|\\s(src|href|srcset|action|xlink:href|background|"
      "poster|data)\\s*=",
      std::regex::icase);
  // Links load nothing until followed: to a finding in the page, or to CERT-FR's checklist.
  const std::regex link(
      "^<a href=\"(#[a-z]{2}-f[0-9]+|https://www\\.cert\\.ssi\\.gouv\\.fr/uploads/"
      "ad_checklist\\.html#[a-z0-9_]+)\">$");
  int tags = 0, links = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator();
       ++it, ++tags) {
    if (std::regex_match(it->str(), link))
      ++links;
    else
      EXPECT_FALSE(std::regex_search(it->str(), loads)) << it->str();
  }
  EXPECT_GT(links, 0);
  EXPECT_GT(tags, 500);
  const auto style =
      html.substr(html.find("<style>"), html.find("</style>") - html.find("<style>"));
  for (const char* css : {"url(", "@import", "@font-face", "http"})
    EXPECT_EQ(style.find(css), std::string::npos) << css;
  // The only other URLs are the escaped text of the fixture's hostile evidence, inside <pre>.
  const std::regex url("https?://", std::regex::icase);
  int urls = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), url); it != std::sregex_iterator();
       ++it) {
    const auto at = static_cast<std::size_t>(it->position());
    const std::string checklist = "https://www.cert.ssi.gouv.fr/uploads/ad_checklist.html#";
    if (html.compare(at, checklist.size(), checklist) == 0)
      continue;
    ++urls;
    const auto before = html.rfind('<', at);
    EXPECT_EQ(html.compare(before, 5, "<pre>"), 0) << html.substr(before, 80);
  }
  EXPECT_EQ(urls, 2) << "the hostile excerpt, once per language";
}

TEST(ReportHtml, BothLanguagesWithTheRequestedOneShown) {
  const auto r = fixture();
  for (const auto l : {lang::fr, lang::en}) {
    const auto html = render_html(r, l, nullptr);
    const std::string code = l == lang::fr ? "fr" : "en";
    const std::string other = l == lang::fr ? "en" : "fr";
    EXPECT_THAT(html, HasSubstr("<html lang=\"" + code + "\">"));
    EXPECT_THAT(html, HasSubstr("id=\"lang-" + code + "\" checked>"));
    EXPECT_THAT(html, HasSubstr("id=\"lang-" + other + "\">"));
    EXPECT_THAT(html, HasSubstr("#lang-fr:checked ~ .doc:not([lang=\"fr\"])"));
  }
  const auto html = render_html(r, lang::fr, nullptr);
  const auto fr = section(html, "fr");
  const auto en = section(html, "en");
  EXPECT_THAT(fr, HasSubstr("Verdict par objectif"));
  EXPECT_THAT(fr, HasSubstr("<span class=\"verdict not_met\">NON ATTEINT</span>"));
  EXPECT_THAT(fr,
              HasSubstr("Aucun port de sauvegarde ou d&#39;administration n&#39;est joignable"));
  EXPECT_THAT(fr, HasSubstr("Fermez sur le pare-feu"));
  EXPECT_THAT(fr, Not(HasSubstr("Close the reported flows")));
  EXPECT_THAT(en, HasSubstr("Verdict per objective"));
  EXPECT_THAT(en, HasSubstr("<span class=\"verdict not_met\">NOT MET</span>"));
  EXPECT_THAT(en, HasSubstr("No backup or administration port is reachable"));
  EXPECT_THAT(en, HasSubstr("Close the reported flows"));
  EXPECT_THAT(en, Not(HasSubstr("Fermez sur le pare-feu")));
}

TEST(ReportHtml, VerdictsScoresAndAdsLevel) {
  auto r = fixture();
  const auto fr = section(render_html(r, lang::fr, nullptr), "fr");
  EXPECT_THAT(fr, HasSubstr("data-objective=\"D2.03.B\" data-status=\"not_met\""));
  EXPECT_THAT(fr, HasSubstr("<td class=\"score\">44/100</td>"));
  EXPECT_THAT(fr, HasSubstr("AD dédié backup-ad : niveau estimé 3 — 1 point de contrôle non "
                            "évalué, à confirmer par le service ADS de l&#39;ANSSI"));
  EXPECT_THAT(fr, HasSubstr("Niveau non prouvé"));
  EXPECT_THAT(fr, HasSubstr("<li><code>ads-unconstrained-delegation</code> — Aucune délégation"));
  EXPECT_THAT(fr, HasSubstr("Exigence D2.03.A (niveau 3 ou plus) : satisfaite."));
  r.ads->in_error = {"ads-krbtgt"};  // a control it tried and could not establish
  EXPECT_THAT(section(render_html(r, lang::fr, nullptr), "fr"),
              HasSubstr("non contredite, mais non prouvée"));
  r.ads->in_error.clear();
  r.ads->estimated_level.reset();  // the directory was not read
  const auto unread = section(render_html(r, lang::en, nullptr), "en");
  EXPECT_THAT(unread, HasSubstr("Dedicated AD backup-ad: no level, the directory was not read"));
  EXPECT_THAT(unread, Not(HasSubstr("requirement (level 3")));
  r.ads->estimated_level = 3;
  r.ads->level_proven = true;
  r.ads->not_evaluated.clear();
  r.objectives[0].score.reset();
  r.objectives[0].status = objective_status::not_applicable;
  const auto en = section(render_html(r, lang::en, nullptr), "en");
  EXPECT_THAT(en, HasSubstr("Level proven"));
  EXPECT_THAT(en, Not(HasSubstr("Level not proven")));
  EXPECT_THAT(en, HasSubstr("requirement (level 3 or more): satisfied."));
  EXPECT_THAT(en, HasSubstr("<span class=\"verdict not_applicable\">not applicable</span>"));
  EXPECT_THAT(en, HasSubstr("no score: nothing was judged"));
  r.ads.reset();
  EXPECT_THAT(render_html(r, lang::en, nullptr), HasSubstr("No dedicated AD was evaluated."));
}

// Issue 20: the report did not say who ran the audit, showed UTC times only, and the signing
// key's fingerprint was only in report.json.
TEST(ReportHtml, TheAuditorsSectionSaysWhoWhereWhenAndHowToVerify) {
  auto r = fixture();
  r.run_user = "cloison";
  r.run_host = "admin01";
  r.started_at = "2026-11-28T02:30:00Z";
  r.signing = signing_info{"Ed25519", "-----BEGIN PUBLIC KEY-----", std::string(64, 'f')};
  const char* zone = std::getenv("TZ");
  const std::string saved = zone ? zone : "";
  ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
  ::tzset();
  const auto en = section(render_html(r, lang::en, nullptr), "en");
  const auto fr = section(render_html(r, lang::fr, nullptr), "fr");
  zone ? ::setenv("TZ", saved.c_str(), 1) : ::unsetenv("TZ");
  ::tzset();
  EXPECT_THAT(en, HasSubstr("<h2>For the auditor</h2>"));
  EXPECT_THAT(en, HasSubstr("<dt>Run by</dt><dd>cloison @ admin01</dd>"));
  EXPECT_THAT(en, HasSubstr("<dd>2026-11-28 03:30:00 CET (UTC+0100) — 2026-11-28T02:30:00Z</dd>"));
  EXPECT_THAT(en, HasSubstr("<dd>" + std::string(64, 'f') + "</dd>"));
  EXPECT_THAT(en, HasSubstr("cloison verify evidence.tar.gz --key agent.pub"));
  EXPECT_THAT(fr, HasSubstr("Pour l&#39;auditeur"));
  EXPECT_THAT(fr, HasSubstr("<dt>Audit lancé par</dt><dd>cloison @ admin01</dd>"));
  r.signing.reset();
  const auto unsigned_run = section(render_html(r, lang::en, nullptr), "en");
  EXPECT_THAT(unsigned_run, HasSubstr("no signed evidence bundle for this audit"));
  EXPECT_THAT(unsigned_run, Not(HasSubstr("cloison verify")));
}

TEST(ReportHtml, FindingsByObjectiveThenSeverityFailingFirstWithEvidence) {
  const auto en = section(render_html(fixture(), lang::en, nullptr), "en");
  // D2.03.A: critical error, then high fail before high waived; the passes folded at the end.
  std::vector<std::string> order;
  const std::regex details(
      "<details class=\"finding [a-z_]+\" id=\"en-f[0-9]+\" "
      "data-check=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(en.begin(), en.end(), details); it != std::sregex_iterator();
       ++it) {
    order.push_back((*it)[1]);
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "host-no-production-directory-dependency", "host-sshd-no-root-login",
                       "host-sshd-no-password", "reach-no-forbidden-port-open",
                       "ads-unconstrained-delegation", "ads-krbtgt-age", "host-single-uid0",
                       "isolation-drill-recent", "reach-declared-flows-open", "ads-admincount"}));
  EXPECT_LT(en.find("data-check=\"ads-krbtgt-age\""),
            en.find("<details class=\"other-findings\"><summary>4 other findings: passed, not "
                    "applicable or not evaluated</summary>"));
  EXPECT_LT(en.find("<h3 data-objective=\"D2.03.A\""), en.find("<h3 data-objective=\"D2.03.B\""));
  EXPECT_THAT(en, HasSubstr("<code>sudo -n -- sshd -T</code>"));
  EXPECT_THAT(en, HasSubstr("<dt>Collected at</dt><dd>2026-11-2"));
  EXPECT_THAT(en, HasSubstr("Excerpt: first 97 bytes of 1048576"));
  EXPECT_THAT(en, HasSubstr("Truncated: the output exceeded the collection cap."));
  EXPECT_THAT(en, HasSubstr("Support éditeur jusqu&#39;en mars &lt;2027&gt; — owner: RSSI - J. "
                            "Martin — valid until 2027-03-31"));
  EXPECT_THAT(en, HasSubstr("sssd.conf could not be read: permission denied"));
  EXPECT_THAT(en, HasSubstr("ANSSI control point vuln3_krbtgt (level 3)"));
  EXPECT_THAT(en, HasSubstr("<code>equals &quot;no&quot;</code>"));
}

TEST(ReportHtml, DiagramForbiddenFlowsAndDriftSection) {
  const auto r = fixture();
  const auto html = render_html(r, lang::fr, nullptr);
  EXPECT_THAT(html, HasSubstr("<g class=\"flow forbidden-open\" data-from=\"production\" "
                              "data-to=\"repo01\" data-ports=\"22\">"));
  EXPECT_THAT(section(html, "fr"), HasSubstr("<td>198.18.50.20</td><td>tcp 22</td>"));
  EXPECT_THAT(html, Not(HasSubstr("class=\"drift\"")));
  const auto previous = read_report(testing::data_path("report/previous.json"));
  const auto d = compare_reports(previous, r);
  const auto with_drift = render_html(r, lang::fr, &d);
  const auto fr = section(with_drift, "fr");
  EXPECT_THAT(fr, HasSubstr("<section class=\"drift\">"));
  EXPECT_THAT(fr, HasSubstr("<h2>Dérive depuis l&#39;audit précédent</h2>"));
  EXPECT_THAT(fr, HasSubstr("<p class=\"regressed\">Régression.</p>"));
  EXPECT_THAT(fr, HasSubstr("<ul class=\"new-failures\">\n<li>[critique] "
                            "<code>reach-no-forbidden-port-open</code>"));
  EXPECT_THAT(section(with_drift, "en"), HasSubstr("Resolved finding (1):"));
  auto old = r;
  old.topology.reset();
  EXPECT_THAT(render_html(old, lang::en, nullptr), HasSubstr("This report holds no topology"));
}

TEST(ReportHtml, ForbiddenOpenRangesShowAsRanges) {
  auto r = fixture();
  auto range = r.flows.front();
  for (const auto& f : r.flows) {
    if (f.expected == "forbidden" && f.verdict == "open" && f.port == 22)
      range = f;
  }
  range.port = 2500;
  range.port_last = 3300;
  r.flows.push_back(range);
  const auto html = render_html(r, lang::en, nullptr);
  EXPECT_THAT(section(html, "en"), HasSubstr("<td>198.18.50.20</td><td>tcp 22, 2500-3300</td>"));
  EXPECT_THAT(html, HasSubstr("data-to=\"repo01\" data-ports=\"22, 2500-3300\">"));
}

TEST(ReportHtml, ObservationsSayHowEachHostWasRead) {
  auto r = fixture();
  r.observations.push_back(
      {"host", "repo02", outcome::ok, "", 4, "2026-11-27T02:00:00Z", std::string(64, 'c'), ""});
  r.observations.push_back(
      {"host", "bk02", outcome::ok, "", 80, "", "", "ssh-ed25519 SHA256:AbCdEf0123"});
  const auto html = render_html(r, lang::en, nullptr);
  EXPECT_THAT(section(html, "en"), HasSubstr("facts collected at 2026-11-2"));  // local time
  EXPECT_THAT(section(html, "en"),
              HasSubstr(") (file signed by key " + std::string(64, 'c') + ")"));
  EXPECT_THAT(section(html, "fr"), HasSubstr("faits collectés le 2026-11-2"));
  // Outcomes in words, in each language.
  EXPECT_THAT(section(html, "fr"), HasSubstr("<td>host</td><td>repo01</td><td>lu en partie</td>"));
  EXPECT_THAT(section(html, "en"), HasSubstr("<td>host</td><td>repo01</td><td>partly read</td>"));
  EXPECT_THAT(section(html, "en"),
              HasSubstr("host key learned on first use: ssh-ed25519 SHA256:AbCdEf0123"));
  EXPECT_THAT(section(html, "fr"), HasSubstr("clé d&#39;hôte apprise à la première connexion : "
                                             "ssh-ed25519 SHA256:AbCdEf0123"));
  EXPECT_THAT(render_html(fixture(), lang::en, nullptr), Not(HasSubstr("class=\"origin\"")));
}

TEST(ReportHtml, PrintsOnA4WithDetailsOpenAndNoSwitch) {
  const auto html = render_html(fixture(), lang::fr, nullptr);
  EXPECT_THAT(html, HasSubstr("@page { size: A4;"));
  // Failures print expanded; the folded passes and the observations stay folded.
  EXPECT_THAT(html, HasSubstr("details.finding::details-content { content-visibility: visible;"));
  EXPECT_THAT(html, HasSubstr(".switch, .lang-radio { display: none !important; }"));
}

}  // namespace
}  // namespace cloison
