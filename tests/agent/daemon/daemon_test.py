#!/usr/bin/env python3
"""`cloison daemon` driven as systemd and an administrator would, with real peers on loopback.

Usage: daemon_test.py CLOISON

The daemon runs on an inventory whose audits contact nothing (no host) except in the phase that
declares a silent SSH host on 127.0.0.1 (a listener that accepts and never speaks), which makes
an audit last. Its peers are real: a unix datagram socket as systemd's NOTIFY_SOCKET (READY,
RELOADING, STOPPING, WATCHDOG), another as the syslog socket, an HTTPS receiver with its own test
CA (made by openssl) for the webhook, and /metrics read by Prometheus' own text parser
(python3-prometheus-client). Checked:
 1. readiness and the watchdog; a second daemon on the same state folder refuses to start (3);
 2. SIGUSR1 runs an audit, recorded in the history (`cloison history list`), shown in /metrics;
 3. drift: isolation.last_drill made old and reloaded (SIGHUP), POST /run audits: exactly one
    new_failure alert naming isolation-drill-recent on syslog and on the webhook (with the bearer
    token), and none on the next identical run;
 4. a reload with a broken inventory is refused with its located problem; the old configuration
    keeps running;
 5. the webhook receiver down: the resolution alert is queued (cloison_alerts_queued), then
    delivered once the receiver is back;
 5b. a daemon stopped after recording a run and before its alerts sends them at its next start,
    once;
 6. a long audit: a request while it runs is counted as skipped, not started; SIGTERM stops the
    daemon within 5 s and nothing of the abandoned audit is recorded; kill -9 during it, then a
    restart: the history is intact and the half-written run folder removed;
 7. kill -9 at random moments of audits, repeatedly: the history stays readable and every run it
    lists has its report;
 8. a damaged history.db is moved aside at start and a new one started;
 9. at start: the run folders of the set-aside history are left as they are; a complete run folder
    not recorded (a daemon killed between its rename and its record) is recorded and its alerts
    sent; a scheduled time missed while the daemon was stopped runs one audit; the inventory's
    retention removes the runs beyond it, with their folders;
10. `cloison history baseline pin|baseline|list|diff [--baseline]|diff RUN RUN`.
Prints one line per problem and `N passed, M failed`; exits 1 on any problem.
"""
import glob
import http.server
import json
import os
import queue
import random
import re
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from daemon_process import DaemonProcess
from prometheus_client.parser import text_string_to_metric_families

if len(sys.argv) != 2:
    sys.exit("usage: daemon_test.py CLOISON")
CLOISON = os.path.abspath(sys.argv[1])

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL - {what}")
    return ok


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Datagrams:
    """A unix datagram socket whose messages are read in the background."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                self.messages.put(self.sock.recv(65536).decode())
            except OSError:
                return

    def drain(self, seconds=0.0):
        """Every message received so far, waiting `seconds` for late ones."""
        out = []
        deadline = time.monotonic() + seconds
        while True:
            try:
                out.append(self.messages.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                return out

    def wait_for(self, text, seconds):
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                if text in self.messages.get(timeout=left):
                    return True
            except queue.Empty:
                return False
        return False


class Receiver:
    """The webhook's HTTPS receiver: records each POST's JSON body and Authorization header."""

    def __init__(self, port, cert, key):
        self.port, self.cert, self.key = port, cert, key
        self.posts = queue.Queue()
        self.server = None

    def start(self):
        posts = self.posts

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                posts.put((self.headers.get("Authorization"), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def alerts(self, seconds):
        """The alerts of every POST received within `seconds`, with the Authorization headers."""
        out, auth = [], set()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                header, document = self.posts.get(timeout=left)
            except queue.Empty:
                break
            auth.add(header)
            out += document.get("alerts", [])
        return out, auth


def Daemon(args, env):
    return DaemonProcess([CLOISON, "daemon", "--log-format", "json", "--lang", "en"] + args, env)


def write_inventory(path, last_drill, metrics_port, webhook_port, token, ca, syslog, extra=""):
    with open(path, "w") as f:
        f.write(f"""establishment: CH Test — daemon
segments:
  - {{name: production, role: production, cidrs: [198.51.100.0/24]}}
  - {{name: sauvegarde, role: backup, cidrs: [192.0.2.0/24, 127.0.0.0/24]}}
  - {{name: administration, role: administration, cidrs: [203.0.113.0/24]}}
vantage_points:
  - {{name: poste-audit, segment: administration}}
directories: []
backup_accounts: []
flows:
  - {{from: administration, to: sauvegarde, protocol: tcp, ports: [22], purpose: administration}}
isolation:
  description: the backup VLAN's firewall interface is shut
  triggered_by: the on-call network engineer
  last_drill: {last_drill}
alerts:
  - {{type: syslog, socket: {syslog}}}
  - {{type: webhook, url: "https://127.0.0.1:{webhook_port}/hook", token_file: {token}, ca_file: {ca}}}
  - {{type: prometheus, listen: "127.0.0.1:{metrics_port}"}}
{extra}""")


def call(method, url):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def metrics(port):
    status, body = call("GET", f"http://127.0.0.1:{port}/metrics")
    samples = {}
    if status != 200:
        return status, samples
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return status, samples


def history(state, *words):
    return subprocess.run([CLOISON, "history", "--state-dir", state, "--lang", "en", *words],
                          capture_output=True, text=True)


def run_ids(state):
    r = history(state, "list", "--limit", "0")
    return [int(m) for m in re.findall(r"^(\d+)\*?\t", r.stdout, re.M)] if r.returncode == 0 else None


def of_kind(alerts, kind):
    return [a for a in alerts if a["kind"] == kind]


def alerts_of(datagrams):
    """The JSON alerts of syslog datagrams ("... cloison[PID]: CLOISON_ALERT {json}")."""
    out = []
    for d in datagrams:
        m = re.match(r"^<(\d+)>\w{3} [ \d]\d \d\d:\d\d:\d\d cloison\[\d+\]: CLOISON_ALERT (\{.*\})$", d)
        check(m is not None, f"a syslog datagram of the RFC 3164 form: {d[:200]!r}")
        if m:
            out.append(json.loads(m.group(2)))
    return out


def make_certificates(t):
    openssl = lambda *args: subprocess.run(["openssl", *args], capture_output=True, check=True)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=cloison daemon test CA", "-keyout", f"{t}/ca.key", "-out", f"{t}/ca.pem")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", f"{t}/server.key", "-out", f"{t}/server.csr")
    with open(f"{t}/san.ext", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{t}/server.csr", "-CA", f"{t}/ca.pem", "-CAkey", f"{t}/ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", f"{t}/san.ext", "-out", f"{t}/server.pem")


def silent_ssh_host(t):
    """A listener on 127.0.0.2 that accepts and never speaks, and the inventory lines of a host
    read over SSH there: its observation waits until its deadline."""
    listener = socket.socket()
    listener.bind(("127.0.0.2", 0))
    listener.listen(16)
    accepted = []
    threading.Thread(target=lambda: [accepted.append(listener.accept()) for _ in iter(int, 1)],
                     daemon=True).start()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{t}/id"], check=True)
    lines = f"""hosts:
  - name: repo-silent
    address: 127.0.0.2
    roles: [repository]
    access: ssh
    ssh: {{user: audit, port: {listener.getsockname()[1]}, key_file: {t}/id, trust_on_first_use: true}}
"""
    return listener, lines


def main():
    t = tempfile.mkdtemp(prefix="cloison-daemon-test.")
    state = f"{t}/state"
    inventory = f"{t}/cloison.yaml"
    metrics_port, webhook_port = free_port(), free_port()
    make_certificates(t)
    token = f"{t}/token"
    fd = os.open(token, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"s3cret-token-of-the-test\n")
    os.close(fd)
    notify = Datagrams(f"{t}/notify")
    syslog = Datagrams(f"{t}/log")
    receiver = Receiver(webhook_port, f"{t}/server.pem", f"{t}/server.key")
    receiver.start()
    recent = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400))
    inv = lambda drill, extra="": write_inventory(inventory, drill, metrics_port, webhook_port, token,
                                                  f"{t}/ca.pem", f"{t}/log", extra)
    inv(recent, "hosts: []\n")
    env = dict(os.environ, NOTIFY_SOCKET=f"{t}/notify", WATCHDOG_USEC="1000000", TZ="UTC")
    args = ["--config", inventory, "--state-dir", state]
    base = f"http://127.0.0.1:{metrics_port}"

    d = Daemon(args, env)
    try:
        # 1. readiness, watchdog, one daemon per state folder
        check(notify.wait_for("READY=1", 10), "the daemon notifies READY=1")
        check(notify.wait_for("WATCHDOG=1", 3), "the daemon pings the watchdog (WATCHDOG_USEC=1 s)")
        check(d.wait_for("cloison daemon started", 0, 10), "the daemon logs its start")
        second = subprocess.run([CLOISON, "daemon", *args], capture_output=True, text=True, timeout=10)
        check(second.returncode == 3 and "used by another daemon" in second.stderr,
              f"a second daemon on the same state folder refuses to start (3): {second.returncode} {second.stderr[-300:]}")
        check(call("GET", f"{base}/healthz")[0] == 200, "/healthz answers 200")

        # 2. an audit on SIGUSR1, recorded and measured
        first = d.audit(lambda: d.signal(signal.SIGUSR1))
        check(first == 1, f"SIGUSR1 runs an audit, recorded as run 1: {first}")
        check(run_ids(state) == [1], f"cloison history list shows run 1: {history(state, 'list').stdout}")
        status, m = metrics(metrics_port)
        check(status == 200 and m.get(("cloison_runs_total", ())) == 1,
              f"/metrics parses (Prometheus' parser) and counts 1 run: {status} {m.get(('cloison_runs_total', ()))}")
        states = {k: v for k, v in m.items() if k[0] == "cloison_objective_state"}
        objectives = {dict(k[1])["objective"] for k in states}
        check("D2.03.B" in objectives and sum(states.values()) == len(objectives),
              f"/metrics: exactly one state set per objective: {states}")
        check(not alerts_of(syslog.drain(1)), "a first run without failure raises no alert")

        # 3. drift: one alert per channel, once
        inv("2020-01-01", "hosts: []\n")
        since = d.mark()
        d.signal(signal.SIGHUP)
        check(d.wait_for("configuration reloaded", since, 10), "SIGHUP reloads the inventory")
        check(notify.wait_for("RELOADING=1", 5), "the reload is notified (RELOADING=1)")
        answer = []
        run = d.audit(lambda: answer.append(call("POST", f"{base}/run")))
        check(answer[0][0] == 202, f"POST /run starts an audit (202): {answer[0]}; the daemon's log: {d.lines[-8:]}")
        check(run == 2, f"POST /run's audit is run 2: {run}")
        sent = alerts_of(syslog.drain(3))
        new = [a for a in sent if a["kind"] == "new_failure"]
        check(len(new) == 1 and new[0]["check"] == "isolation-drill-recent" and not new[0]["resolution"],
              f"syslog: exactly one new_failure, naming isolation-drill-recent: {sent}")
        check(any(a["kind"] == "objective_changed" and a["objective"] == "D2.03.B" for a in sent),
              f"syslog: D2.03.B's change of verdict: {sent}")
        posted, auth = receiver.alerts(5)
        check([a["id"] for a in posted if a["kind"] == "new_failure"] == [new[0]["id"] if new else None],
              f"webhook: the same one new_failure: {posted}")
        check(auth == {"Bearer s3cret-token-of-the-test"}, f"webhook: the bearer token of token_file: {auth}")
        check(d.audit(lambda: d.signal(signal.SIGUSR1)) == 3, "run 3")
        page = open(re.search(r"^report: (.*)/report\.json$", history(state, "show", "3").stdout, re.M).group(1)
                    + "/report.html").read()
        check(len(re.findall(r'<polyline data-objective="D2\.03\.B"[^>]* points="((?:[\d.]+,[\d.]+ ?){3})"', page)) == 2,
              "run 3's report.html draws D2.03.B's score over the three runs (once per language)")
        check(not alerts_of(syslog.drain(2)) and not receiver.alerts(2)[0],
              "an identical run raises no alert again (once per change)")

        # 4. a broken configuration is refused, the old one keeps running
        inv("2020-01-01", "hosts: []\nbogus_key: 1\n")
        since = d.mark()
        d.signal(signal.SIGHUP)
        refused = d.wait_for("new configuration is refused", since, 10)
        located = d.wait_for(re.escape(inventory) + r":\d+:\d+: .*bogus_key", since, 1)
        check(refused and located, f"a broken inventory is refused, its problem located: {d.lines[since:]}")
        check(d.audit(lambda: d.signal(signal.SIGUSR1)) == 4, "the old configuration still audits (run 4)")
        check(not alerts_of(syslog.drain(2)), "and its run raises no alert (nothing changed)")

        # 5. the receiver down: queued, delivered when back
        receiver.stop()
        inv(recent, "hosts: []\n")
        since = d.mark()
        d.signal(signal.SIGHUP)
        d.wait_for("configuration reloaded", since, 10)
        check(d.audit(lambda: d.signal(signal.SIGUSR1)) == 5, "run 5")
        sent = alerts_of(syslog.drain(3))
        check([a["check"] for a in sent if a["kind"] == "failure_resolved"] == ["isolation-drill-recent"],
              f"syslog: one failure_resolved for isolation-drill-recent: {sent}")
        queued = metrics(metrics_port)[1].get(("cloison_alerts_queued", ()))
        check(queued and queued >= 1, f"the receiver down, the alerts are queued: {queued}")
        receiver.start()
        posted, _ = receiver.alerts(15)
        check([a["check"] for a in posted if a["kind"] == "failure_resolved"] == ["isolation-drill-recent"],
              f"the receiver back, the queued resolution is delivered: {posted}")
        time.sleep(0.5)
        check(metrics(metrics_port)[1].get(("cloison_alerts_queued", ())) == 0, "and the queue is empty")

        # 5b. stopped between a run and its alerts: they are sent at the next start
        inv("2020-01-01", "hosts: []\n")
        since = d.mark()
        d.signal(signal.SIGHUP)
        d.wait_for("configuration reloaded", since, 10)
        check(d.audit(lambda: d.signal(signal.SIGUSR1)) == 6, "run 6, the drill stale again")
        check([a["check"] for a in of_kind(alerts_of(syslog.drain(3)), "new_failure")] == ["isolation-drill-recent"],
              "run 6: its new_failure alert")
        receiver.alerts(3)
        d.signal(signal.SIGTERM)
        d.process.wait(timeout=10)
        db = sqlite3.connect(f"{state}/history.db")
        with db:
            db.execute("UPDATE runs SET alerted = 0 WHERE id = 6")  # as if killed before alerting
        db.close()
        d = Daemon(args, env)
        check(d.wait_for("run 6: its alerts were not sent", 0, 10) is not None, "the next start sees run 6 not alerted")
        check([a["check"] for a in of_kind(alerts_of(syslog.drain(3)), "new_failure")] == ["isolation-drill-recent"],
              "and sends its alerts then (at least once)")
        receiver.alerts(3)
        d.signal(signal.SIGTERM)
        d.process.wait(timeout=10)
        d = Daemon(args, env)
        d.wait_for("cloison daemon started", 0, 10)
        check(d.wait_for("alerts were not sent", 0, 1) is None and not alerts_of(syslog.drain(2)),
              "once sent, they are not sent again at the following start")

        # 6. a long audit: overlap, SIGTERM, kill -9
        listener, host_lines = silent_ssh_host(t)
        inv(recent, host_lines)
        since = d.mark()
        d.signal(signal.SIGHUP)
        d.wait_for("configuration reloaded", since, 10)
        since = d.mark()
        d.signal(signal.SIGUSR1)
        d.wait_for("audit started", since, 5)
        time.sleep(0.5)
        d.signal(signal.SIGUSR1)
        check(d.wait_for("while one is running: not started", since, 5),
              "a request while an audit runs is logged, not started")
        check(metrics(metrics_port)[1].get(("cloison_runs_skipped_total", ())) == 1, "and counted in /metrics")
        begin = time.monotonic()
        d.signal(signal.SIGTERM)
        code = d.process.wait(timeout=10)
        took = time.monotonic() - begin
        check(took <= 5 and code == 0, f"SIGTERM during an audit stops the daemon within 5 s ({took:.1f} s, status {code})")
        check(any("abandoned" in line for line in d.lines[since:]), "the abandoned audit is logged")
        check(run_ids(state) == [6, 5, 4, 3, 2, 1], f"nothing of the abandoned audit is recorded: {run_ids(state)}")

        d = Daemon(args, env)
        check(d.wait_for("cloison daemon started", 0, 10), "the daemon starts again")
        check(d.wait_for(r"removing .*\.partial", 0, 1) is not None and not glob.glob(f"{state}/runs/*.partial"),
              "the abandoned audit's .partial folder is removed at start")
        d.signal(signal.SIGUSR1)
        d.wait_for("audit started", 0, 5)
        time.sleep(1)
        d.process.kill()
        d.process.wait()
        check(run_ids(state) == [6, 5, 4, 3, 2, 1], f"kill -9 during an audit: the history is intact: {run_ids(state)}")
        listener.close()

        # 7. kill -9 at random moments
        inv(recent, "hosts: []\n")
        rng = random.Random(7)
        for round_ in range(6):
            d = Daemon(args, env)
            d.wait_for("cloison daemon started", 0, 10)
            d.signal(signal.SIGUSR1)
            time.sleep(rng.uniform(0, 0.4))
            d.process.kill()
            d.process.wait()
            ids = run_ids(state)
            db = sqlite3.connect(f"file:{state}/history.db?mode=ro", uri=True)
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            db.close()
            reports = [history(state, "show", str(i)).stdout for i in (ids or [])]
            complete = all(os.path.isfile(re.search(r"^report: (.*)$", r, re.M).group(1)) for r in reports
                           if re.search(r"^report: ", r, re.M))
            check(ids is not None and ids[-6:] == [6, 5, 4, 3, 2, 1] and integrity == "ok" and complete,
                  f"kill -9 (round {round_ + 1}): history readable, integrity {integrity}, reports complete: {ids}")

        # 8. a damaged history is moved aside
        with open(f"{state}/history.db", "wb") as f:
            f.write(b"this is not an SQLite database\n" * 100)
        for leftover in glob.glob(f"{state}/history.db-*"):
            os.remove(leftover)
        d = Daemon(args, env)
        aside = d.wait_for(r"moved aside to .*history\.db\.damaged-", 0, 10)
        check(aside and glob.glob(f"{state}/history.db.damaged-*"), f"a damaged history.db is moved aside: {d.lines[:5]}")
        check(d.wait_for("cloison daemon started", 0, 10) and run_ids(state) == [], "and a new history is started")
        d.signal(signal.SIGTERM)
        check(d.process.wait(timeout=10) == 0 and notify.wait_for("STOPPING=1", 3),
              "SIGTERM, idle: status 0, STOPPING=1 notified")

        # 9. recovery at start: the run folders of the set-aside history are left as they are; a
        # complete folder not recorded (killed between its rename and its record) is recorded; a
        # scheduled time missed while stopped runs once at start; the inventory's retention
        folders = [n for n in os.listdir(f"{state}/runs") if re.fullmatch(r"\d{8}T\d{6}Z(-\d+)?", n)]
        d = Daemon(args, env)
        left = d.wait_for(r"run folders in .* are not in the history, left as they are", 0, 10)
        d.wait_for("cloison daemon started", 0, 10)
        first = d.audit(lambda: d.signal(signal.SIGUSR1))
        check(len(folders) >= 6 and left is not None and int(left.split()[0]) == len(folders)
              and all(os.path.isdir(f"{state}/runs/{n}") for n in folders),
              f"the {len(folders)} run folders of the set-aside history are left as they are: {left}")
        d.signal(signal.SIGTERM)
        d.process.wait(timeout=10)
        folder = re.search(r"^report: (.*)/report\.json$", history(state, "show", "1").stdout, re.M).group(1)
        copy = re.sub(r"-\d+$", "", folder) + "-9"  # a valid run folder name, sorting after it
        subprocess.run(["cp", "-a", folder, copy], check=True)
        d = Daemon(args, env)
        recorded = d.wait_for(r"is complete but was not recorded .*: recorded as run (\d+)", 0, 10)
        check(first == 1 and recorded is not None and recorded.startswith(copy)
              and run_ids(state) == [2, 1] and d.wait_for("run 2: its alerts were not sent", 0, 5),
              f"a complete run folder not recorded is recorded at start, its alerts sent: {recorded} {run_ids(state)}")
        d.signal(signal.SIGTERM)
        d.process.wait(timeout=10)
        inv(recent, 'hosts: []\nschedule: "0 0 1 1 *"\nretention: {runs: 2, days: 0}\n')
        db = sqlite3.connect(f"{state}/history.db")
        with db:
            db.execute("UPDATE runs SET started_at = '2020-06-01T00:00:00Z' WHERE id = 2")
        db.close()
        d = Daemon(args, env)
        missed = d.wait_for(r"the audit scheduled at .* did not run", 0, 10)
        check(missed is not None and "2021-01-01" in missed,
              f"the schedule missed since the last run (2021-01-01 00:00) runs once at start: {missed}")
        check(d.wait_for(r"^audit finished: run 3", 0, 30) and d.wait_for("run 1 of .* removed", 0, 10),
              "its audit is run 3, and the retention (runs: 2) removes run 1")
        check(run_ids(state) == [3, 2] and not os.path.exists(folder) and os.path.isdir(copy),
              f"the history keeps runs 3 and 2, run 1's folder is removed: {run_ids(state)}")
        check(d.wait_for(r"did not run", d.mark(), 2) is None, "one catch-up only")
        d.signal(signal.SIGTERM)
        d.process.wait(timeout=10)

        # 10. the history commands: baseline pin, baseline, list, diff (the previous run, the
        # baseline, two runs); a run that does not exist is a usage error
        none = history(state, "baseline")
        check(none.returncode == 2 and "no baseline pinned" in none.stderr, f"no baseline yet: {none.returncode} {none.stderr}")
        pin = history(state, "baseline", "pin", "2")
        check(pin.returncode == 0 and "Baseline pinned: run 2" in pin.stdout, f"baseline pin 2: {pin.returncode} {pin.stdout}{pin.stderr}")
        shown = history(state, "baseline")
        check(shown.returncode == 0 and re.search(r"^report: .*-9/report\.json$", shown.stdout, re.M),
              f"baseline shows run 2: {shown.stdout}")
        check(re.search(r"^2\*\t", history(state, "list").stdout, re.M), "list marks the baseline with *")
        previous = history(state, "diff")
        check(previous.returncode in (0, 1) and previous.stdout.startswith("From run 2 (the pinned baseline) to 3:\n"),
              f"diff: the newest run against the one before, named the baseline since it is: {previous.stdout[:80]!r}")
        baseline = history(state, "diff", "--baseline")
        check(baseline.returncode in (0, 1)
              and baseline.stdout.startswith("From run 2 (the pinned baseline) to 3:\n")
              and "previous" not in baseline.stdout,
              f"diff --baseline names the baseline, not the previous audit: {baseline.stdout[:120]!r}")
        two = history(state, "diff", "3", "2")
        check(two.returncode in (0, 1) and two.stdout.startswith("From run 3 to 2:\n"), f"diff 3 2: {two.stdout[:80]!r}")
        missing = history(state, "baseline", "pin", "99")
        check(missing.returncode == 2 and "99" in missing.stderr and re.search(r"^2\*\t", history(state, "list").stdout, re.M),
              f"pinning a run that does not exist is refused, the pin unchanged: {missing.returncode} {missing.stderr}")
    finally:
        d.stop()
        try:
            receiver.stop()
        except Exception:
            pass
        subprocess.run(["rm", "-rf", t])
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
