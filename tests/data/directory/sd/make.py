#!/usr/bin/python3
"""Writes the nTSecurityDescriptor fixtures of this folder with Samba's own NDR encoder.

Run offline from this folder with Debian's python3 (the one python3-samba installs into):
    /usr/bin/python3 make.py
"""
from samba import descriptor
from samba.dcerpc import security
from samba.ndr import ndr_pack, ndr_unpack

DOMAIN_SID = security.dom_sid("S-1-5-21-1004336348-1177238915-682003330")
GET_CHANGES = "1131f6aa-9c07-11d1-f79f-00c04fc2dcd2"
GET_CHANGES_ALL = "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2"


def user(rid):
    return "%s-%d" % (DOMAIN_SID, rid)


def write(name, sddl):
    with open(name, "wb") as f:
        f.write(ndr_pack(security.descriptor.from_sddl(sddl, DOMAIN_SID)))


# The domain NC head as Samba provisions it (samba/descriptor.py, get_domain_descriptor), SACL kept.
head = descriptor.get_domain_descriptor(DOMAIN_SID)
head_sddl = ndr_unpack(security.descriptor, head).as_sddl(DOMAIN_SID)
assert ndr_pack(security.descriptor.from_sddl(head_sddl, DOMAIN_SID)) == head
with open("domain-head-default.bin", "wb") as f:
    f.write(head)

# The same head after a DCSync grant to the ordinary user RID 1105 (both rights).
dacl, separator, sacl = head_sddl.partition("S:")
assert separator and "S:" not in sacl
dcsync = "".join("(OA;;CR;%s;;%s)" % (right, user(1105)) for right in (GET_CHANGES, GET_CHANGES_ALL))
write("domain-head-dcsync-user.bin", dacl + dcsync + separator + sacl)

# DACL order decides: 1106 is denied Get-Changes-All before its allow (Get-Changes stays, another
# right); 1107 is allowed before its denial; 1108 is denied every control access right (plain
# ACE) before its plain allow; SYSTEM is allowed everything.
write("deny-before-allow.bin",
      "O:DAG:DAD:"
      "(OD;;CR;{all};;{u1106})(OA;;CR;{changes};;{u1106})(OA;;CR;{all};;{u1106})"
      "(OA;;CR;{all};;{u1107})(OD;;CR;{all};;{u1107})"
      "(D;;CR;;;{u1108})(A;;CR;;;{u1108})"
      "(A;;CR;;;SY)".format(changes=GET_CHANGES, all=GET_CHANGES_ALL,
                            u1106=user(1106), u1107=user(1107), u1108=user(1108)))

# The backup.lab domain of the LDIF captures (../compliant-bk-domain.ldif, ../degraded-bk-domain.ldif),
# for tests/probes/directory/ads_assessment_test.cpp: its head as Samba provisions it (added to the
# captures' domain head, which were read without the SD_FLAGS control), and the same head granting
# Get-Changes and Get-Changes-All to svc-veeam (RID 1104, an ordinary account), to bk-admin (1106,
# a Domain Admin) and to Read-only Domain Controllers (521: Get-Changes is theirs by design).
LAB_SID = security.dom_sid("S-1-5-21-444168188-791113803-1657383804")
lab_head = descriptor.get_domain_descriptor(LAB_SID)
with open("backup-lab-head.bin", "wb") as f:
    f.write(lab_head)
lab_dacl, separator, lab_sacl = ndr_unpack(security.descriptor, lab_head).as_sddl(LAB_SID).partition("S:")
grants = "".join("(OA;;CR;%s;;%s-%d)" % (right, LAB_SID, rid)
                 for rid in (1104, 1106, 521) for right in (GET_CHANGES, GET_CHANGES_ALL))
with open("backup-lab-head-dcsync.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(lab_dacl + grants + separator + lab_sacl, LAB_SID)))

# CN=AdminSDHolder, the schema head and the DC object (CN=BKDC1) of the lab's backup DC, and (captured
# 2026-12-05) the containers that hold privileged objects (CN=Users, CN=Builtin, OU=Domain
# Controllers), the DC's site (CN=Default-First-Site-Name), the GPO Samba provisions (both
# default GPOs have this descriptor) and CN=Public Key Services (its seven containers, and a
# template or enrollment service added below it, have the same one), as SDDL: captured from its
# sam.ldb
# (`ldbsearch -H sam.ldb -b DN -s base nTSecurityDescriptor`, lines unfolded) into *.sddl. They
# name no domain SID (aliases only: DA, EA, BA, SY, SA, ...), so they are encoded here for the
# captures' domain. The "-control" variant grants GenericAll on AdminSDHolder to svc-veeam (1104,
# ordinary) and WriteDacl to bk-admin (1106, a Domain Admin).
for name in ("backup-lab-adminsdholder", "backup-lab-schema", "backup-lab-dc", "backup-lab-users",
             "backup-lab-builtin", "backup-lab-dc-ou", "backup-lab-site", "backup-lab-gpo",
             "backup-lab-pki", "backup-lab-config"):
    with open(name + ".sddl") as f:
        sddl = f.read().strip()
    with open(name + ".bin", "wb") as f:
        f.write(ndr_pack(security.descriptor.from_sddl(sddl, LAB_SID)))
with open("backup-lab-adminsdholder.sddl") as f:
    holder_dacl, separator, holder_sacl = f.read().strip().partition("S:")
grants = "(A;;GA;;;%s-1104)(A;;WD;;;%s-1106)" % (LAB_SID, LAB_SID)
with open("backup-lab-adminsdholder-control.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(holder_dacl + grants + separator + holder_sacl,
                                                   LAB_SID)))

# The DC's object granting WriteDacl to svc-veeam (1104, ordinary).
with open("backup-lab-dc.sddl") as f:
    dc_dacl, separator, dc_sacl = f.read().strip().partition("S:")
with open("backup-lab-dc-control.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(
        dc_dacl + "(A;;WD;;;%s-1104)" % LAB_SID + separator + dc_sacl, LAB_SID)))

# The same object granting GenericAll to bk-operator (1105, ordinary), given to svc-veeam in a test:
# bk-operator controls svc-veeam, which controls a privileged account (a path of two steps).
with open("backup-lab-user-control.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(
        dc_dacl + "(A;;GA;;;%s-1105)" % LAB_SID + separator + dc_sacl, LAB_SID)))

# A privileged account's descriptor owned by svc-veeam (1104, ordinary): the DC object's, owner
# replaced (O:DA -> O:<svc-veeam>).
with open("backup-lab-dc.sddl") as f:
    account = f.read().strip()
assert account.startswith("O:DA")
with open("backup-lab-owned-by-user.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl("O:%s-1104" % LAB_SID + account[4:], LAB_SID)))

# CN=MicrosoftDNS,CN=System and the DFSR objects (CN=DFSR-GlobalSettings,CN=System and the three
# below it, which share one descriptor) of the lab's backup DC, as SDDL, captured like the ones
# above on 2026-12-05. MicrosoftDNS names the lab DC's DnsAdmins (RID 1101) by its full SID, whose
# domain part is the one of that day's provisioning: it is replaced by the captures' domain.
CAPTURE_DAY_SID = "S-1-5-21-1793511447-310983533-372128104"
for name in ("backup-lab-msdns", "backup-lab-dfsr"):
    with open(name + ".sddl") as f:
        sddl = f.read().strip().replace(CAPTURE_DAY_SID, str(LAB_SID))
    with open(name + ".bin", "wb") as f:
        f.write(ndr_pack(security.descriptor.from_sddl(sddl, LAB_SID)))

# The heads of the DNS application partitions, DC=DomainDnsZones and DC=ForestDnsZones, of the lab's
# backup DC, captured like the ones above on 2026-12-05 (the two are the same; they name aliases
# only): the `nTSecurityDescriptor` of both heads in ../*-bk-domain.ldif.
with open("backup-lab-dnszones.sddl") as f:
    sddl = f.read().strip()
with open("backup-lab-dnszones.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(sddl, LAB_SID)))

# A schema object, CN=User,CN=Schema,CN=Configuration of the lab's backup DC, captured like the ones
# above on 2026-12-05 (every one of its 1,738 schema objects has this descriptor: owner Schema
# Admins, the head's ACEs inherited, none of its own). The variants grant WriteDacl to svc-veeam
# (1104, ordinary) by an ACE of the object's own, and by an inherited one.
with open("backup-lab-schema-user.sddl") as f:
    schema_dacl, separator, schema_sacl = f.read().strip().partition("S:")
for name, grant in (("explicit", "(A;;WD;;;%s-1104)"), ("inherited", "(A;ID;WD;;;%s-1104)")):
    with open("backup-lab-schema-user-%s-control.bin" % name, "wb") as f:
        f.write(ndr_pack(security.descriptor.from_sddl(
            schema_dacl + grant % LAB_SID + separator + schema_sacl, LAB_SID)))

# MicrosoftDNS granting WriteProperty on every property to svc-veeam (1104, ordinary): it could
# set serverLevelPluginDll-style settings on the DNS objects.
with open("backup-lab-msdns.sddl") as f:
    dns_dacl, separator, dns_sacl = f.read().strip().replace(CAPTURE_DAY_SID, str(LAB_SID)).partition("S:")
with open("backup-lab-msdns-control.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(
        dns_dacl + "(A;;WP;;;%s-1104)" % LAB_SID + separator + dns_sacl, LAB_SID)))

# A certificate template (its descriptor as Samba gives one created under CN=Certificate
# Templates) that grants Certificate-Enrollment to Domain Users (RID 513): ESC1 when its flags let
# the requester name the subject for client authentication.
with open("backup-lab-pki.sddl") as f:
    pki_dacl, separator, pki_sacl = f.read().strip().partition("S:")
with open("backup-lab-template-enroll-du.bin", "wb") as f:
    f.write(ndr_pack(security.descriptor.from_sddl(
        pki_dacl + "(OA;;CR;0e10c968-78fb-11d2-90d4-00c04f79dc55;;DU)" + separator + pki_sacl,
        LAB_SID)))
