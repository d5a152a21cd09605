// Decoders for Active Directory attribute values as LDAP returns them (raw bytes or text):
// SIDs, FILETIMEs, generalized times, flag fields, dSHeuristics, functional levels, DNS zone
// properties. Pure functions: no I/O, thread-safe. Malformed input gives nullopt (or an empty
// result), never an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

using sys_time = std::chrono::system_clock::time_point;

// objectSid / securityIdentifier / sIDHistory binary value -> "S-1-5-21-a-b-c-RID".
std::optional<std::string> decode_sid(std::string_view binary);
// The domain part of a SID string ("S-1-5-21-a-b-c" of "S-1-5-21-a-b-c-512"); "" when none.
std::string sid_domain(std::string_view sid);
// The last sub-authority (the RID) of a SID string; nullopt when it has none.
std::optional<std::uint32_t> sid_rid(std::string_view sid);

// Decimal text of a signed 64-bit integer (FILETIMEs, intervals, flags); nullopt when malformed.
std::optional<std::int64_t> parse_int64(std::string_view text);

// FILETIME (100 ns since 1601-01-01 UTC, decimal text) -> time point. 0 and 0x7FFFFFFFFFFFFFFF
// mean "never" and give nullopt, as do malformed text and times a sys_time cannot hold (before
// 1677 or after 2262).
std::optional<sys_time> decode_filetime(std::string_view text);
// Generalized time "YYYYMMDDHHMMSS[.f]Z" -> time point; nullopt when malformed or outside
// 1677-2262 (what a sys_time holds).
std::optional<sys_time> decode_generalized_time(std::string_view text);
// Whole days from `then` to `now` (0 when `then` is in the future).
std::int64_t days_between(sys_time then, sys_time now);
// A negative 100 ns interval of the domain head (maxPwdAge) in whole days; nullopt for "never"
// (0 or the most negative value) and malformed text.
std::optional<std::int64_t> decode_interval_days(std::string_view text);

// userAccountControl bits (MS-ADTS 2.2.16).
namespace uac {
inline constexpr std::uint32_t account_disable = 0x2;
inline constexpr std::uint32_t encrypted_text_password_allowed = 0x80;
inline constexpr std::uint32_t interdomain_trust_account = 0x800;
inline constexpr std::uint32_t workstation_trust_account = 0x1000;
inline constexpr std::uint32_t server_trust_account = 0x2000;
inline constexpr std::uint32_t dont_expire_password = 0x10000;
inline constexpr std::uint32_t trusted_for_delegation = 0x80000;
inline constexpr std::uint32_t use_des_key_only = 0x200000;
inline constexpr std::uint32_t dont_req_preauth = 0x400000;
inline constexpr std::uint32_t trusted_to_auth_for_delegation = 0x1000000;
inline constexpr std::uint32_t partial_secrets_account = 0x4000000;
}  // namespace uac
// The names of the set bits ("ACCOUNTDISABLE", "DONT_EXPIRE_PASSWORD", ...), low bit first;
// unknown bits as "0x...".
std::vector<std::string> uac_flag_names(std::uint32_t value);

// trustDirection: "disabled", "inbound", "outbound", "bidirectional" (or the number).
std::string trust_direction_name(std::int64_t direction);
// trustAttributes bits (MS-ADTS 6.1.6.7.9).
namespace trust_attr {
inline constexpr std::uint32_t quarantined_domain = 0x4;
inline constexpr std::uint32_t forest_transitive = 0x8;
inline constexpr std::uint32_t within_forest = 0x20;
inline constexpr std::uint32_t treat_as_external = 0x40;
inline constexpr std::uint32_t cross_organization_enable_tgt_delegation = 0x800;
inline constexpr std::uint32_t cross_organization_no_tgt_delegation = 0x200;
}  // namespace trust_attr
std::vector<std::string> trust_attribute_names(std::uint32_t value);

// The character of dSHeuristics at 1-based `position`, '0' when the string is shorter (an absent
// dSHeuristics means every heuristic at its default).
char dsheuristics_char(std::string_view heuristics, std::size_t position);

// msDS-Behavior-Version / domainFunctionality / forestFunctionality -> "Windows Server 2008 R2"
// (or "level N" for values it does not know).
std::string functional_level_name(std::int64_t level);

// The DSPROPERTY_ZONE_ALLOW_UPDATE (id 0x02) value of a dnsZone's dNSProperty values
// (MS-DNSP 2.3.2.1): 0 none, 1 unsecure and secure, 2 secure only; nullopt when absent.
std::optional<int> dns_zone_allow_update(const std::vector<std::string>& dns_properties);

// The DN of the parent of `dn` ("OU=a,DC=x" of "CN=b\\, c,OU=a,DC=x"): what follows the first
// comma that a backslash does not escape; "" when there is none.
std::string parent_dn(std::string_view dn);

// gPLink of a domain, OU or site ("[LDAP://cn={GUID},cn=policies,cn=system,DC=x;0][...]", MS-GPOL
// 2.2.2) -> the DNs of the GPOs it links and does not disable (option bit 0x1), in order; a link
// without "LDAP://" or a numeric option is skipped.
std::vector<std::string> enabled_gpo_links(std::string_view gplink);

}  // namespace cloison
