#!/usr/bin/env python3
"""Lab test of the outputs on a real audit (label `lab`): with the seeded firewall hole
fw-hole-prod-backup-ssh, cloison audits from lab-prod in French with a signed bundle; headless
Chromium (network cut off) renders report.html and the rendered DOM must show the objective
verdicts and the diagram's red edge production -> lab-backup labelled 22; report.xml has the
failing test case; `cloison verify` finds the bundle intact, then names a tampered evidence file.
Usage: report_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET

from labcheck import INVENTORY, LAB, check, finish, lab, require_root

CLOISON = os.path.abspath(sys.argv[1])
require_root("report_test")
CHROMIUM = shutil.which("chromium")
if not CHROMIUM:
    print("report_test: chromium is not installed (packaging/install-deps browser) (skipped)")
    sys.exit(77)






work = tempfile.mkdtemp(prefix="cloison-report-lab-")
out = os.path.join(work, "out")
bundle = os.path.join(work, "evidence.tar.gz")
env = dict(os.environ, CLOISON_KEY_FILE=os.path.join(work, "key", "agent-key.pem"))
lab("scenario", "on", "fw-hole-prod-backup-ssh")
try:
    p = subprocess.run([LAB, "exec", "prod", "--", CLOISON, "audit", "--config", INVENTORY, "--out", out,
                        "--lang", "fr", "--probes", "inventory,reachability", "--bundle", bundle],
                       capture_output=True, text=True, timeout=180, env=env)
finally:
    lab("scenario", "off", "fw-hole-prod-backup-ssh")
check(p.returncode == 1, f"audit with the hole: exit 1, an objective not met (got {p.returncode})")
for name in ("report.json", "report.html", "report.xml"):
    check(os.path.isfile(os.path.join(out, name)), f"{name} written")

profile = os.path.join(work, "chromium")
dom = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                      "--no-first-run", f"--user-data-dir={profile}", "--dump-dom",
                      "file://" + os.path.join(out, "report.html")],
                     capture_output=True, text=True, timeout=120, env=dict(env, HOME=work)).stdout
check("NON ATTEINT" in dom, "rendered page (fr): D2.03.B shown as not met")
red = re.findall(r'<g class="flow forbidden-open" data-from="production" data-to="lab-backup" '
                 r'data-ports="22">.*?</g>', dom)
check(len(red) >= 1 and all('stroke="#c0392b"' in g and ">22</text>" in g for g in red),
      "rendered diagram: the hole production -> lab-backup:22 is a red edge labelled 22")
others = re.findall(r'<g class="flow forbidden-open"[^>]*>', dom)
check(all('data-ports="22"' in g for g in others), "rendered diagram: no other forbidden edge")

suites = ET.parse(os.path.join(out, "report.xml")).getroot()
failing = [c.get("name") for c in suites.iter("testcase") if c.find("failure") is not None]
check(any(n.startswith("reach-no-forbidden-port-open") and "lab-backup" in n for n in failing),
      f"report.xml: the forbidden port is a failing test case ({failing})")

with tarfile.open(bundle) as t:
    t.extractall(os.path.join(work, "x"))
shutil.copy(os.path.join(work, "x", "agent.pub"), os.path.join(work, "agent.pub"))
v = subprocess.run([CLOISON, "verify", bundle, "--key", os.path.join(work, "agent.pub"), "--lang", "en"],
                   capture_output=True, text=True)
check(v.returncode == 0, f"verify: the bundle is intact (exit {v.returncode})")
evidence = sorted(m for m in os.listdir(os.path.join(work, "x", "evidence")))
target = os.path.join(work, "x", "evidence", evidence[0])
with open(target, "r+b") as f:
    first = f.read(1)
    f.seek(0)
    f.write(bytes([first[0] ^ 1]))
tampered = os.path.join(work, "tampered.tar.gz")
with tarfile.open(tampered, "w:gz") as t:
    for name in sorted(os.listdir(os.path.join(work, "x"))):
        t.add(os.path.join(work, "x", name), arcname=name)
v = subprocess.run([CLOISON, "verify", tampered, "--key", os.path.join(work, "agent.pub"), "--lang", "en"],
                   capture_output=True, text=True)
check(v.returncode == 1 and f"evidence/{evidence[0]}" in v.stdout + v.stderr,
      "verify: one flipped evidence byte is caught and the file named")

shutil.rmtree(work, ignore_errors=True)
finish()
