#include "core/cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace cloison {

std::optional<ip_address> ip_address::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN)
    return std::nullopt;
  const std::string s(text);
  ip_address a;
  if (s.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) != 1)
      return std::nullopt;
  } else {
    a.v6 = true;
    if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1)
      return std::nullopt;
  }
  return a;
}

std::string ip_address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

bool ip_address::loopback() const {
  static const auto loopback_v4 = cidr::parse("127.0.0.0/8");
  static const auto loopback_v6 = cidr::parse("::1/128");
  return (v6 ? loopback_v6 : loopback_v4)->contains(*this);
}

namespace {

unsigned width(const ip_address& a) {
  return a.v6 ? 128 : 32;
}

bool bit(const ip_address& a, unsigned i) {
  return (a.bytes[i / 8] >> (7 - i % 8)) & 1;
}

bool same_prefix(const ip_address& a, const ip_address& b, unsigned bits) {
  for (unsigned i = 0; i < bits; ++i) {
    if (bit(a, i) != bit(b, i))
      return false;
  }
  return true;
}

}  // namespace

std::optional<cidr> cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  auto address = ip_address::parse(text.substr(0, slash));
  if (!address)
    return std::nullopt;
  cidr c{*address, width(*address)};
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), c.prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        c.prefix > width(*address)) {
      return std::nullopt;
    }
  }
  for (unsigned i = c.prefix; i < width(*address); ++i) {
    if (bit(c.network, i))
      return std::nullopt;
  }
  return c;
}

std::string cidr::to_string() const {
  return network.to_string() + "/" + std::to_string(prefix);
}

bool cidr::contains(const ip_address& address) const {
  return address.v6 == network.v6 && same_prefix(network, address, prefix);
}

bool cidr::overlaps(const cidr& other) const {
  return network.v6 == other.network.v6 &&
         same_prefix(network, other.network, std::min(prefix, other.prefix));
}

std::uint64_t cidr::size() const {
  const unsigned host_bits = width(network) - prefix;
  return host_bits >= 64 ? UINT64_MAX : std::uint64_t{1} << host_bits;
}

std::optional<port_range> port_range::parse(std::string_view text) {
  auto number = [](std::string_view s, unsigned& v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size() && v >= 1 && v <= 65535;
  };
  port_range r;
  const auto dash = text.find('-');
  if (!number(text.substr(0, dash), r.first))
    return std::nullopt;
  if (dash == std::string_view::npos) {
    r.last = r.first;
  } else if (!number(text.substr(dash + 1), r.last) || r.last < r.first) {
    return std::nullopt;
  }
  return r;
}

std::string port_range::to_string() const {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

std::string uri_address(std::string_view uri) {
  const auto scheme = uri.find("://");
  auto rest = uri.substr(scheme == std::string_view::npos ? 0 : scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  if (!rest.empty() && rest.front() == '[')
    rest = rest.substr(1, rest.find(']') - 1);
  else if (std::count(rest.begin(), rest.end(), ':') == 1)
    rest = rest.substr(0, rest.find(':'));
  return ip_address::parse(rest) ? std::string(rest) : "";
}

std::optional<unsigned> parse_port(std::string_view text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || port == 0 ||
      port > 65535)
    return std::nullopt;
  return port;
}

namespace {

// "HOST[:PORT]" or "[V6]:PORT" split; nullopt when malformed. `port` keeps its value when absent.
std::optional<std::string_view> split_host_port(std::string_view text, unsigned& port) {
  std::string_view host = text, port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return std::nullopt;
    host = text.substr(1, close - 1);
    const auto after = text.substr(close + 1);
    if (!after.empty() && !after.starts_with(':'))
      return std::nullopt;
    if (!after.empty())
      port_text = after.substr(1);
    if (!ip_address::parse(host) || host.find(':') == std::string_view::npos)
      return std::nullopt;
  } else if (const auto colon = text.find(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty())
      return std::nullopt;
  }
  if (host.empty())
    return std::nullopt;
  if (!port_text.empty()) {
    const auto p = parse_port(port_text);
    if (!p)
      return std::nullopt;
    port = *p;
  }
  return host;
}

}  // namespace

std::optional<https_url> https_url::parse(std::string_view text) {
  constexpr std::string_view kScheme = "https://";
  if (text.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), text.begin(),
                  [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); }))
    return std::nullopt;
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; }) ||
      text.find('#') != std::string_view::npos)
    return std::nullopt;
  const auto rest = text.substr(kScheme.size());
  const auto slash = std::min(rest.find('/'), rest.find('?'));
  const auto authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    return std::nullopt;
  https_url url;
  const auto host = split_host_port(authority, url.port);
  const auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  };
  if (!host || (!authority.starts_with('[') && !std::all_of(host->begin(), host->end(), name_char)))
    return std::nullopt;
  url.host = std::string(*host);
  if (slash != std::string_view::npos)
    url.target = (rest[slash] == '?' ? "/" : "") + std::string(rest.substr(slash));
  return url;
}

std::optional<listen_address> listen_address::parse(std::string_view text) {
  listen_address a;
  const auto host = split_host_port(text, a.port);
  if (!host || a.port == 0)
    return std::nullopt;
  const auto address = ip_address::parse(*host);
  if (!address || address->v6 != text.starts_with('['))
    return std::nullopt;
  a.address = *address;
  return a;
}

}  // namespace cloison
