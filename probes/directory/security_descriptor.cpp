#include "probes/directory/security_descriptor.h"

#include <algorithm>
#include <array>
#include <utility>

#include "probes/directory/ad_decoders.h"

namespace cloison {

namespace {

constexpr std::size_t kHeaderSize = 20;
constexpr std::size_t kAclHeaderSize = 8;
constexpr std::size_t kAceHeaderSize = 4;
constexpr std::uint16_t kSelfRelative = 0x8000;
constexpr std::uint16_t kDaclPresent = 0x0004;
constexpr std::uint32_t kObjectTypePresent = 0x1;
constexpr std::uint32_t kInheritedObjectTypePresent = 0x2;
constexpr std::size_t kMaxSubAuthorities = 15;
constexpr std::uint32_t kControlAccess = 0x100;
constexpr std::uint32_t kGenericAll = 0x10000000;
// Every directory-service and standard right: what GenericAll is stored as once mapped.
constexpr std::uint32_t kFullControl = 0x000F01FF;
constexpr std::string_view kEveryone = "S-1-1-0";
// Rights that give control of an object, strongest first, with the name the report shows; an ACE
// is named by the first whose bits it holds all of.
constexpr std::array<std::pair<std::uint32_t, std::string_view>, 5> kControlRights{{
    {kGenericAll, "GenericAll"},
    {kFullControl, "GenericAll"},
    {0x40000000, "GenericWrite"},
    {0x00040000, "WriteDacl"},
    {0x00080000, "WriteOwner"},
}};
constexpr std::uint32_t kWriteProperty = 0x20;

// Reads little-endian fields of `bytes` from a position on. A read past the end fails the cursor
// for good and gives 0 (or an empty view): callers check ok() once after a run of reads.
class cursor {
 public:
  cursor(std::string_view bytes, std::size_t at)
      : bytes_(bytes), at_(at), ok_(at <= bytes.size()) {}

  bool ok() const { return ok_; }
  void fail() { ok_ = false; }

  std::string_view take(std::size_t n) {
    if (!ok_ || n > bytes_.size() - at_) {
      ok_ = false;
      return {};
    }
    const auto out = bytes_.substr(at_, n);
    at_ += n;
    return out;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(little_endian(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(little_endian(2)); }
  std::uint32_t u32() { return little_endian(4); }

 private:
  std::uint32_t little_endian(std::size_t n) {
    std::uint32_t value = 0;
    const auto b = take(n);
    for (std::size_t i = 0; i < b.size(); ++i)
      value |= std::uint32_t{static_cast<unsigned char>(b[i])} << (8 * i);
    return value;
  }

  std::string_view bytes_;
  std::size_t at_;
  bool ok_;
};

// A SID (MS-DTYP 2.4.2.2) as "S-1-5-21-..." (decode_sid); "" and a failed cursor when malformed.
std::string read_sid(cursor& c) {
  cursor peek = c;
  peek.u8();  // Revision
  const std::size_t count = peek.u8();
  const auto sid = count <= kMaxSubAuthorities ? decode_sid(c.take(8 + 4 * count)) : std::nullopt;
  if (!c.ok() || !sid) {
    c.fail();
    return "";
  }
  return *sid;
}

// A GUID as "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2" (Data1..3 little-endian, Data4 in order).
std::string read_guid(cursor& c) {
  static constexpr std::array<int, 20> kByteOrder = {3,  2, 1, 0,  -1, 5,  4,  -1, 7,  6,
                                                     -1, 8, 9, -1, 10, 11, 12, 13, 14, 15};
  static constexpr std::string_view kHex = "0123456789abcdef";
  const auto b = c.take(16);
  if (!c.ok())
    return "";
  std::string text;
  for (const int i : kByteOrder) {
    if (i < 0) {
      text += '-';
      continue;
    }
    const auto byte = static_cast<unsigned char>(b[static_cast<std::size_t>(i)]);
    text += kHex[byte >> 4];
    text += kHex[byte & 0xf];
  }
  return text;
}

// The ACE at `at` of `acl` (an ACL's bytes), advancing `at` past it; nullopt when malformed.
std::optional<ace> read_ace(std::string_view acl, std::size_t& at) {
  cursor header(acl, at);
  ace a;
  a.raw_type = header.u8();
  a.flags = header.u8();
  const std::size_t size = header.u16();
  if (!header.ok() || size < kAceHeaderSize || size > acl.size() - at)
    return std::nullopt;
  cursor body(acl.substr(at, size), kAceHeaderSize);
  at += size;
  switch (a.raw_type) {
    case 0x00:
      a.type = ace::kind::allowed;
      break;
    case 0x01:
      a.type = ace::kind::denied;
      break;
    case 0x05:
      a.type = ace::kind::allowed_object;
      break;
    case 0x06:
      a.type = ace::kind::denied_object;
      break;
    default:
      return a;
  }
  a.mask = body.u32();
  if (a.type == ace::kind::allowed_object || a.type == ace::kind::denied_object) {
    const auto object_flags = body.u32();
    if (object_flags & kObjectTypePresent)
      a.object_type = read_guid(body);
    if (object_flags & kInheritedObjectTypePresent)
      a.inherited_object_type = read_guid(body);
  }
  a.trustee = read_sid(body);
  if (!body.ok())
    return std::nullopt;
  return a;
}

// The SID at `offset` of the descriptor; nullopt when it is malformed or not in the body.
std::optional<std::string> sid_at(std::string_view bytes, std::size_t offset) {
  if (offset < kHeaderSize)
    return std::nullopt;
  cursor c(bytes, offset);
  auto sid = read_sid(c);
  if (!c.ok())
    return std::nullopt;
  return sid;
}

// The ACEs of the ACL at `offset` of the descriptor; nullopt when malformed.
std::optional<std::vector<ace>> acl_at(std::string_view bytes, std::size_t offset) {
  if (offset < kHeaderSize)
    return std::nullopt;
  cursor header(bytes, offset);
  const auto revision = header.u8();
  header.u8();  // Sbz1
  const std::size_t size = header.u16();
  const std::size_t count = header.u16();
  if (!header.ok() || (revision != 2 && revision != 4) || size < kAclHeaderSize ||
      size > bytes.size() - offset || count > (size - kAclHeaderSize) / kAceHeaderSize)
    return std::nullopt;
  const auto acl = bytes.substr(offset, size);
  std::vector<ace> aces;
  aces.reserve(count);
  std::size_t at = kAclHeaderSize;
  for (std::size_t i = 0; i < count; ++i) {
    auto a = read_ace(acl, at);
    if (!a)
      return std::nullopt;
    aces.push_back(std::move(*a));
  }
  return aces;
}

// Whether `a`, allowing or denying, applies to the object itself and to the extended right.
bool covers(const ace& a, std::string_view right) {
  return !a.inherit_only() && (a.mask & (kControlAccess | kGenericAll)) != 0 &&
         (!a.object_type || *a.object_type == right);
}

bool contains(const std::vector<std::string>& sids, const std::string& sid) {
  return std::find(sids.begin(), sids.end(), sid) != sids.end();
}

}  // namespace

std::optional<security_descriptor> parse_security_descriptor(std::string_view bytes) {
  cursor header(bytes, 0);
  const auto revision = header.u8();
  header.u8();  // Sbz1
  const auto control = header.u16();
  const std::size_t owner_offset = header.u32();
  const std::size_t group_offset = header.u32();
  header.u32();  // OffsetSacl
  const std::size_t dacl_offset = header.u32();
  if (!header.ok() || revision != 1 || (control & kSelfRelative) == 0)
    return std::nullopt;
  security_descriptor sd;
  for (const auto& [offset, sid] :
       {std::pair{owner_offset, &sd.owner}, {group_offset, &sd.group}}) {
    if (offset == 0)
      continue;
    auto text = sid_at(bytes, offset);
    if (!text)
      return std::nullopt;
    *sid = std::move(*text);
  }
  sd.has_dacl = (control & kDaclPresent) != 0 && dacl_offset != 0;
  if (sd.has_dacl) {
    auto aces = acl_at(bytes, dacl_offset);
    if (!aces)
      return std::nullopt;
    sd.dacl = std::move(*aces);
  }
  return sd;
}

std::vector<std::string> trustees_with_extended_right(const security_descriptor& sd,
                                                      std::string_view right) {
  if (!sd.has_dacl)
    return {std::string(kEveryone)};
  std::vector<std::string> granted;
  std::vector<std::string> denied;
  for (const auto& a : sd.dacl) {
    if (!covers(a, right))
      continue;
    if (a.type == ace::kind::denied || a.type == ace::kind::denied_object) {
      denied.push_back(a.trustee);
    } else if ((a.type == ace::kind::allowed || a.type == ace::kind::allowed_object) &&
               !contains(denied, a.trustee) && !contains(granted, a.trustee)) {
      granted.push_back(a.trustee);
    }
  }
  return granted;
}

std::vector<control_holder> trustees_with_control(const security_descriptor& sd) {
  if (!sd.has_dacl)
    return {{std::string(kEveryone), "GenericAll"}};
  std::vector<control_holder> holders;
  const auto add = [&holders](const std::string& trustee, std::string_view right) {
    if (std::none_of(holders.begin(), holders.end(),
                     [&](const control_holder& h) { return h.trustee == trustee; }))
      holders.push_back({trustee, std::string(right)});
  };
  if (!sd.owner.empty())
    add(sd.owner, "owner");
  for (const auto& a : sd.dacl) {
    if (a.inherit_only() || (a.type != ace::kind::allowed && a.type != ace::kind::allowed_object))
      continue;
    for (const auto& [bits, name] : kControlRights) {
      if ((a.mask & bits) == bits) {
        add(a.trustee, name);
        break;
      }
    }
    if ((a.mask & kWriteProperty) && !a.object_type)
      add(a.trustee, "WriteProperty (every property)");
  }
  return holders;
}

}  // namespace cloison
