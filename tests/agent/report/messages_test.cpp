// The message catalogue: every message in both languages, and count-aware messages that agree
// with their number (French: singular for 0 and 1; English: singular for 1 only).
#include "agent/report/messages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace cloison {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::size_t placeholders(std::string_view text) {
  std::size_t n = 0;
  for (auto at = text.find("{}"); at != std::string_view::npos; at = text.find("{}", at + 2))
    ++n;
  return n;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

// `plural` is `singular` with some words in the plural: the same words, each either equal or its
// plural (+s, +x); and at least one word differs unless the message is invariable.
bool is_plural_of(const std::string& plural, const std::string& singular, bool& differs) {
  const auto p = words(plural), s = words(singular);
  if (p.size() != s.size())
    return false;
  differs = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == s[i])
      continue;
    // "évalué," → "évalués,": the suffix comes before trailing punctuation
    const auto cut = s[i].find_last_not_of(",.;:)");
    const auto stem = s[i].substr(0, cut + 1), tail = s[i].substr(cut + 1);
    if (p[i] != stem + "s" + tail && p[i] != stem + "x" + tail)
      return false;
    differs = true;
  }
  return true;
}

// English words that must not appear in French text, options (--key) and file names aside.
const std::regex kEnglish(
    "(^|[^-.\\w])(the|of|and|not|could|was|with|found|failed|passed|check|"
    "checks|target|targets|findings?|error|none|key|file|files)\\b");

TEST(Messages, EveryMessageExistsInBothLanguagesWithTheSamePlaceholders) {
  for (int i = 0; i < static_cast<int>(msg::end_of_catalogue); ++i) {
    const auto m = static_cast<msg>(i);
    const auto fr = text(m, lang::fr), en = text(m, lang::en);
    EXPECT_FALSE(fr.empty()) << "message " << i;
    EXPECT_FALSE(en.empty()) << "message " << i;
    EXPECT_EQ(placeholders(fr), placeholders(en)) << fr << " / " << en;
    for (const auto t : {fr, en})
      EXPECT_EQ(t.find("(s)"), std::string_view::npos) << "a bare (s): " << t;
    EXPECT_FALSE(std::regex_search(std::string(fr), kEnglish)) << "English in French: " << fr;
  }
}

TEST(Messages, CountedMessagesAgreeWithZeroOneAndTwo) {
  for (int i = 0; i < static_cast<int>(counted::end_of_catalogue); ++i) {
    const auto m = static_cast<counted>(i);
    std::map<std::pair<lang, long long>, std::string> out;
    for (const auto l : {lang::fr, lang::en}) {
      for (const long long n : {0, 1, 2}) {
        auto& t = out[{l, n}];
        t = format(m, l, n, {"X", "Y"});
        ASSERT_FALSE(t.empty()) << "counted message " << i;
        EXPECT_THAT(t, HasSubstr(std::to_string(n))) << t;
        EXPECT_THAT(t, Not(HasSubstr("{n}"))) << t;
        EXPECT_THAT(t, Not(HasSubstr("{}"))) << t;
        EXPECT_THAT(t, Not(HasSubstr("(s)"))) << t;
      }
    }
    const auto with = [&](lang l, long long n) {
      auto t = out[{l, n}];
      const auto at = t.find(std::to_string(n));
      return t.replace(at, std::to_string(n).size(), "N");
    };
    // French: 0 and 1 take the singular, 2 the plural.
    EXPECT_EQ(with(lang::fr, 0), with(lang::fr, 1));
    bool differs = false;
    EXPECT_TRUE(is_plural_of(with(lang::fr, 2), with(lang::fr, 1), differs))
        << with(lang::fr, 2) << " / " << with(lang::fr, 1);
    EXPECT_FALSE(std::regex_search(out[{lang::fr, 2}], kEnglish)) << out[{lang::fr, 2}];
    // English: 1 takes the singular, 0 and 2 the plural.
    EXPECT_EQ(with(lang::en, 0), with(lang::en, 2));
    EXPECT_TRUE(is_plural_of(with(lang::en, 2), with(lang::en, 1), differs) ||
                with(lang::en, 2).find("match") != std::string::npos)  // "file matches/match"
        << with(lang::en, 2) << " / " << with(lang::en, 1);
  }
}

TEST(Messages, AgreementExamples) {
  EXPECT_EQ(format(counted::passed, lang::fr, 1), "1 conforme");
  EXPECT_EQ(format(counted::passed, lang::fr, 0), "0 conforme");
  EXPECT_EQ(format(counted::passed, lang::fr, 2), "2 conformes");
  EXPECT_EQ(format(counted::waived, lang::fr, 1), "1 dérogé");
  EXPECT_EQ(format(counted::drift_new_failures, lang::fr, 1), "Nouvelle non-conformité (1) :");
  EXPECT_EQ(format(counted::drift_resolved, lang::fr, 3), "Constats résolus (3) :");
  EXPECT_EQ(format(counted::verify_altered, lang::en, 1), "BUNDLE ALTERED: 1 problem");
  EXPECT_EQ(format(counted::verify_altered, lang::en, 0), "BUNDLE ALTERED: 0 problems");
  EXPECT_EQ(format(counted::collect_written, lang::fr, 2, {"f.json", "ab12"}),
            "Preuves collectées : f.json (2 commandes, clé ab12)");
  EXPECT_EQ(counts_text({1, 2, 0, 0, 1, 0}, lang::fr),
            "1 conforme, 2 non conformes, 0 en erreur, 0 sans objet, 1 dérogé, 0 non évalué");
}

}  // namespace
}  // namespace cloison
