#include "core/observation.h"

#include <openssl/evp.h>
#include <pwd.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>

namespace cloison {

namespace {

std::string hex(const unsigned char* bytes, unsigned length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::ok:
      return "ok";
    case outcome::failed:
      return "failed";
    case outcome::error:
      return "error";
    case outcome::timeout:
      return "timeout";
  }
  return "error";
}

std::optional<outcome> outcome_from_string(std::string_view s) {
  for (auto o : {outcome::ok, outcome::failed, outcome::error, outcome::timeout}) {
    if (to_string(o) == s)
      return o;
  }
  return std::nullopt;
}

fact fact::of(json v, std::vector<std::string> evidence_ids) {
  return fact{std::move(v), {}, std::move(evidence_ids)};
}

fact fact::missing(std::string why, std::vector<std::string> evidence_ids) {
  return fact{std::nullopt, std::move(why), std::move(evidence_ids)};
}

fact fact::ruled_out(std::string why) {
  return fact{std::nullopt, std::move(why), {}, true};
}

fact fact::undecidable(std::string why) {
  return fact{std::nullopt, std::move(why), {}, false, true};
}

fact fact::out_of_scope(std::string why) {
  return fact{std::nullopt, std::move(why), {}, true, false, true};
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 computation failed");
  }
  return hex(digest.data(), length);
}

std::string sha256_hex(const spooled_text& text) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 computation failed");
  text.read([&](std::string_view piece) {
    if (EVP_DigestUpdate(ctx.get(), piece.data(), piece.size()) != 1)
      throw std::runtime_error("SHA-256 computation failed");
  });
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
    throw std::runtime_error("SHA-256 computation failed");
  return hex(digest.data(), length);
}

namespace {

std::string format_utc(std::chrono::system_clock::time_point t, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace

std::string utc_iso8601(std::chrono::system_clock::time_point t) {
  return format_utc(t, "%Y-%m-%dT%H:%M:%SZ");
}

std::string utc_compact(std::chrono::system_clock::time_point t) {
  return format_utc(t, "%Y%m%dT%H%M%SZ");
}

std::string utc_now_iso8601() {
  return utc_iso8601(std::chrono::system_clock::now());
}

std::string this_host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0)
    return "localhost";
  return name.data();
}

std::string this_user_name() {
  const uid_t uid = ::geteuid();
  passwd entry{};
  passwd* found = nullptr;
  std::array<char, 4096> buffer{};
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
    return entry.pw_name;
  return std::to_string(uid);
}

std::chrono::sys_days utc_today() {
  return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
}

evidence make_evidence(std::string id, std::string source, std::string content, bool truncated) {
  evidence e{std::move(id),      std::move(source), utc_now_iso8601(), {},
             std::move(content), truncated};
  e.sha256 = sha256_hex(e.content);
  return e;
}

evidence make_evidence(std::string id, std::string source, std::unique_ptr<spooled_text> content) {
  content->flush();
  evidence e{std::move(id), std::move(source), utc_now_iso8601(), sha256_hex(*content), {}, false};
  e.spooled = std::move(content);
  return e;
}

std::size_t content_size(const evidence& e) {
  return e.spooled ? e.spooled->size() : e.content.size();
}

std::string content_prefix(const evidence& e, std::size_t n) {
  return e.spooled ? e.spooled->prefix(n) : e.content.substr(0, n);
}

void read_content(const evidence& e, const std::function<void(std::string_view)>& sink) {
  if (e.spooled)
    e.spooled->read(sink);
  else if (!e.content.empty())
    sink(e.content);
}

}  // namespace cloison

namespace cloison {

std::optional<std::chrono::sys_days> parse_iso_date(std::string_view text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-')
    return std::nullopt;
  if (std::sscanf(std::string(text).c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok())
    return std::nullopt;
  return std::chrono::sys_days{ymd};
}

std::optional<std::chrono::sys_seconds> parse_utc_time(std::string_view text) {
  // Exactly two decimal digits at `at` (no sign, no space), as a number.
  const auto two_digits = [&](std::size_t at) -> std::optional<unsigned> {
    unsigned value = 0;
    const char* end = text.data() + at + 2;
    const auto [stop, ec] = std::from_chars(text.data() + at, end, value);
    return ec == std::errc{} && stop == end ? std::optional(value) : std::nullopt;
  };
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')
    return std::nullopt;
  const auto day = parse_iso_date(text.substr(0, 10));
  const auto h = two_digits(11), m = two_digits(14), s = two_digits(17);
  if (!day || !h || !m || !s || *h > 23 || *m > 59 || *s > 59)
    return std::nullopt;
  return *day + std::chrono::hours{*h} + std::chrono::minutes{*m} + std::chrono::seconds{*s};
}

}  // namespace cloison
