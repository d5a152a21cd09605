#include "probes/directory/ad_decoders.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

namespace cloison {

namespace {

// 100 ns ticks between 1601-01-01 and 1970-01-01.
constexpr std::int64_t kFiletimeUnixEpoch = 116444736000000000;
constexpr std::int64_t kTicksPerDay = 864000000000;

std::uint32_t little_endian32(std::string_view b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

template <std::size_t N>
std::vector<std::string> flag_names(std::uint32_t value,
                                    const std::array<std::pair<std::uint32_t, const char*>, N>& t) {
  std::vector<std::string> out;
  for (std::uint32_t bit = 1; bit != 0; bit <<= 1) {
    if (!(value & bit))
      continue;
    std::string name;
    for (const auto& [b, n] : t) {
      if (b == bit)
        name = n;
    }
    if (name.empty()) {
      char hex[16];
      const auto r = std::to_chars(hex, hex + sizeof hex, bit, 16);
      name = "0x" + std::string(hex, r.ptr);
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace

std::optional<std::string> decode_sid(std::string_view b) {
  if (b.size() < 8 || b[0] != 1)
    return std::nullopt;
  const std::size_t count = static_cast<unsigned char>(b[1]);
  if (b.size() != 8 + 4 * count)
    return std::nullopt;
  std::uint64_t authority = 0;
  for (std::size_t i = 2; i < 8; ++i)
    authority = (authority << 8) | static_cast<unsigned char>(b[i]);
  std::string out = "S-1-" + std::to_string(authority);
  for (std::size_t i = 0; i < count; ++i)
    out += "-" + std::to_string(little_endian32(b, 8 + 4 * i));
  return out;
}

std::string sid_domain(std::string_view sid) {
  const auto dash = sid.rfind('-');
  if (dash == std::string_view::npos || std::count(sid.begin(), sid.end(), '-') < 3)
    return "";
  return std::string(sid.substr(0, dash));
}

std::optional<std::uint32_t> sid_rid(std::string_view sid) {
  const auto dash = sid.rfind('-');
  if (dash == std::string_view::npos || std::count(sid.begin(), sid.end(), '-') < 3)
    return std::nullopt;
  std::uint32_t rid = 0;
  const auto tail = sid.substr(dash + 1);
  const auto r = std::from_chars(tail.data(), tail.data() + tail.size(), rid);
  if (r.ec != std::errc{} || r.ptr != tail.data() + tail.size())
    return std::nullopt;
  return rid;
}

std::optional<std::int64_t> parse_int64(std::string_view text) {
  std::int64_t v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || r.ec != std::errc{} || r.ptr != text.data() + text.size())
    return std::nullopt;
  return v;
}

namespace {

// `t` as a sys_time, or nullopt when sys_time (nanoseconds since 1970 in 64 bits: 1677 to 2262)
// cannot hold it. `Duration` is no finer than sys_time's.
template <class Duration>
std::optional<sys_time> representable(
    std::chrono::time_point<std::chrono::system_clock, Duration> t) {
  using std::chrono::time_point_cast;
  if (t < time_point_cast<Duration>(sys_time::min()) ||
      t > time_point_cast<Duration>(sys_time::max())) {
    return std::nullopt;
  }
  return time_point_cast<sys_time::duration>(t);
}

}  // namespace

std::optional<sys_time> decode_filetime(std::string_view text) {
  const auto ticks = parse_int64(text);
  if (!ticks || *ticks <= 0 || *ticks == std::numeric_limits<std::int64_t>::max())
    return std::nullopt;
  const auto since_unix = std::chrono::microseconds((*ticks - kFiletimeUnixEpoch) / 10);
  return representable(std::chrono::sys_time<std::chrono::microseconds>(since_unix));
}

std::optional<sys_time> decode_generalized_time(std::string_view t) {
  if (t.size() < 15 || t.back() != 'Z')
    return std::nullopt;
  int parts[6];
  const int widths[6] = {4, 2, 2, 2, 2, 2};
  std::size_t at = 0;
  for (int i = 0; i < 6; ++i) {
    const auto r = std::from_chars(t.data() + at, t.data() + at + widths[i], parts[i]);
    if (r.ec != std::errc{} || r.ptr != t.data() + at + widths[i])
      return std::nullopt;
    at += widths[i];
  }
  if (t[at] != '.' && t[at] != 'Z')
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{parts[0]}, month{static_cast<unsigned>(parts[1])},
                           day{static_cast<unsigned>(parts[2])}};
  if (!ymd.ok() || parts[3] > 23 || parts[4] > 59 || parts[5] > 60)
    return std::nullopt;
  return representable(sys_days(ymd) + hours(parts[3]) + minutes(parts[4]) + seconds(parts[5]));
}

std::int64_t days_between(sys_time then, sys_time now) {
  using namespace std::chrono;
  if (then >= now)
    return 0;
  // In microseconds: the span of two sys_times can exceed what nanoseconds hold (292 years).
  return duration_cast<hours>(time_point_cast<microseconds>(now) -
                              time_point_cast<microseconds>(then))
             .count() /
         24;
}

std::optional<std::int64_t> decode_interval_days(std::string_view text) {
  const auto v = parse_int64(text);
  if (!v || *v == 0 || *v == std::numeric_limits<std::int64_t>::min())
    return std::nullopt;
  return (*v < 0 ? -*v : *v) / kTicksPerDay;
}

std::vector<std::string> uac_flag_names(std::uint32_t value) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 22> kNames{{
      {0x1, "SCRIPT"},
      {0x2, "ACCOUNTDISABLE"},
      {0x8, "HOMEDIR_REQUIRED"},
      {0x10, "LOCKOUT"},
      {0x20, "PASSWD_NOTREQD"},
      {0x40, "PASSWD_CANT_CHANGE"},
      {0x80, "ENCRYPTED_TEXT_PWD_ALLOWED"},
      {0x100, "TEMP_DUPLICATE_ACCOUNT"},
      {0x200, "NORMAL_ACCOUNT"},
      {0x800, "INTERDOMAIN_TRUST_ACCOUNT"},
      {0x1000, "WORKSTATION_TRUST_ACCOUNT"},
      {0x2000, "SERVER_TRUST_ACCOUNT"},
      {0x10000, "DONT_EXPIRE_PASSWORD"},
      {0x20000, "MNS_LOGON_ACCOUNT"},
      {0x40000, "SMARTCARD_REQUIRED"},
      {0x80000, "TRUSTED_FOR_DELEGATION"},
      {0x100000, "NOT_DELEGATED"},
      {0x200000, "USE_DES_KEY_ONLY"},
      {0x400000, "DONT_REQ_PREAUTH"},
      {0x800000, "PASSWORD_EXPIRED"},
      {0x1000000, "TRUSTED_TO_AUTH_FOR_DELEGATION"},
      {0x4000000, "PARTIAL_SECRETS_ACCOUNT"},
  }};
  return flag_names(value, kNames);
}

std::string trust_direction_name(std::int64_t direction) {
  switch (direction) {
    case 0:
      return "disabled";
    case 1:
      return "inbound";
    case 2:
      return "outbound";
    case 3:
      return "bidirectional";
    default:
      return std::to_string(direction);
  }
}

std::vector<std::string> trust_attribute_names(std::uint32_t value) {
  static constexpr std::array<std::pair<std::uint32_t, const char*>, 12> kNames{{
      {0x1, "NON_TRANSITIVE"},
      {0x2, "UPLEVEL_ONLY"},
      {0x4, "QUARANTINED_DOMAIN"},
      {0x8, "FOREST_TRANSITIVE"},
      {0x10, "CROSS_ORGANIZATION"},
      {0x20, "WITHIN_FOREST"},
      {0x40, "TREAT_AS_EXTERNAL"},
      {0x80, "USES_RC4_ENCRYPTION"},
      {0x200, "CROSS_ORGANIZATION_NO_TGT_DELEGATION"},
      {0x400, "PIM_TRUST"},
      {0x800, "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION"},
      {0x1000, "DISABLE_AUTH_TARGET_VALIDATION"},
  }};
  return flag_names(value, kNames);
}

char dsheuristics_char(std::string_view heuristics, std::size_t position) {
  return position >= 1 && position <= heuristics.size() ? heuristics[position - 1] : '0';
}

std::string functional_level_name(std::int64_t level) {
  switch (level) {
    case 0:
      return "Windows 2000";
    case 1:
      return "Windows Server 2003 interim";
    case 2:
      return "Windows Server 2003";
    case 3:
      return "Windows Server 2008";
    case 4:
      return "Windows Server 2008 R2";
    case 5:
      return "Windows Server 2012";
    case 6:
      return "Windows Server 2012 R2";
    case 7:
      return "Windows Server 2016";
    case 10:
      return "Windows Server 2025";
    default:
      return "level " + std::to_string(level);
  }
}

std::optional<int> dns_zone_allow_update(const std::vector<std::string>& dns_properties) {
  constexpr std::uint32_t kAllowUpdate = 0x02;
  for (const auto& p : dns_properties) {
    if (p.size() < 21)
      continue;
    const auto length = little_endian32(p, 0);
    if (little_endian32(p, 16) == kAllowUpdate && length >= 1)
      return static_cast<unsigned char>(p[20]);
  }
  return std::nullopt;
}

std::string parent_dn(std::string_view dn) {
  for (std::size_t i = 0; i < dn.size(); ++i) {
    if (dn[i] == '\\')
      ++i;
    else if (dn[i] == ',')
      return std::string(dn.substr(i + 1));
  }
  return "";
}

std::vector<std::string> enabled_gpo_links(std::string_view gplink) {
  std::vector<std::string> out;
  for (auto open = gplink.find('['); open != std::string_view::npos;
       open = gplink.find('[', open + 1)) {
    const auto close = gplink.find(']', open);
    if (close == std::string_view::npos)
      break;
    const auto link = gplink.substr(open + 1, close - open - 1);
    const auto semicolon = link.rfind(';');
    constexpr std::string_view kScheme = "ldap://";
    if (semicolon == std::string_view::npos || link.size() < kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), link.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(b)) == a;
        }))
      continue;
    const auto option = parse_int64(link.substr(semicolon + 1));
    if (option && !(*option & 0x1))
      out.emplace_back(link.substr(kScheme.size(), semicolon - kScheme.size()));
  }
  return out;
}

}  // namespace cloison
