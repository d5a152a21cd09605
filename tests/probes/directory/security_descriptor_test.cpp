#include "probes/directory/security_descriptor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::ElementsAre;

// The domain SID the fixtures of tests/data/directory/sd are rendered for (make.py there).
const std::string kDomain = "S-1-5-21-1004336348-1177238915-682003330";
const std::string kAdministrators = "S-1-5-32-544";           // BA
const std::string kEnterpriseDomainControllers = "S-1-5-9";   // ED
const std::string kSystem = "S-1-5-18";                       // SY
const std::string kDomainAdmins = kDomain + "-512";           // DA
const std::string kEnterpriseAdmins = kDomain + "-519";       // EA (Samba renders it in the domain)
const std::string kDomainControllers = kDomain + "-516";      // DD
const std::string kEnterpriseReadOnlyDcs = kDomain + "-498";  // RO

std::string fixture(const std::string& name) {
  return cloison::testing::fixture_text("directory/sd/" + name + ".bin");
}

std::uint32_t u32_at(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= std::uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  return v;
}

// `bytes` with the little-endian `width`-byte field at `at` set to `value`.
std::string patched(std::string bytes, std::size_t at, std::uint32_t value, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i)
    bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return bytes;
}

// Offsets of the self-relative header (MS-DTYP 2.4.6).
constexpr std::size_t kControl = 2;
constexpr std::size_t kOffsetOwner = 4;
constexpr std::size_t kOffsetGroup = 8;
constexpr std::size_t kOffsetDacl = 16;

ace allowing(std::string trustee, std::uint8_t flags, std::uint32_t mask,
             std::optional<std::string> object_type = std::nullopt) {
  ace a;
  a.type = object_type ? ace::kind::allowed_object : ace::kind::allowed;
  a.raw_type = object_type ? 0x05 : 0x00;
  a.flags = flags;
  a.mask = mask;
  a.object_type = std::move(object_type);
  a.trustee = std::move(trustee);
  return a;
}

TEST(SecurityDescriptor, SambaDefaultDomainHead) {
  const auto sd = parse_security_descriptor(fixture("domain-head-default"));
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->owner, kAdministrators);  // O:BA
  EXPECT_EQ(sd->group, kAdministrators);  // G:BA
  ASSERT_TRUE(sd->has_dacl);
  ASSERT_EQ(sd->dacl.size(), 46u);

  // (OA;CIIO;RP;4c164200-20c0-11d0-a768-00aa006e0529;4828cc14-1437-45bc-9b07-ad6f015e5f28;RU)
  const ace& first = sd->dacl[0];
  EXPECT_EQ(first.type, ace::kind::allowed_object);
  EXPECT_EQ(first.raw_type, 0x05);
  EXPECT_EQ(first.flags, 0x0a);  // CONTAINER_INHERIT | INHERIT_ONLY
  EXPECT_TRUE(first.inherit_only());
  EXPECT_FALSE(first.inherited());
  EXPECT_EQ(first.mask, 0x10u);  // ADS_RIGHT_DS_READ_PROP
  EXPECT_EQ(first.object_type, "4c164200-20c0-11d0-a768-00aa006e0529");
  EXPECT_EQ(first.inherited_object_type, "4828cc14-1437-45bc-9b07-ad6f015e5f28");
  EXPECT_EQ(first.trustee, "S-1-5-32-554");  // RU

  // (OA;;CR;1131f6ad-9c07-11d1-f79f-00c04fc2dcd2;;DD)
  const ace& dd = sd->dacl[11];
  EXPECT_EQ(dd.type, ace::kind::allowed_object);
  EXPECT_EQ(dd.raw_type, 0x05);
  EXPECT_EQ(dd.flags, 0);
  EXPECT_EQ(dd.mask, 0x100u);  // ADS_RIGHT_DS_CONTROL_ACCESS
  EXPECT_EQ(dd.object_type, std::string(kDsReplicationGetChangesAll));
  EXPECT_EQ(dd.inherited_object_type, std::nullopt);
  EXPECT_EQ(dd.trustee, kDomainControllers);

  // (A;;RPWPCRCCDCLCLORCWOWDSDDTSW;;;SY), the last ACE.
  const ace& system = sd->dacl.back();
  EXPECT_EQ(system.type, ace::kind::allowed);
  EXPECT_EQ(system.raw_type, 0x00);
  EXPECT_EQ(system.mask, 0x000f01ffu);
  EXPECT_EQ(system.object_type, std::nullopt);
  EXPECT_EQ(system.trustee, kSystem);
}

TEST(SecurityDescriptor, DefaultHeadGrantsReplicationToPrivilegedTrusteesOnly) {
  const auto sd = parse_security_descriptor(fixture("domain-head-default"));
  ASSERT_TRUE(sd);
  // RO, BA, ED by object ACEs; DA, EA, (BA), SY by plain ACEs holding CR.
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChanges),
              ElementsAre(kEnterpriseReadOnlyDcs, kAdministrators, kEnterpriseDomainControllers,
                          kDomainAdmins, kEnterpriseAdmins, kSystem));
  // DD, BA by object ACEs (ED holds Get-Changes but not Get-Changes-All); then the plain ones.
  EXPECT_THAT(
      trustees_with_extended_right(*sd, kDsReplicationGetChangesAll),
      ElementsAre(kDomainControllers, kAdministrators, kDomainAdmins, kEnterpriseAdmins, kSystem));
}

std::vector<std::string> as_text(const std::vector<control_holder>& holders) {
  std::vector<std::string> out;
  for (const auto& h : holders)
    out.push_back(h.trustee + " " + h.right);
  return out;
}

TEST(SecurityDescriptor, TheDefaultHeadIsControlledByItsOwnerAndThePrivilegedGroups) {
  const auto sd = parse_security_descriptor(fixture("domain-head-default"));
  ASSERT_TRUE(sd);
  // O:BA; DA, EA, BA and SY hold WD and WO (A;;...WOWD...); EA and SY every right (full control,
  // 0xF01FF: GenericAll as stored once mapped); the inherit-only PS ACE does not count.
  EXPECT_THAT(as_text(trustees_with_control(*sd)),
              ElementsAre(kAdministrators + " owner", kDomainAdmins + " WriteDacl",
                          kEnterpriseAdmins + " GenericAll", kSystem + " GenericAll"));
}

TEST(SecurityDescriptor, ControlGrantsAreNamedByTheirStrongestRight) {
  // AdminSDHolder of backup.lab plus (A;;GA;;;-1104)(A;;WD;;;-1106) (sd/make.py).
  const auto sd = parse_security_descriptor(fixture("backup-lab-adminsdholder-control"));
  ASSERT_TRUE(sd);
  const std::string lab = "S-1-5-21-444168188-791113803-1657383804";
  const auto holders = as_text(trustees_with_control(*sd));
  ASSERT_FALSE(holders.empty());
  EXPECT_EQ(holders.front(), lab + "-512 owner");
  EXPECT_THAT(holders, ::testing::Contains(lab + "-1104 GenericAll"));
  EXPECT_THAT(holders, ::testing::Contains(lab + "-1106 WriteDacl"));
  // No DACL: everyone controls the object.
  EXPECT_THAT(as_text(trustees_with_control(security_descriptor{})),
              ElementsAre("S-1-1-0 GenericAll"));
}

TEST(SecurityDescriptor, DcsyncGrantToAnOrdinaryUser) {
  const auto sd = parse_security_descriptor(fixture("domain-head-dcsync-user"));
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->dacl.size(), 48u);
  const std::string user = kDomain + "-1105";
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChanges),
              ElementsAre(kEnterpriseReadOnlyDcs, kAdministrators, kEnterpriseDomainControllers,
                          kDomainAdmins, kEnterpriseAdmins, kSystem, user));
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChangesAll),
              ElementsAre(kDomainControllers, kAdministrators, kDomainAdmins, kEnterpriseAdmins,
                          kSystem, user));
}

TEST(SecurityDescriptor, DenialBeforeTheAllowRemovesTheTrustee) {
  const auto sd = parse_security_descriptor(fixture("deny-before-allow"));
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->owner, kDomainAdmins);
  ASSERT_EQ(sd->dacl.size(), 8u);
  EXPECT_EQ(sd->dacl[0].type, ace::kind::denied_object);
  EXPECT_EQ(sd->dacl[0].raw_type, 0x06);
  EXPECT_EQ(sd->dacl[5].type, ace::kind::denied);
  EXPECT_EQ(sd->dacl[5].raw_type, 0x01);
  // 1106: denied Get-Changes-All first, allowed Get-Changes (another right). 1107: allowed, then
  // denied (too late). 1108: denied every control access right, then allowed it.
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChanges),
              ElementsAre(kDomain + "-1106", kSystem));
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChangesAll),
              ElementsAre(kDomain + "-1107", kSystem));
}

TEST(SecurityDescriptor, InheritOnlyAcesDoNotCount) {
  security_descriptor sd;
  sd.has_dacl = true;
  const std::string right(kDsReplicationGetChanges);
  sd.dacl = {
      allowing("S-1-5-21-1-2-3-1000", 0x0a, 0x100, right),  // CI | IO, object ACE
      allowing("S-1-5-21-1-2-3-1001", 0x08, 0x10000000),    // IO, GENERIC_ALL
      allowing("S-1-5-21-1-2-3-1002", 0x02, 0x10000000),    // CI only: applies here too
      allowing("S-1-5-21-1-2-3-1003", 0x10, 0x100, right),  // inherited, applies here
      allowing("S-1-5-21-1-2-3-1004", 0x00, 0x30),          // RP | WP: no control access
      allowing("S-1-5-21-1-2-3-1005", 0x00, 0x100, "1131f6ab-9c07-11d1-f79f-00c04fc2dcd2"),
  };
  EXPECT_THAT(trustees_with_extended_right(sd, right),
              ElementsAre("S-1-5-21-1-2-3-1002", "S-1-5-21-1-2-3-1003"));
}

TEST(SecurityDescriptor, AnInheritedObjectTypeStillCountsAndAnInheritOnlyDenialDoesNot) {
  security_descriptor sd;
  sd.has_dacl = true;
  ace any_right_for_users = allowing("S-1-5-21-1-2-3-1000", 0x00, 0x100, std::nullopt);
  any_right_for_users.type = ace::kind::allowed_object;
  any_right_for_users.raw_type = 0x05;
  any_right_for_users.inherited_object_type = "bf967aba-0de6-11d0-a285-00aa003049e2";
  ace inherit_only_denial = allowing("S-1-5-21-1-2-3-1001", 0x08, 0x100);
  inherit_only_denial.type = ace::kind::denied;
  inherit_only_denial.raw_type = 0x01;
  sd.dacl = {any_right_for_users, inherit_only_denial, allowing("S-1-5-21-1-2-3-1001", 0, 0x100)};
  EXPECT_THAT(trustees_with_extended_right(sd, kDsReplicationGetChangesAll),
              ElementsAre("S-1-5-21-1-2-3-1000", "S-1-5-21-1-2-3-1001"));
}

TEST(SecurityDescriptor, NoDaclGrantsEveryone) {
  // Revision 1, SE_SELF_RELATIVE, no owner, group, SACL or DACL.
  const std::string header{"\x01\x00\x00\x80", 4};
  const std::string empty = header + std::string(16, '\0');
  const auto sd = parse_security_descriptor(empty);
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->owner, "");
  EXPECT_EQ(sd->group, "");
  EXPECT_FALSE(sd->has_dacl);
  EXPECT_THAT(trustees_with_extended_right(*sd, kDsReplicationGetChangesAll),
              ElementsAre("S-1-1-0"));

  // SE_DACL_PRESENT with a DACL offset of 0: a NULL DACL, no DACL either.
  const auto null_dacl = parse_security_descriptor(patched(empty, kControl, 0x8004, 2));
  ASSERT_TRUE(null_dacl);
  EXPECT_FALSE(null_dacl->has_dacl);
  // A DACL offset without SE_DACL_PRESENT is not a DACL.
  const auto head = fixture("domain-head-default");
  const auto unflagged = parse_security_descriptor(patched(head, kControl, 0x8000, 2));
  ASSERT_TRUE(unflagged);
  EXPECT_FALSE(unflagged->has_dacl);
  EXPECT_TRUE(unflagged->dacl.empty());
  EXPECT_THAT(trustees_with_extended_right(*unflagged, kDsReplicationGetChanges),
              ElementsAre("S-1-1-0"));
}

TEST(SecurityDescriptor, UnknownAceTypesAreKeptAndSkipped) {
  const auto head = fixture("domain-head-default");
  const std::size_t first_ace = u32_at(head, kOffsetDacl) + 8;
  const auto sd = parse_security_descriptor(patched(head, first_ace, 0x11, 1));  // mandatory label
  ASSERT_TRUE(sd);
  ASSERT_EQ(sd->dacl.size(), 46u);
  EXPECT_EQ(sd->dacl[0].type, ace::kind::other);
  EXPECT_EQ(sd->dacl[0].raw_type, 0x11);
  EXPECT_EQ(sd->dacl[0].flags, 0x0a);
  EXPECT_EQ(sd->dacl[0].mask, 0u);
  EXPECT_EQ(sd->dacl[0].object_type, std::nullopt);
  EXPECT_EQ(sd->dacl[0].trustee, "");
  EXPECT_EQ(sd->dacl[1].inherited_object_type, "bf967aba-0de6-11d0-a285-00aa003049e2");
  EXPECT_EQ(sd->dacl[1].trustee, "S-1-5-32-554");
}

TEST(SecurityDescriptor, EveryTruncationIsRejected) {
  const auto head = fixture("domain-head-default");
  ASSERT_TRUE(parse_security_descriptor(head));
  for (std::size_t n = 0; n < head.size(); ++n)
    EXPECT_EQ(parse_security_descriptor(std::string_view(head).substr(0, n)), std::nullopt) << n;
}

TEST(SecurityDescriptor, MalformedHeadersAreRejected) {
  const auto head = fixture("domain-head-default");
  const auto size = static_cast<std::uint32_t>(head.size());
  EXPECT_EQ(parse_security_descriptor(""), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, 0, 2, 1)), std::nullopt);  // revision
  EXPECT_EQ(parse_security_descriptor(patched(head, kControl, 0x0c14, 2)),
            std::nullopt);  // absolute
  EXPECT_EQ(parse_security_descriptor(patched(head, kOffsetOwner, size, 4)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, kOffsetOwner, 4, 4)), std::nullopt);  // header
  EXPECT_EQ(parse_security_descriptor(patched(head, kOffsetGroup, size - 4, 4)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, kOffsetDacl, size, 4)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, kOffsetDacl, 0xffffffff, 4)), std::nullopt);
}

TEST(SecurityDescriptor, MalformedSidsAreRejected) {
  const auto head = fixture("domain-head-default");
  const std::size_t owner = u32_at(head, kOffsetOwner);
  EXPECT_EQ(parse_security_descriptor(patched(head, owner, 2, 1)), std::nullopt);  // revision
  EXPECT_EQ(parse_security_descriptor(patched(head, owner + 1, 16, 1)),
            std::nullopt);  // 16 sub-authorities, though the bytes would hold them
  // The trustee of the first ACE: 4 + 4 + 4 + 16 + 16 bytes into it.
  const std::size_t first_trustee = u32_at(head, kOffsetDacl) + 8 + 44;
  EXPECT_EQ(parse_security_descriptor(patched(head, first_trustee + 1, 16, 1)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, first_trustee + 1, 3, 1)),
            std::nullopt);  // 3 sub-authorities: past the end of the ACE
}

TEST(SecurityDescriptor, MalformedAclsAndAcesAreRejected) {
  const auto head = fixture("domain-head-default");
  const std::size_t dacl = u32_at(head, kOffsetDacl);
  const auto acl_size = static_cast<std::uint32_t>(head.size() - dacl);
  EXPECT_EQ(parse_security_descriptor(patched(head, dacl, 3, 1)), std::nullopt);  // AclRevision
  EXPECT_EQ(parse_security_descriptor(patched(head, dacl + 2, acl_size + 1, 2)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, dacl + 2, 7, 2)), std::nullopt);
  EXPECT_EQ(parse_security_descriptor(patched(head, dacl + 4, 47, 2)), std::nullopt);  // AceCount
  EXPECT_EQ(parse_security_descriptor(patched(head, dacl + 4, 0xffff, 2)), std::nullopt);
  // AceSize of the first ACE: 60 bytes (header, mask, flags, two GUIDs, RU's 16-byte SID).
  const std::size_t ace_size = dacl + 8 + 2;
  ASSERT_EQ(u32_at(head, ace_size) & 0xffff, 60u);
  for (const std::uint32_t too_small : {59u, 44u, 4u, 3u, 0u})
    EXPECT_EQ(parse_security_descriptor(patched(head, ace_size, too_small, 2)), std::nullopt)
        << too_small;
  EXPECT_EQ(parse_security_descriptor(patched(head, ace_size, acl_size, 2)), std::nullopt);
}

}  // namespace
}  // namespace cloison
