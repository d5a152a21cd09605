#!/usr/bin/env python3
"""Lab test of `cloison daemon` (label `lab`): the daemon runs in lab-admin, audits the real lab
through the remote vantage point lab-prod on SIGUSR1, and alerts to a syslog socket when the lab
drifts between two runs. lab-backup is read over SSH with trust_on_first_use, its key kept in the
daemon's state folder.
 1. the first run learns lab-backup's host key into <state>/known_hosts;
 2. fw-hole-prod-backup-ssh turned on between two runs: exactly one new_failure alert, naming
    production -> lab-backup; turned off: exactly one failure_resolved alert for it;
 3. backup-host-key-changed turned on: the new key is refused (the host's checks in error, the
    store unchanged) and exactly one host_key_changed alert names lab-backup; turned off: one
    host_key_resolved alert.
The webhook and /metrics channels are proven on loopback (tests/agent/daemon/daemon_test.py).
Usage: daemon_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from labcheck import LAB, check, finish, inventory_with, lab, require_root

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "agent", "daemon"))
from daemon_process import DaemonProcess  # noqa: E402

CLOISON = os.path.abspath(sys.argv[1])
require_root("daemon_test")

PINNED = """      key_file: /run/cloison-lab/audit_ed25519
      known_hosts: /run/cloison-lab/known_hosts
      sudo: true"""
LEARNED = """      key_file: /run/cloison-lab/audit_ed25519
      trust_on_first_use: true
      sudo: true"""


def Daemon(inventory, state):
    """`cloison daemon` in lab-admin, auditing through lab-prod."""
    return DaemonProcess([LAB, "exec", "admin", "--", CLOISON, "daemon", "--config", inventory, "--state-dir",
                          state, "--vantage", "lab-prod", "--log-format", "json", "--lang", "en"])


def audit(d):
    """One audit on SIGUSR1; its run number, or None."""
    return d.audit(lambda: d.signal(signal.SIGUSR1), 300)


class Syslog:
    """The syslog socket: the daemon's CLOISON_ALERT datagrams, as JSON alerts."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)
        self.sock.settimeout(0.2)

    def alerts(self, seconds=2.0):
        out = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                datagram = self.sock.recv(65536).decode()
            except socket.timeout:
                continue
            m = re.search(r"cloison\[\d+\]: CLOISON_ALERT (\{.*\})$", datagram)
            if check(m is not None, f"a CLOISON_ALERT datagram: {datagram[:200]!r}"):
                out.append(json.loads(m.group(1)))
        return out


def of_kind(alerts, kind):
    return [a for a in alerts if a["kind"] == kind]


def main():
    work = tempfile.mkdtemp(prefix="cloison-lab-daemon-")
    os.chmod(work, 0o755)
    state = os.path.join(work, "state")
    syslog = Syslog(os.path.join(work, "log"))
    inventory = inventory_with(PINNED, LEARNED, work)
    with open(inventory) as f:
        text = f.read()
    with open(inventory, "w") as f:
        # The daemon's schedule, history and alerts are under test here, not the breadth of the sweep
        # (audit_test.py and vantage_test.py test that): production's view through lab-prod, a
        # few dozen pairs a second over SSH, on a handful of ports that holds the fw-hole port 22.
        narrowed = "- {from: production, to: backup, ports: [22, 2500-2510]}"
        assert "- {from: production, to: backup, ports: profiles}" in text
        f.write(text.replace("alerts:\n  - {type: syslog}\n", f"alerts:\n  - {{type: syslog, socket: {work}/log}}\n")
                .replace("- {from: production, to: backup, ports: profiles}", narrowed))
    lab("scenario", "reset")
    d = Daemon(inventory, state)
    try:
        check(d.wait_for("cloison daemon started", 0, 30) is not None, f"the daemon starts in lab-admin: {d.lines[-3:]}")

        # 1. trust on first use: the key is kept
        check(audit(d) == 1, "run 1 (SIGUSR1)")
        syslog.alerts(2)  # a first run reports its failures as new (the unpinned key): not counted here
        store = os.path.join(state, "known_hosts")
        learned = open(store).read() if os.path.exists(store) else ""
        check(re.search(r"^198\.18\.2\.10 ssh-ed25519 ", learned, re.M) is not None,
              f"lab-backup's key learned on first use is kept in the state folder: {learned!r}")

        # 2. a firewall hole between two runs: one alert, then one resolution
        lab("scenario", "on", "fw-hole-prod-backup-ssh")
        check(audit(d) == 2, "run 2, the hole open")
        alerts = syslog.alerts()
        new = of_kind(alerts, "new_failure")
        check([(a["check"], a["target"]) for a in new] == [("reach-no-forbidden-port-open", "production -> lab-backup")],
              f"fw-hole-prod-backup-ssh: exactly one new_failure, production -> lab-backup: {new}")
        check(any(a["kind"] == "objective_changed" and a["objective"] == "D2.03.B" and a["after"] == "not_met"
                  for a in alerts), f"fw-hole-prod-backup-ssh: D2.03.B now not met: {alerts}")
        lab("scenario", "off", "fw-hole-prod-backup-ssh")
        check(audit(d) == 3, "run 3, the hole closed")
        alerts = syslog.alerts()
        resolved = of_kind(alerts, "failure_resolved")
        check([(a["check"], a["target"]) for a in resolved] == [("reach-no-forbidden-port-open", "production -> lab-backup")]
              and not of_kind(alerts, "new_failure"),
              f"fw-hole-prod-backup-ssh off: exactly one failure_resolved, no new failure: {alerts}")

        # 3. lab-backup's host key changes: refused, alerted once, resolved once
        lab("scenario", "on", "backup-host-key-changed")
        check(audit(d) == 4, "run 4, another host key")
        alerts = syslog.alerts()
        changed = of_kind(alerts, "host_key_changed")
        check(len(changed) == 1 and changed[0]["target"] == "lab-backup" and "CHANGED" in changed[0]["after"],
              f"backup-host-key-changed: exactly one host_key_changed alert naming lab-backup: {changed}")
        check((open(store).read() if os.path.exists(store) else "") == learned,
              "the changed key is refused, not learned: the store is unchanged")
        shown = subprocess.run([CLOISON, "history", "--state-dir", state, "--lang", "en", "show", "4"],
                               capture_output=True, text=True).stdout
        check(re.search(r"^  error\t.*\tlab-backup$", shown, re.M) is not None,
              f"run 4: lab-backup's checks are in error, not passed: {shown[-600:]}")
        lab("scenario", "off", "backup-host-key-changed")
        check(audit(d) == 5, "run 5, the host key back")
        alerts = syslog.alerts()
        check([a["target"] for a in of_kind(alerts, "host_key_resolved")] == ["lab-backup"]
              and not of_kind(alerts, "host_key_changed"),
              f"the key back: exactly one host_key_resolved alert: {alerts}")

        d.process.send_signal(signal.SIGTERM)
        check(d.process.wait(timeout=10) == 0, "SIGTERM stops the daemon (0)")
    finally:
        if d.process.poll() is None:
            d.process.kill()
            d.process.wait()
        lab("scenario", "reset")
        shutil.rmtree(work, ignore_errors=True)
    finish()


main()
