#!/usr/bin/env python3
"""`cloison drill` against the lab (docs/isolation-drill.md). The isolation procedure is the docs'
dead-man recipe (docs/isolation-deadman.nft) on lab-router, run by cloison from lab-admin with
`ip netns exec lab-router nft -f FILE` (via: local). cloison measures from lab-admin (local) and
from lab-prod (through its sshd). Checked:
  - without --confirm and without a terminal, nothing runs (exit 2); --dry-run runs the pre-checks
    only and isolates nothing;
  - a drill passes: every forbidden and allowed flow to the backup segment cut within the time
    allowed, the out-of-band flow (admin -> backup server SSH, IPv4 and IPv6) still open, every flow
    restored; the report (JSON, HTML in French and English, signed bundle that `cloison verify`
    accepts) says so, and the audit then reads the drill (drill age 0 days, last drill passed);
  - a broken isolate command (it leaves tcp/22 open from production) fails the drill and names
    the flow; the site is restored;
  - a broken restore command exits 5, prints the manual restore steps and raises a syslog alert;
  - SIGTERM during the isolation restores before cloison exits;
  - SIGKILL during the isolation leaves the recipe's timeout to restore the site.
Usage (root, lab up): drill_test.py CLOISON_BINARY"""
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labcheck import INVENTORY, LAB, check, finish, lab, require_root  # noqa: E402

require_root("drill_test")
CLOISON = os.path.abspath(sys.argv[1])
RECIPE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                      "isolation-deadman.nft")
ESTABLISHMENT = "CH Lab — établissement de test cloison"
WORK = tempfile.mkdtemp(prefix="cloison-drill-")
os.chmod(WORK, 0o755)
NFT = ["ip", "netns", "exec", "lab-router", "nft"]
CUT = [("198.18.2.10", 9392), ("198.18.2.20", 9392), ("fd00:2::10", 9392)]  # from lab-admin
KEPT = [("198.18.2.10", 22), ("fd00:2::10", 22)]
SSH_FROM_PROD = "lab-prod (production) -> lab-backup 198.18.2.10 tcp/22"


def write(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def isolate_file(name, timeout, extra=""):
    return write(name, extra +
                 f"add element inet cloison_isolation isolated {{ 198.18.2.0/24 timeout {timeout} }}\n"
                 f"add element inet cloison_isolation isolated6 {{ fd00:2::/64 timeout {timeout} }}\n")


RESTORE = write("restore.nft", "flush set inet cloison_isolation isolated\n"
                               "flush set inet cloison_isolation isolated6\n")
ISOLATE = isolate_file("isolate.nft", "10m")
SYSLOG = os.path.join(WORK, "syslog.sock")


def inventory(name, isolate=ISOLATE, restore=RESTORE, hold="4s", extra_flow=""):
    with open(INVENTORY) as f:
        text = f.read()
    drill = f"""  drill:
    via: local
    isolate: [ip, netns, exec, lab-router, nft, -f, {isolate}]
    restore: [ip, netns, exec, lab-router, nft, -f, {restore}]
    max_isolate_time: 20s
    hold: {hold}
    max_duration: 5m
    stay_open:
      - {{from: administration, to: lab-backup, ports: [22], purpose: out-of-band console}}
    reports: {WORK}/reports-{name}
"""
    anchor = "\nschedule:"
    assert anchor in text and "alerts:\n  - {type: syslog}" in text
    text = text.replace(anchor, "\n" + drill + anchor, 1)
    text = text.replace("alerts:\n  - {type: syslog}", f"alerts:\n  - {{type: syslog, socket: {SYSLOG}}}")
    if extra_flow:
        text = text.replace("\nflows:\n", "\nflows:\n" + extra_flow + "\n", 1)
    return write(f"inventory-{name}.yaml", text)


def drill_command(config, *extra, out=None):
    return ["ip", "netns", "exec", "lab-admin", CLOISON, "drill", "--config", config, "--lang", "en",
            "--key-file", os.path.join(WORK, "agent.key"), "--out", out or os.path.join(WORK, "out"),
            *extra]


def run_drill(config, name, *extra):
    out = os.path.join(WORK, "out-" + name)
    r = subprocess.run(drill_command(config, *extra, out=out), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=600)
    report = None
    if os.path.exists(os.path.join(out, "drill.json")):
        with open(os.path.join(out, "drill.json")) as f:
            report = json.load(f)
    return r, report, out


def connects(address, port, namespace="lab-admin"):
    probe = ("import socket, sys\n"
             "try:\n    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()\n"
             "except OSError:\n    sys.exit(1)\n")
    return subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", probe, address,
                           str(port)]).returncode == 0


def restored(label):
    check(all(connects(a, p) for a, p in CUT + KEPT), f"{label}: every flow from lab-admin connects again")


def set_elements():
    listed = subprocess.run(NFT + ["-j", "list", "set", "inet", "cloison_isolation", "isolated"],
                            capture_output=True, text=True, check=True).stdout
    return [s["set"].get("elem", []) for s in json.loads(listed)["nftables"] if "set" in s][0]


def load_recipe():
    subprocess.run(NFT + ["-f", RECIPE], check=True)


def failures(report, kind):
    return [f for f in report["failures"] if f["kind"] == kind]


def wait_isolated(proc):
    """Reads the drill's progress until the backup zone is isolated; False when it ends first."""
    buffered = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stderr], [], [], 1)
        if ready:
            chunk = os.read(proc.stderr.fileno(), 4096)
            if not chunk:
                return False
            buffered += chunk
            if b"Backup zone isolated" in buffered:
                return True
    return False


try:
    load_recipe()

    # --- confirmation and dry run ---
    ok_config = inventory("ok")
    r = subprocess.run(drill_command(ok_config), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(r.returncode == 2 and "--confirm" in r.stderr and not set_elements(),
          f"no --confirm and no terminal: exit 2, nothing isolated (exit {r.returncode}: {r.stderr[-300:]})")
    r = subprocess.run(drill_command(ok_config, "--confirm", "CH Other"), capture_output=True, text=True,
                       stdin=subprocess.DEVNULL)
    check(r.returncode == 2, f"--confirm with another establishment's name: exit 2 (exit {r.returncode})")
    r, report, _ = run_drill(ok_config, "dry", "--dry-run")
    check(r.returncode == 0 and report and report["outcome"] == "dry_run" and "DRY RUN" in r.stdout
          and "'lab-router' 'nft' '-f'" in r.stdout and not set_elements(),
          f"--dry-run: pre-checks pass, the commands are shown, nothing isolated (exit {r.returncode}: "
          f"{r.stdout[-400:]} {r.stderr[-400:]})")

    # --- a drill that passes ---
    r, report, out = run_drill(ok_config, "ok", "--confirm", ESTABLISHMENT)
    check(r.returncode == 0 and report and report["outcome"] == "passed",
          f"drill: exit 0, outcome passed (exit {r.returncode}: {r.stdout[-600:]} {r.stderr[-600:]})")
    if report:
        pairs = report["pairs"]
        zone = [p for p in pairs if not p["kept_open"]]
        check(report["time_to_isolate_s"] is not None and report["time_to_isolate_s"] <= 20,
              f"drill: isolated within the 20 s allowed ({report['time_to_isolate_s']} s)")
        check(len({p["vantage"] for p in pairs}) == 2 and any(p["allowed"] for p in zone)
              and any(not p["allowed"] for p in zone),
              "drill: allowed and forbidden pairs measured from both vantage points (lab-admin, lab-prod)")
        check(all(p["during"] in ("filtered", "unreachable") for p in zone),
              "drill: during the isolation every pair to the backup segment is cut, but the kept ones: " +
              str([(p["vantage"], p["address"], p["port"], p["during"]) for p in zone
                   if p["during"] not in ("filtered", "unreachable")][:5]))
        kept = [(p["address"], p["during"]) for p in pairs if p["kept_open"]]
        check(sorted(kept) == [("198.18.2.10", "open"), ("fd00:2::10", "open")],
              f"drill: the out-of-band flow (admin -> backup SSH, IPv4 and IPv6) stays open: {kept}")
        check(all(p["after"] == p["before"] for p in pairs),
              "drill: after the restore every pair is as before")
        steps = [e["step"] for e in report["timeline"]]
        check(steps == ["precheck_matrix", "precheck_restorer", "isolate_run", "isolated", "hold_done",
                        "restore_run", "restored"], f"drill: the timeline has every step in order: {steps}")
        with open(os.path.join(out, "drill.html")) as f:
            html = f.read()
        check('lang="fr"' in html and 'lang="en"' in html and "RÉUSSI" in html and "PASSED" in html,
              "drill.html: French and English")
        v = subprocess.run([CLOISON, "verify", os.path.join(out, "drill.tar.gz"), "--unpinned"],
                           capture_output=True, text=True)
        check(v.returncode == 0, f"cloison verify accepts the drill's signed bundle ({v.stdout[-300:]} {v.stderr[-300:]})")
    check(not set_elements(), "drill: nothing left isolated")
    restored("drill")
    audit_out = os.path.join(WORK, "audit")
    a = subprocess.run(["ip", "netns", "exec", "lab-admin", CLOISON, "audit", "--config", ok_config,
                        "--probes", "inventory", "--out", audit_out, "--quiet"], capture_output=True, text=True)
    with open(os.path.join(audit_out, "report.json")) as f:
        audit = json.load(f)
    found = {f["check"]: f for f in audit["findings"]}
    recent, passed = found.get("isolation-drill-recent", {}), found.get("isolation-drill-passed", {})
    check(recent.get("observed") == 0 and recent.get("status") == "pass" and passed.get("observed") is False
          and passed.get("status") == "pass",
          "the audit reads the drill: drill age 0 days (not the inventory's 30), last drill passed: "
          f"{recent.get('observed')} {recent.get('status')} / {passed.get('observed')} {passed.get('status')}")
    cut = audit["topology"]["isolation"]
    check(cut["last_drill_result"] == "passed" and cut["last_drill"] == time.strftime("%Y-%m-%d", time.gmtime()),
          f"the audit's diagram shows the cut point with the last drill's date and result: {cut}")
    with open(os.path.join(audit_out, "report.html")) as f:
        check('data-last-drill-result="passed"' in f.read(), "report.html: the cut point carries the drill's result")

    # --- a broken isolate: tcp/22 from production left open ---
    lab("scenario", "on", "fw-hole-prod-backup-ssh")  # tcp/22 from production, IPv4
    lab("scenario", "on", "fw-hole-prod-backup-ipv6")  # and IPv6: the broken rule keeps IPv4 only
    broken = isolate_file("isolate-broken.nft", "10m",
                          "insert rule inet cloison_isolation forward ip saddr 198.18.1.0/24 tcp dport 22 accept\n"
                          "insert rule inet cloison_isolation forward ip daddr 198.18.1.0/24 tcp sport 22 accept\n")
    config = inventory("broken-isolate", isolate=broken,
                       extra_flow="  - {from: production, to: lab-backup, ports: [22], purpose: drill test}")
    r, report, _ = run_drill(config, "broken-isolate", "--confirm", ESTABLISHMENT)
    lab("scenario", "off", "fw-hole-prod-backup-ssh")
    lab("scenario", "off", "fw-hole-prod-backup-ipv6")
    load_recipe()
    named = [p for f in (failures(report, "not_isolated") if report else []) for p in f["pairs"]]
    check(r.returncode == 1 and report and report["outcome"] == "failed" and named == [SSH_FROM_PROD]
          and SSH_FROM_PROD in r.stdout,
          f"broken isolate: exit 1, the drill fails naming exactly {SSH_FROM_PROD} (exit {r.returncode}: {named} "
          f"{r.stdout[-500:]})")
    restored("broken isolate")

    # --- a broken restore ---
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(SYSLOG)
    config = inventory("broken-restore", restore=os.path.join(WORK, "no-such-file.nft"))
    r, report, _ = run_drill(config, "broken-restore", "--confirm", ESTABLISHMENT)
    listener.settimeout(2)
    try:
        datagram = listener.recv(65536).decode()
    except socket.timeout:
        datagram = ""
    listener.close()
    check(r.returncode == 5 and report and report["outcome"] == "restore_failed",
          f"broken restore: exit 5, outcome restore_failed (exit {r.returncode})")
    check("RESTORE FAILED" in r.stdout and "Restore by hand, now" in r.stdout and "no-such-file.nft" in r.stdout,
          f"broken restore: the manual restore steps are printed ({r.stdout[-500:]})")
    check("CLOISON_ALERT" in datagram and '"drill_restore_failed"' in datagram,
          f"broken restore: a drill_restore_failed alert reached syslog ({datagram[:300]})")
    check(set_elements() and not connects("198.18.2.10", 9392), "broken restore: the site is still isolated")
    subprocess.run(NFT + ["-f", RESTORE], check=True)
    restored("broken restore, restored by hand")

    # --- SIGTERM during the isolation ---
    config = inventory("sigterm", hold="120s")
    proc = subprocess.Popen(drill_command(config, "--confirm", ESTABLISHMENT, out=os.path.join(WORK, "out-sigterm")),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    isolated = wait_isolated(proc)
    check(isolated and not connects("198.18.2.10", 9392), "SIGTERM: the drill isolated the backup zone")
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=120)
    report = {"outcome": None, "failures": [], "time_to_restore_s": None}
    if os.path.exists(os.path.join(WORK, "out-sigterm", "drill.json")):
        with open(os.path.join(WORK, "out-sigterm", "drill.json")) as f:
            report = json.load(f)
    check(proc.returncode == 1 and failures(report, "interrupted") and report["time_to_restore_s"] is not None
          and not set_elements(),
          f"SIGTERM: cloison restored, then exited 1 (exit {proc.returncode}, {report['outcome']})")
    restored("SIGTERM")

    # --- SIGKILL: the recipe's timeout restores ---
    config = inventory("sigkill", isolate=isolate_file("isolate-short.nft", "8s"), hold="120s")
    proc = subprocess.Popen(drill_command(config, "--confirm", ESTABLISHMENT, out=os.path.join(WORK, "out-sigkill")),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    isolated = wait_isolated(proc)
    killed_at = time.monotonic()
    proc.kill()
    proc.communicate(timeout=60)
    check(isolated and not connects("198.18.2.10", 9392), "SIGKILL: killed while the zone was isolated")
    time.sleep(max(0.0, 9.5 - (time.monotonic() - killed_at)))
    check(not set_elements(), "SIGKILL: the recipe's timeout emptied the set")
    restored("SIGKILL, dead-man timeout")
finally:
    subprocess.run(NFT + ["delete", "table", "inet", "cloison_isolation"], capture_output=True)
    for scenario in ("fw-hole-prod-backup-ssh", "fw-hole-prod-backup-ipv6"):
        subprocess.run([LAB, "scenario", "off", scenario], capture_output=True)
    subprocess.run(["rm", "-rf", WORK])
finish()
