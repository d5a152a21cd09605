// nTSecurityDescriptor: the self-relative SECURITY_DESCRIPTOR Active Directory stores (MS-DTYP
// 2.4.6), its owner, group and DACL decoded, and the question the directory audit asks of it: who
// holds an extended right (DCSync: DS-Replication-Get-Changes[-All]) on the object. Pure
// functions: no I/O, thread-safe; malformed input gives nullopt, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cloison {

// An ACE of a DACL, as Active Directory stores it (MS-DTYP 2.4.4).
struct ace {
  enum class kind { allowed, denied, allowed_object, denied_object, other };
  kind type = kind::other;
  std::uint8_t raw_type = 0;  // the ACE type byte
  // AceFlags: 0x02 CONTAINER_INHERIT, 0x08 INHERIT_ONLY, 0x10 INHERITED ...
  std::uint8_t flags = 0;
  std::uint32_t mask = 0;  // access mask (0 for kind::other)
  // GUID text, lower case, "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"
  std::optional<std::string> object_type;
  std::optional<std::string> inherited_object_type;  // idem
  std::string trustee;                               // SID text "S-1-5-21-..."; "" for kind::other
  bool inherit_only() const { return (flags & 0x08) != 0; }
  bool inherited() const { return (flags & 0x10) != 0; }
};

struct security_descriptor {
  std::string owner;  // SID text, "" when absent
  std::string group;  // SID text, "" when absent
  bool has_dacl = false;
  std::vector<ace> dacl;
};

// Parses a self-relative SECURITY_DESCRIPTOR (nTSecurityDescriptor as read over LDAP with the
// SD_FLAGS control: owner, group, DACL; a SACL offset is ignored). The DACL is present when the
// control holds SE_DACL_PRESENT (0x0004) and its offset is not 0. Every offset, size and count is
// checked against the buffer: nullopt on anything malformed (revision != 1, not self-relative
// (control bit 0x8000 SE_SELF_RELATIVE), an offset into the 20-byte header or out of bounds, an
// ACL revision other than 2 or 4, an ACL or ACE size out of bounds, an ACE whose size is smaller
// than its content, AceCount larger than the ACL can hold, a SID with SubAuthorityCount > 15).
// Unknown ACE types are kept as kind::other with their raw type (skipped by their AceSize). Pure,
// thread-safe, never throws.
std::optional<security_descriptor> parse_security_descriptor(std::string_view bytes);

// Extended rights (controlAccessRight rightsGuid) that AD permission controls name.
inline constexpr std::string_view kDsReplicationGetChanges = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2";
inline constexpr std::string_view kDsReplicationGetChangesAll =
    "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2";

// The trustees (SID text, in DACL order, each once) to whom `sd`'s DACL grants the extended right
// `right` (GUID text, lower case) on the object itself: an allowed ACE that is not inherit-only
// and whose mask holds ADS_RIGHT_DS_CONTROL_ACCESS (0x100) or GENERIC_ALL (0x10000000) — for an
// allowed_object ACE, only when its object_type is absent or equals `right`. An ACE whose
// inherited_object_type is present still counts (the caller cannot tell the object's class here:
// counting it errs towards a finding). A denied or denied_object ACE for the same trustee SID that
// covers the right by the same rule and comes BEFORE the allowing ACE removes that trustee (DACL
// order decides, as Windows does; denials through group membership are not resolved here). No
// DACL (has_dacl false) grants everything: returns {"S-1-1-0"} (Everyone). Pure.
std::vector<std::string> trustees_with_extended_right(const security_descriptor& sd,
                                                      std::string_view right);

// A trustee that controls an object: it can rewrite its DACL, take it over, or write all of it.
struct control_holder {
  std::string trustee;  // SID text
  std::string right;    // "owner", "GenericAll", "GenericWrite", "WriteDacl", "WriteOwner" or
                        // "WriteProperty (every property)": the first that `sd` grants it
};

// The trustees (in order: the owner, then DACL order, each once) that control the object of `sd`:
// its owner (who may always rewrite the DACL), and those an allowed ACE that is not inherit-only
// grants GENERIC_ALL, GENERIC_WRITE, WRITE_DAC or WRITE_OWNER (whatever its object type), or
// ADS_RIGHT_DS_WRITE_PROP without an object type (every property). Denials are not subtracted
// (a partial denial of such rights leaves control: counting errs towards a finding). No DACL:
// Everyone ("S-1-1-0", GenericAll). Pure.
std::vector<control_holder> trustees_with_control(const security_descriptor& sd);

}  // namespace cloison
