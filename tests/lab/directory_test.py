#!/usr/bin/env python3
"""Lab test of the directory probe (label `lab`): cloison audits the lab's two Samba AD DCs over
LDAPS from lab-admin, in the compliant state and with each directory scenario; each scenario must
change exactly the expected directory findings and move the backup AD's estimated ADS level as
expected. A DC that stops answering gives errors, never a pass, and a finished audit.
Usage: directory_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

from labcheck import INVENTORY, LAB, STATE, check, finish, lab, require_root, with_every_scenario

CLOISON = os.path.abspath(sys.argv[1])
require_root("directory_test")

BKB = "DC=backup,DC=lab"
PRIV_PERM = ("ads-privileged-members-perm", "backup-lab")
# scenario -> (the (check, target) pairs whose status changes, the backup AD's level after it)
EXPECTED = {
    "backup-computer-in-prod": ({("dir-production-no-backup-computer", "prod-lab")}, None),
    # a production account whose UPN prefix is bk-admin (a backup Domain Admin): found from the
    # backup side, though no inventory list names it
    "prod-namesake-admin": ({("dir-backup-admins-no-namesake-in-production", "backup-lab")}, None),
    # a forest trust: SID filtering applies, so no ADS trust control fails; independence does
    "trust-prod-backup": ({("dir-no-trust-with-other-side", "prod-lab"),
                           ("dir-no-trust-with-other-side", "backup-lab")}, None),
    "bk-extra-domain-admin": ({("ads-privileged-members-no-admincount", "backup-lab")}, 2),
    "bk-krbtgt-stale": ({("ads-krbtgt", "backup-lab")}, 2),
    "bk-unconstrained-delegation": ({("ads-delegation-t4d", "backup-lab")}, 1),
    "bk-asrep-admin": ({("ads-kerberos-properties-preauth-priv", "backup-lab"),
                        ("ads-kerberos-properties-preauth", "backup-lab")}, 1),
    # the SPN makes bk-admin a service account that declares no AES type (a level-3 control)
    "bk-spn-admin": ({("ads-spn-priv", "backup-lab"), ("ads-kerberos-properties-encryption", "backup-lab")}, 1),
    # Samba's Guest never expires its password: enabled, it lifts the share above 10 %
    "bk-guest-enabled": ({("ads-guest", "backup-lab"), ("ads-dont-expire", "backup-lab")}, 2),
    "bk-ldap-plaintext": ({("dir-ldap-plaintext-bind-refused", "backup-lab")}, None),
    # an ordinary account with DCSync rights on the domain head: level 1, read from its DACL
    "bk-dcsync-user": ({("ads-permissions-naming-context", "backup-lab")}, 1),
    # an ordinary account controlling AdminSDHolder (what SDProp copies onto privileged accounts)
    "bk-adminsdholder-control": ({("ads-permissions-adminsdholder", "backup-lab")}, 1),
    # a DC's account is privileged: controlling its object is also a control path onto it
    "bk-dc-control": ({("ads-permissions-dc", "backup-lab"),
                       ("ads-privileged-members-perm", "backup-lab")}, 1),
    # an ordinary account with GenericAll on a Domain Admin, and another with WriteDacl on that one
    "bk-admin-control": ({("ads-privileged-members-perm", "backup-lab")}, 1),
    # an ordinary account writing every property of CN=MicrosoftDNS (DnsAdmins' own rights hold)
    "bk-msdns-control": ({("ads-permissions-msdns", "backup-lab")}, 1),
    # an ordinary account controlling the GPO linked to the DCs' OU
    "bk-gpo-control": ({("ads-permissions-gpo-priv", "backup-lab")}, 1),
    # ESC1: any domain user may obtain a client-authentication certificate naming anyone
    "bk-esc1-template": ({("ads-adcs-template-auth-enroll-with-name", "backup-lab")}, 1),
    # two groups nested in each other: a level-4 control, below the compliant level's own limit
    "bk-group-loop": ({("ads-group-loop", "backup-lab")}, None),
}






def audit(inventory=INVENTORY):
    out = tempfile.mkdtemp(prefix="cloison-directory-")
    started = time.monotonic()
    p = subprocess.run([LAB, "exec", "admin", "--", CLOISON, "audit", "--config", inventory, "--out", out,
                        "--lang", "en", "--probes", "inventory,directory"],
                       capture_output=True, text=True, timeout=300)
    with open(os.path.join(out, "report.json")) as f:
        return p.returncode, json.load(f), time.monotonic() - started


SIMPLE_BACKUP_BIND = f"""    uri: ldaps://198.18.5.10
    base: DC=backup,DC=lab
    ca_file: {STATE}/ca.pem
    bind:
      method: simple
      dn: cloison-ldap@backup.lab
      password_file: {STATE}/backup-ldap.password
"""


def gssapi_inventory(uri, keytab):
    """The lab inventory with backup-lab bound by Kerberos (keytab) at `uri`."""
    with open(INVENTORY) as f:
        text = f.read()
    assert SIMPLE_BACKUP_BIND in text, "the lab inventory's backup-lab entry changed"
    text = text.replace(SIMPLE_BACKUP_BIND, f"""    uri: {uri}
    base: DC=backup,DC=lab
    ca_file: {STATE}/ca.pem
    bind:
      method: gssapi
      keytab: {keytab}
      principal: cloison-ldap@BACKUP.LAB
      krb5_conf: {STATE}/krb5.conf
""")
    d = tempfile.mkdtemp(prefix="cloison-gssapi-")
    path = os.path.join(d, "inventory.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def backup_evidence(report):
    return "\n".join(e["excerpt"] for e in report["evidence"] if e["id"].startswith("directory/backup-lab/"))


def backup_detail(report):
    return " ".join(o["detail"] for o in report["observations"]
                    if o["probe"] == "directory" and o["target"] == "backup-lab")


def backup_findings(report):
    return {c: s for (c, t), s in directory_statuses(report).items() if t == "backup-lab"}


def objective(report, oid):
    return next(o for o in report["objectives"] if o["id"] == oid)


def reasons(report, oid):
    return [(x["kind"], x["subject"]) for x in objective(report, oid)["reasons"]]


def causes(report):
    return {(f["check"], f["target"]): f for f in report["findings"] if f["objective"] == "" and f["status"] == "error"}


def directory_statuses(report):
    return {(f["check"], f["target"]): f["status"] for f in report["findings"]
            if f["check"].startswith(("dir-", "ads-"))}


lab("scenario", "reset")
rc, base, _ = audit()
statuses = directory_statuses(base)
# directories only: no flow tested and lab-backup not read, so exit 4; the ADS objective is met
check(rc == 4 and objective(base, "ADS")["status"] == "met"
      and reasons(base, "D2.03.A") == [("host_not_read", "lab-backup")],
      f"compliant: ADS met, D2.03.A incomplete only for want of host facts, exit 4 (exit {rc}, "
      f"{[(o['id'], o['status'], o['reasons']) for o in base['objectives']]})")
for target in ("prod-lab", "backup-lab"):
    dir_checks = {c: s for (c, t), s in statuses.items() if t == target and c.startswith("dir-")}
    check(dir_checks and all(s in ("pass", "not_applicable") for s in dir_checks.values()),
          f"compliant: {target}: production-independence checks hold {sorted(dir_checks.items())}")
ads = base.get("ads") or {}
check(ads.get("directory") == "backup-lab", "compliant: the ADS estimate is for backup-lab")
check(ads.get("estimated_level", 0) >= 3, f"compliant: estimated ADS level >= 3 ({ads.get('estimated_level')})")
# every one of the 76 ANSSI controls decided: the level is proven (issue 18)
check(ads.get("level_proven") is True and ads.get("not_evaluated") == [] and ads.get("in_error") == [],
      f"compliant: level proven, no control left not evaluated or in error ({ads})")
not_evaluated = {c for (c, t), s in statuses.items() if t == "backup-lab" and s == "not_evaluated"}
check(not_evaluated == set(ads["not_evaluated"]) and not [s for s in statuses.values() if s == "error"],
      "compliant: the controls cloison cannot decide are not_evaluated, never errors")
ads_pass = [c for (c, t), s in statuses.items() if c.startswith("ads-") and s == "pass"]
check(len(ads_pass) >= 30, f"compliant: {len(ads_pass)} ADS controls evaluated and holding")
check(not [c for (c, t) in statuses if c.startswith("ads-") and t == "prod-lab"],
      "compliant: no ADS finding on the production directory")
base_level = ads.get("estimated_level")

for scenario, (changed, level) in with_every_scenario(EXPECTED.items(), "the directory scenarios"):
    lab("scenario", "on", scenario)
    try:
        rc, r, _ = audit()
    finally:
        lab("scenario", "off", scenario)
    now = directory_statuses(r)
    diff = {k for k in set(now) | set(statuses) if now.get(k) != statuses.get(k)}
    check(diff == changed, f"{scenario}: exactly {sorted(changed)} changed (got {sorted(diff)})")
    check(all(now.get(k) == "fail" for k in changed), f"{scenario}: those now fail")
    got_level = (r.get("ads") or {}).get("estimated_level")
    want = base_level if level is None else level
    if scenario == "bk-admin-control":  # bk-operator -> svc-veeam -> bk-admin: the path is named
        observed = [o for f in r["findings"] if (f["check"], f["target"]) == PRIV_PERM for o in f["observed"]]
        path = (f"holds WriteDacl on CN=svc-veeam,CN=Users,{BKB}, which holds GenericAll on "
                f"CN=bk-admin,CN=Users,{BKB}")
        check(any(o.startswith("bk-operator (S-1-5-21-") and o.endswith(path) for o in observed),
              f"{scenario}: the two-step control path from bk-operator is named (got {observed})")
    check(got_level == want, f"{scenario}: estimated ADS level {want} (got {got_level})")
    if want < 3:
        check(objective(r, "ADS")["status"] == "not_met" and objective(r, "D2.03.A")["status"] == "not_met"
              and ("ads_level_below_3", str(want)) in reasons(r, "D2.03.A") and rc == 1,
              f"{scenario}: ADS and D2.03.A not met (the backup AD below level 3), exit 1")

# Kerberos (SASL GSSAPI with the keytab exported at `lab up`): the same findings as the simple bind.
simple = backup_findings(base)
keytab = os.path.join(STATE, "backup-ldap.keytab")
rc, r, _ = audit(gssapi_inventory("ldap://bkdc1.backup.lab", keytab))
check(backup_findings(r) == simple, "gssapi on ldap://: the same backup-lab findings as the simple bind "
      f"(differences: {sorted(set(backup_findings(r).items()) ^ set(simple.items()))})")
evidence = backup_evidence(r)
check("transport: kerberos-sealed" in evidence and "bound as: cloison-ldap@BACKUP.LAB (gssapi)" in evidence,
      "gssapi on ldap://: the session is Kerberos-sealed, bound as the keytab's principal")
# Samba 4.17 ("ldap server require strong auth = yes") refuses Kerberos over TLS: a clear error
rc, r, _ = audit(gssapi_inventory("ldaps://bkdc1.backup.lab", keytab))
got = backup_findings(r)
PLAINTEXT = "dir-ldap-plaintext-bind-refused"  # probed on port 389 without binding: unaffected


def bind_errors(report):
    """The refused bind is the one cause; every check that needed it is not evaluated."""
    got = backup_findings(report)
    return (("directory-read", "backup-lab") in causes(report) and got.get(PLAINTEXT) == "pass"
            and all(s == "not_evaluated" for c, s in got.items() if c != PLAINTEXT))


check(bind_errors(r), "gssapi on ldaps://, strong auth required: one cause, every bind-dependent check not evaluated")
detail = backup_detail(r)
check("Sign or Seal are required" in detail and "use ldap://" in detail,
      f"gssapi on ldaps://: the error says why and what to do ({detail})")
lab("scenario", "on", "bk-sasl-over-tls")
try:
    rc, r, _ = audit(gssapi_inventory("ldaps://bkdc1.backup.lab", keytab))
finally:
    lab("scenario", "off", "bk-sasl-over-tls")
check(backup_findings(r) == simple, "gssapi on ldaps:// (SASL over TLS allowed): the same findings as the simple bind")
check("transport: ldaps" in backup_evidence(r), "gssapi on ldaps://: the session is TLS")
# A keytab whose key is wrong: an error that names the principal, never a pass
bad = os.path.join(tempfile.mkdtemp(prefix="cloison-keytab-"), "wrong.keytab")
subprocess.run(["ktutil"], input=f"addent -password -p cloison-ldap@BACKUP.LAB -k 1 -e aes256-cts-hmac-sha1-96\n"
               f"not-the-password\nwkt {bad}\nquit\n", text=True, capture_output=True, check=True,
               env={**os.environ, "KRB5_CONFIG": "/dev/null"})
rc, r, _ = audit(gssapi_inventory("ldap://bkdc1.backup.lab", bad))
details = backup_detail(r)
check(bind_errors(r) and "cloison-ldap@BACKUP.LAB" in details
      and "not-the-password" not in json.dumps(r), f"gssapi with a wrong key: errors naming the principal ({details})")

# A backup DC whose certificate another CA signed than the inventory's ca_file (issue 18: the
# error said only "Can't contact LDAP server (-1)"): over LDAPS and over StartTLS, the error names
# the TLS problem, the issuer and the CA the file holds, and no check passes.
def other_ca_inventory(uri):
    d = tempfile.mkdtemp(prefix="cloison-other-ca-")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-days", "2", "-keyout", os.path.join(d, "other.key"), "-out", os.path.join(d, "other-ca.pem"),
                    "-subj", "/O=somewhere else/CN=another CA"], check=True, capture_output=True)
    with open(INVENTORY) as f:
        text = f.read()
    assert SIMPLE_BACKUP_BIND in text, "the lab inventory's backup-lab entry changed"
    text = text.replace(SIMPLE_BACKUP_BIND, SIMPLE_BACKUP_BIND.replace("ldaps://198.18.5.10", uri)
                        .replace(f"{STATE}/ca.pem", os.path.join(d, "other-ca.pem")))
    path = os.path.join(d, "inventory.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


for transport, uri in [("LDAPS", "ldaps://198.18.5.10"), ("StartTLS", "ldap://198.18.5.10")]:
    rc, r, _ = audit(other_ca_inventory(uri))
    detail = backup_detail(r)
    check(("directory-read", "backup-lab") in causes(r) and "pass" not in
          {s for c, s in backup_findings(r).items() if c != PLAINTEXT},
          f"{transport}, certificate of another CA: one cause, no backup-lab check passes")
    check("TLS: the server's certificate" in detail and "is issued by CN=cloison lab CA" in detail
          and "it holds: CN=another CA" in detail,
          f"{transport}, certificate of another CA: the error names the issuer and the CA ca_file holds ({detail})")


def audit_with_dc_stopped(dc):
    """An audit while the DC `dc` (bk, prod) is stopped (SIGSTOP): it accepts TCP, never answers."""
    with open(os.path.join(STATE, "pids", f"dc-{dc}.pid")) as f:
        dc_pid = int(f.read().split()[0])
    os.kill(dc_pid, signal.SIGSTOP)
    try:
        return audit()
    finally:
        os.kill(dc_pid, signal.SIGCONT)


# A DC that does not answer: one cause for the backup directory, a finished audit, production intact.
rc, r, elapsed = audit_with_dc_stopped("bk")
now = directory_statuses(r)
bk = {c: s for (c, t), s in now.items() if t == "backup-lab"}
check(bk and not any(s == "pass" for s in bk.values()), "stopped DC: no backup-lab check passes")
check(list(causes(r)) == [("directory-read", "backup-lab")], f"stopped DC: one cause ({list(causes(r))})")
check(sum(1 for s in bk.values() if s == "not_evaluated") >= 30 and "error" not in bk.values(),
      "stopped DC: the backup-lab checks are not evaluated, pointing to it")
check(r.get("ads", {}).get("estimated_level") is None and objective(r, "ADS")["status"] == "incomplete"
      and reasons(r, "ADS") == [("directory_not_read", "backup-lab")],
      f"stopped DC: no ADS level, ADS incomplete for that one cause ({r.get('ads')}, {reasons(r, 'ADS')})")
check(now.get(("dir-production-no-backup-computer", "prod-lab")) == "pass",
      "stopped DC: the production directory is still audited")
check(rc == 4 and elapsed < 120, f"stopped DC: the audit finished ({elapsed:.0f} s, exit {rc})")

# The production DC does not answer: one cause, no ADS finding on production, D2.03.A incomplete.
rc, r, elapsed = audit_with_dc_stopped("prod")
prod = {c: f for (c, t), f in {(f["check"], f["target"]): f for f in r["findings"]}.items() if t == "prod-lab"}
check(list(causes(r)) == [("directory-read", "prod-lab")], f"stopped production DC: one cause ({list(causes(r))})")
check(not [c for c in prod if c.startswith("ads-")], "stopped production DC: no ADS finding on production")
check(all(f["status"] == "not_evaluated" for c, f in prod.items() if c != "directory-read"),
      "stopped production DC: its checks are not evaluated, never errors")
check(("directory_not_read", "prod-lab") in reasons(r, "D2.03.A") and objective(r, "ADS")["status"] == "met",
      f"stopped production DC: D2.03.A incomplete for it; the backup AD still met ({reasons(r, 'D2.03.A')})")
check(rc == 4 and elapsed < 120, f"stopped production DC: the audit finished ({elapsed:.0f} s, exit {rc})")

finish()
