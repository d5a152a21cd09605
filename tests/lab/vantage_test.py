#!/usr/bin/env python3
"""Lab test of the remote vantage point (label `lab`): production's matrix probed from lab-admin
through lab-prod's sshd (`--vantage lab-prod`, declared `via: ssh` in tests/lab/inventory.yaml)
gives, flow by flow, the same verdicts as cloison run inside lab-prod (where lab-prod is this
machine and is probed with local sockets), in the compliant state and with the firewall hole
fw-hole-prod-backup-ssh, which both find.
Usage: vantage_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import collections
import json
import os
import subprocess
import sys
import tempfile

from labcheck import INVENTORY, LAB, check, finish, lab, pairs, require_root, stop_unless_every_scenario

CLOISON = os.path.abspath(sys.argv[1])
require_root("vantage_test")


def audit(host):
    out = tempfile.mkdtemp(prefix="cloison-vantage-")
    p = subprocess.run([LAB, "exec", host, "--", CLOISON, "audit", "--config", INVENTORY, "--out", out,
                        "--lang", "en", "--vantage", "lab-prod", "--probes", "inventory,reachability"],
                       capture_output=True, text=True, timeout=300)
    path = os.path.join(out, "report.json")
    if not os.path.exists(path):
        check(False, f"audit from lab-{host} wrote no report (exit {p.returncode}): {p.stderr[-2000:]}")
        finish()
    with open(path) as f:
        return p.returncode, json.load(f)


def verdicts(report):
    return {(x["to"], x["address"], x["port"]): (x["expected"], x["verdict"]) for x in pairs(report)}


def methods(report):
    return collections.Counter(x["method"] for x in report["flows"])


def forbidden_open(report):
    return {f["target"]: (f["status"], f["observed"]) for f in report["findings"]
            if f["check"] == "reach-no-forbidden-port-open"}


def compare(label, local, remote):
    lv, rv = verdicts(local), verdicts(remote)
    check(len(lv) >= 1600 and set(lv) == set(rv),
          f"{label}: the same {len(lv)} pairs from both sides ({len(set(lv) ^ set(rv))} differ)")
    differ = sorted((k, lv[k], rv.get(k)) for k in lv if rv.get(k) != lv[k])
    check(not differ, f"{label}: identical verdict on every flow (disagreements: {differ[:5]})")
    check(all(x["vantage"] == "lab-prod" and x["from"] == "production" for x in local["flows"] + remote["flows"]),
          f"{label}: every flow names vantage point lab-prod and segment production")
    check(set(methods(local)) == {"local"}, f"{label}: inside lab-prod, probed locally ({dict(methods(local))})")
    # Which pairs the sshd connects for (direct-tcpip) and which the connect command asks depends on
    # the order the two backup hosts are probed in: the first 128 opens to DROPped ports stay pending
    # at the sshd (its kernel retries the SYN for ~2 min) and fill the window; everything after
    # goes to the command, retries included.
    check(set(methods(remote)) <= {"ssh-forward", "ssh-command"},
          f"{label}: from lab-admin, probed through lab-prod's sshd ({dict(methods(remote))})")
    controls = [x for x in remote["flows"] if x["expected"] == "allowed"]
    check(controls and all(x["verdict"] == "open" for x in controls),
          f"{label}: production's controls (prod DC) answered through SSH")
    check(forbidden_open(local) == forbidden_open(remote),
          f"{label}: same isolation findings ({forbidden_open(remote)})")
    check(remote["topology"]["vantage"] == "lab-prod", f"{label}: the report stands at lab-prod")


lab("scenario", "reset")

_, local = audit("prod")
rc, remote = audit("admin")
compare("compliant", local, remote)
check(all(s == "pass" for s, _ in forbidden_open(remote).values()), "compliant, over SSH: no forbidden port open")
check(rc == 4 and [(x["kind"], x["subject"]) for o in remote["objectives"] if o["id"] == "D2.03.B"
                   for x in o["reasons"]] == [("host_not_read", "lab-backup")],
      f"compliant, over SSH: flows tested from production; D2.03.B incomplete only for want of host facts (exit {rc})")

stop_unless_every_scenario("the firewall hole")
lab("scenario", "on", "fw-hole-prod-backup-ssh")
try:
    _, local = audit("prod")
    rc, remote = audit("admin")
    compare("fw-hole-prod-backup-ssh", local, remote)
    hole = forbidden_open(remote)
    check(hole.get("production -> lab-backup") == ("fail", ["198.18.2.10:22"]),
          f"fw-hole-prod-backup-ssh, over SSH: lab-backup's port 22 found open ({hole})")
    check(hole.get("production -> lab-repo", ("",))[0] == "pass", "fw-hole-prod-backup-ssh: lab-repo still isolated")
    ssh22 = [x for x in pairs(remote) if x["address"] == "198.18.2.10" and x["port"] == 22]
    check(len(ssh22) == 1 and ssh22[0]["verdict"] == "open" and ssh22[0]["method"] in ("ssh-forward", "ssh-command"),
          f"fw-hole-prod-backup-ssh: 198.18.2.10:22 open from lab-prod's sshd ({ssh22})")
    check(rc == 1, f"fw-hole-prod-backup-ssh, over SSH: exit 1 (D2.03.B not met) (exit {rc})")
finally:
    lab("scenario", "off", "fw-hole-prod-backup-ssh")

finish()
