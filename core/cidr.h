// IPv4/IPv6 addresses, CIDR blocks and TCP/UDP port ranges: parsing, containment and overlap.
// Pure value types; safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cloison {

struct ip_address {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 bytes

  // Parses a textual IPv4 or IPv6 address; nullopt when it is not one.
  static std::optional<ip_address> parse(std::string_view text);
  std::string to_string() const;
  // 127.0.0.0/8 or ::1.
  bool loopback() const;
  friend bool operator==(const ip_address&, const ip_address&) = default;
};

struct cidr {
  ip_address network;
  unsigned prefix = 0;

  // Parses "a.b.c.d/n", "x::/n" or a bare address (a host route). Returns nullopt on
  // malformed text, an out-of-range prefix, or host bits set below the prefix.
  static std::optional<cidr> parse(std::string_view text);
  std::string to_string() const;
  bool contains(const ip_address& address) const;
  bool overlaps(const cidr& other) const;
  // Number of addresses, saturated at 2^64 - 1.
  std::uint64_t size() const;
  friend bool operator==(const cidr&, const cidr&) = default;
};

// A port or an inclusive range of ports, 1..65535.
struct port_range {
  unsigned first = 0;
  unsigned last = 0;

  // Parses "22" or "2500-3300"; nullopt when malformed, out of 1..65535, or reversed.
  static std::optional<port_range> parse(std::string_view text);
  bool contains(unsigned port) const { return port >= first && port <= last; }
  std::size_t count() const { return last - first + 1; }
  std::string to_string() const;
  friend bool operator==(const port_range&, const port_range&) = default;
};

// The address a URI names ("ldaps://198.18.5.10:636" -> "198.18.5.10", "ldap://[fd00::5]/" ->
// "fd00::5"), or "" when it names a host by DNS name (not resolved here).
std::string uri_address(std::string_view uri);

// A port written as digits, 1..65535 ("443"); nullopt otherwise.
std::optional<unsigned> parse_port(std::string_view text);

// The URL of a webhook: https://HOST[:PORT][/PATH], HOST a DNS name, an IPv4 address or an IPv6
// address in brackets. Refused (nullopt): another scheme (http:// included), user info
// (user@host), a fragment, spaces or control characters, an empty host, a bad port.
struct https_url {
  std::string host;  // without brackets
  unsigned port = 443;
  std::string target = "/";  // path and query, as sent in the request line
  static std::optional<https_url> parse(std::string_view text);
  friend bool operator==(const https_url&, const https_url&) = default;
};

// An address to listen on: IPV4:PORT or [IPV6]:PORT ("127.0.0.1:9469", "[::1]:9469"). A host
// name is refused: what is listened on must be stated exactly.
struct listen_address {
  ip_address address;
  unsigned port = 0;
  static std::optional<listen_address> parse(std::string_view text);
  friend bool operator==(const listen_address&, const listen_address&) = default;
};

}  // namespace cloison
