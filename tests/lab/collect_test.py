#!/usr/bin/env python3
"""Lab test of collected evidence (label `lab`): lab-repo refuses SSH (a hardened repository with an
XFS repository of immutable backup files), so `cloison collect` runs inside it and signs what it
read; an audit from lab-admin reads that file with the same parsers, shows when and by whom it was
collected, and refuses an altered file or another signer (errors, never a pass).
Usage: collect_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import base64
import json
import os
import subprocess
import sys
import tempfile

from labcheck import LAB, STATE, check, finish, inventory_with, lab, require_root

CLOISON = os.path.abspath(sys.argv[1])
require_root("collect_test")
REPO_PATH = os.path.join(STATE, "hosts/repo/veeam")
WORK = tempfile.mkdtemp(prefix="cloison-collect-")
KEY, PUB, EVIDENCE = (os.path.join(WORK, n) for n in ("repo-agent.pem", "repo-agent.pub", "lab-repo.json"))


def collect():
    p = subprocess.run([LAB, "exec", "repo", "--", CLOISON, "collect", "--local", "--host", "lab-repo",
                        "--repository-path", REPO_PATH, "--key-file", KEY, "--out", EVIDENCE, "--lang", "en"],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def inventory(public_key):
    """The lab inventory with lab-repo read from its collected evidence instead of access: none."""
    return inventory_with("    access: none   # hardened repository: SSH closed, only the backup software's data ports\n",
                          f"    repository_path: {REPO_PATH}\n"
                          f"    evidence: {{file: {EVIDENCE}, public_key: {public_key}, max_age: 1d}}\n", WORK)


def audit(public_key=PUB):
    out = tempfile.mkdtemp(dir=WORK)
    p = subprocess.run([LAB, "exec", "admin", "--", CLOISON, "audit", "--config", inventory(public_key), "--out", out,
                        "--lang", "en", "--probes", "inventory,host"], capture_output=True, text=True, timeout=120)
    with open(os.path.join(out, "report.json")) as f:
        return p.returncode, json.load(f)


def repo(report):
    """lab-repo's observation and Linux host checks (not its cause finding, host-read)."""
    obs = next(o for o in report["observations"] if o["probe"] == "host" and o["target"] == "lab-repo")
    checks = {f["check"]: f for f in report["findings"] if f["target"] == "lab-repo" and f["check"] != "host-read"
              and f["check"].startswith("host-") and not f["check"].startswith("host-windows-")}
    return obs, checks


def refused(report):
    """The refused file is lab-repo's one cause; its checks are not evaluated, pointing to it."""
    obs, checks = repo(report)
    cause = [f for f in report["findings"] if f["check"] == "host-read" and f["target"] == "lab-repo"]
    return (obs["outcome"] == "error" and len(cause) == 1 and cause[0]["status"] == "error"
            and all(f["status"] == "not_applicable" or (f["status"] == "not_evaluated" and f["cause"] == "host-read")
                    for f in checks.values())
            and all(f["status"] == "not_applicable" for f in report["findings"]
                    if f["target"] == "lab-repo" and f["check"].startswith("host-windows-")))


lab("scenario", "reset")
rc, out = collect()
check(rc == 0 and "Collected evidence: " + EVIDENCE in out, f"collect inside lab-repo: written (exit {rc})")
check(oct(os.stat(EVIDENCE).st_mode & 0o777) in ("0o640", "0o600"), "the evidence file is not world-readable")
subprocess.run(["openssl", "pkey", "-in", KEY, "-pubout", "-out", PUB], check=True)
with open(EVIDENCE) as f:
    doc = json.load(f)
with open(os.path.join(WORK, "payload.bin"), "wb") as f:
    f.write(doc["payload"].encode())
with open(os.path.join(WORK, "payload.sig"), "wb") as f:
    f.write(base64.b64decode(doc["signature"]["value"]))
verified = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", PUB, "-rawin", "-in",
                           os.path.join(WORK, "payload.bin"), "-sigfile", os.path.join(WORK, "payload.sig")],
                          capture_output=True, text=True)
check(verified.returncode == 0 and "Signature Verified Successfully" in verified.stdout,
      "openssl verifies the signature of the payload with the repository's public key (docs/collected-evidence.md)")
ran = [os.path.basename(c["argv"][0]) for c in json.loads(doc["payload"])["commands"]]
check({"findmnt", "xfs_info", "find", "lsattr"} <= set(ran),
      f"the repository commands, built from earlier outputs, were collected too ({ran[-4:]})")

rc, r = audit()
obs, checks = repo(r)
check(obs["outcome"] == "ok" and obs["collected_at"] == json.loads(doc["payload"])["collected_at"]
      and obs["collected_by"] == doc["signature"]["public_key_fingerprint"],
      f"audit: lab-repo read from the file, with its collection time and signer ({obs['collected_at']})")
statuses = {c: f["status"] for c, f in checks.items()}
check(checks["host-ssh-key-pinned"]["status"] == "not_applicable"
      and all(s == "pass" for c, s in statuses.items() if c != "host-ssh-key-pinned"),
      f"audit: every host check of lab-repo holds on the collected facts {statuses}")
check(checks["host-repository-immutable"]["status"] == "pass" and checks["host-firewall-default-deny"]["status"] == "pass",
      "audit: XFS repository with immutable backup files, firewall default deny")
# hosts only: no flow tested and no directory read, so incomplete (exit 4); nothing fails
check(rc == 4 and not [f for f in r["findings"] if f["status"] in ("fail", "error")]
      and all(x["kind"] != "host_not_read" for o in r["objectives"] for x in o["reasons"]),
      f"audit: lab-repo counts as read; nothing fails; exit 4 for the probes not run ({rc})")

lab("scenario", "on", "repo-not-immutable")
try:
    rc, _ = collect()
finally:
    lab("scenario", "off", "repo-not-immutable")
rc, r = audit()
obs, checks = repo(r)
failing = sorted(c for c, f in checks.items() if f["status"] != statuses[c])
observed = checks["host-repository-immutable"]["observed"] or []
check(failing == ["host-repository-immutable"] and any("ERP_2026-11-23.vib" in x for x in observed),
      f"repo-not-immutable: exactly the immutability check fails, naming the file ({failing}, {observed})")

rc, _ = collect()
with open(EVIDENCE) as f:
    text = f.read()
with open(EVIDENCE, "w") as f:
    f.write(text.replace("ERP_2026-11-23.vib", "ERP_2026-11-24.vib", 1))
rc, r = audit()
obs, checks = repo(r)
check(refused(r) and "altered" in obs["detail"] and ("host_not_read", "lab-repo") in
      [(x["kind"], x["subject"]) for x in r["objectives"][0]["reasons"]],
      f"one altered byte: one cause, lab-repo's checks not evaluated, never a pass ({obs['detail'][-90:]})")
rc, _ = collect()
other = os.path.join(WORK, "other.pub")
subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", os.path.join(WORK, "other.pem")], check=True)
subprocess.run(["openssl", "pkey", "-in", os.path.join(WORK, "other.pem"), "-pubout", "-out", other], check=True)
rc, r = audit(other)
obs, checks = repo(r)
check(refused(r), f"another signer: refused, one cause ({obs['detail'][-90:]})")

finish()
