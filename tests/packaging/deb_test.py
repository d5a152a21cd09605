#!/usr/bin/env python3
"""The Debian package: built by CPack, accepted by lintian, installed, used, removed and purged here.

Usage: deb_test.py BUILD_DIR   (a configured and built tree: what `make package` packages)

1. `cpack -G DEB` builds cloison_VERSION_ARCH.deb from BUILD_DIR; lintian reports no error; its
   Depends are computed from the linked libraries (shlibdeps) plus adduser; /etc/cloison/cloison.yaml
   is its one conffile.
2. `dpkg -i` on this machine. Then: every file, owner and mode the package promises (binary,
   policies, default inventory root:cloison 0640 in /etc/cloison root:cloison 0750, state folder
   cloison:cloison 0750, units, man pages, completion, docs); the system user `cloison`; nothing
   enabled; the installed `cloison --version`; `cloison validate /etc/cloison/cloison.yaml` as the
   `cloison` user; `man -l` renders both pages; `systemd-analyze verify` accepts the three units
   offline and `systemd-analyze security --offline=true` rates each service's exposure at most 2.0;
   cloison-audit.service's own ExecStart, run as its user with its UMask, ends with one of its
   SuccessExitStatus codes and writes the report, the bundle and the agent key into the state
   folder; cloison.service's ExecStart (the daemon), run likewise, audits on SIGUSR1, records the
   run in its history and stops on SIGTERM with status 0. The default inventory declares no host,
   so these audits send nothing to the network.
3. The daemon and the timer are enabled as an administrator would (`systemctl --root=/ enable`);
   `dpkg -r` keeps the configuration and the state; `dpkg -P` removes them, their enablement and the
   stat
   overrides, and leaves no file of the package; the system user is kept (Debian's practice), then
   this test deletes it (unless it existed before).
dpkg, the maintainer scripts and lintian run with the system's PATH, as they do when an
administrator installs: dpkg refuses a PATH without /usr/sbin. Runs as root; refuses to run when a
cloison package is already installed; sets aside an existing /etc/cloison or /var/lib/cloison and
restores them at the end; purges its own package whatever happens.
Prints one line per problem and `N passed, M failed`; exits 1 on any problem.
"""
import glob
import grp
import json
import os
import queue
import pwd
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

if len(sys.argv) != 2:
    sys.exit("usage: deb_test.py BUILD_DIR")
BUILD = os.path.abspath(sys.argv[1])
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
SYSTEM_ENV = dict(os.environ, PATH=SYSTEM_PATH, DEBIAN_FRONTEND="noninteractive", LC_ALL="C")
UNITS = ["cloison.service", "cloison-audit.service", "cloison-audit.timer"]
SERVICES = ["cloison.service", "cloison-audit.service"]
TIMER_LINK = "/etc/systemd/system/timers.target.wants/cloison-audit.timer"
DAEMON_LINK = "/etc/systemd/system/multi-user.target.wants/cloison.service"
MAX_EXPOSURE = 2.0

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


def run(args, system=False, **kw):
    return subprocess.run(args, capture_output=True, text=True, env=SYSTEM_ENV if system else kw.pop("env", None), **kw)


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status}", "cloison"])
    return r.returncode == 0 and "installed" in r.stdout.split()[-1:]


def owner_mode(path):
    s = os.lstat(path)
    return pwd.getpwuid(s.st_uid).pw_name, grp.getgrgid(s.st_gid).gr_name, stat.S_IMODE(s.st_mode)


def check_path(path, owner, group, mode, kind=stat.S_ISREG):
    if not check(os.path.lexists(path), f"{path} is installed"):
        return
    got = owner_mode(path)
    check(kind(os.lstat(path).st_mode), f"{path} is of the expected type")
    check(got == (owner, group, mode), f"{path} is {owner}:{group} {mode:04o}, got {got[0]}:{got[1]} {got[2]:04o}")


def build_package(out):
    r = run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", out])
    debs = glob.glob(os.path.join(out, "cloison_*.deb"))
    check(r.returncode == 0 and len(debs) == 1, f"cpack builds one .deb (exit {r.returncode}): {r.stdout[-2000:]}{r.stderr[-2000:]}")
    return debs[0] if debs else None


def check_control(deb):
    control = run(["dpkg-deb", "--field", deb]).stdout
    depends = re.search(r"^Depends: (.*)$", control, re.M)
    depends = depends.group(1) if depends else ""
    for library in ["libssh-4", "libldap-2.5-0", "libarchive13", "libssl3", "libyaml-cpp0.7", "libspdlog1.10"]:
        check(re.search(rf"\b{re.escape(library)}\b", depends), f"Depends names {library} (shlibdeps): {depends}")
    check(re.search(r"\badduser\b", depends), f"Depends names adduser (postinst): {depends}")
    check(re.search(r"^Version: \d+\.\d+\.\d+$", control, re.M), "Version is the project's version")
    with tempfile.TemporaryDirectory() as d:
        run(["dpkg-deb", "--control", deb, d])
        conffiles = open(os.path.join(d, "conffiles")).read().split() if os.path.exists(os.path.join(d, "conffiles")) else []
    check(conffiles == ["/etc/cloison/cloison.yaml"], f"the one conffile is /etc/cloison/cloison.yaml, got {conffiles}")


def check_lintian(deb):
    r = run(["lintian", "--no-tag-display-limit", deb], system=True)
    errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
    check(not errors and r.returncode in (0, 1) and "error" not in r.stderr.lower(),
          f"lintian reports no error (exit {r.returncode}): {errors or r.stderr.strip()}")
    for line in r.stdout.splitlines():
        print(f"lintian: {line}")


def shipped_paths(deb):
    """The files and links the package ships (folders left out: they may be shared)."""
    paths = []
    for line in run(["dpkg-deb", "--contents", deb]).stdout.splitlines():
        fields = line.split(None, 5)
        if len(fields) == 6 and not fields[0].startswith("d"):
            paths.append(fields[5].split(" -> ")[0].lstrip("."))
    return paths


def check_installed(version):
    check_path("/usr/bin/cloison", "root", "root", 0o755)
    check(len(glob.glob("/usr/share/cloison/policies/*.yaml")) >= 1, "policies under /usr/share/cloison/policies")
    check_path("/etc/cloison", "root", "cloison", 0o750, stat.S_ISDIR)
    check_path("/etc/cloison/cloison.yaml", "root", "cloison", 0o640)
    check_path("/var/lib/cloison", "cloison", "cloison", 0o750, stat.S_ISDIR)
    for unit in UNITS:
        check_path(f"/lib/systemd/system/{unit}", "root", "root", 0o644)
    for page in ["man1/cloison.1.gz", "man5/cloison.yaml.5.gz"]:
        check_path(f"/usr/share/man/{page}", "root", "root", 0o644)
    check_path("/usr/share/bash-completion/completions/cloison", "root", "root", 0o644)
    for doc in ["copyright", "changelog.gz", "README.md", "deployment.md", "inventory.md"]:
        check_path(f"/usr/share/doc/cloison/{doc}", "root", "root", 0o644)

    try:
        user = pwd.getpwnam("cloison")
        check(user.pw_uid < 1000 and user.pw_dir == "/var/lib/cloison" and user.pw_shell.endswith("nologin"),
              f"cloison is a system user without a shell, at home in /var/lib/cloison: {user}")
    except KeyError:
        check(False, "postinst creates the user cloison")

    check(not os.path.lexists(TIMER_LINK) and not os.path.lexists(DAEMON_LINK), "postinst enables nothing")
    r = run(["/usr/bin/cloison", "--version"])
    check(r.returncode == 0 and version in r.stdout, f"the installed cloison --version says {version}: {r.stdout!r} {r.stderr!r}")
    as_cloison = ["/usr/bin/setpriv", "--reuid=cloison", "--regid=cloison", "--init-groups", "--reset-env"]
    r = run(as_cloison + ["/usr/bin/cloison", "validate", "/etc/cloison/cloison.yaml"])
    check(r.returncode == 0, f"the cloison user validates the default inventory: {r.stdout}{r.stderr}")

    for page in ["/usr/share/man/man1/cloison.1.gz", "/usr/share/man/man5/cloison.yaml.5.gz"]:
        r = run(["man", "--warnings", "-l", page], env=dict(os.environ, MANWIDTH="80"))
        check(r.returncode == 0 and "NAME" in r.stdout and not r.stderr.strip(), f"man -l {page} renders: {r.stderr.strip()}")

    units = [f"/lib/systemd/system/{u}" for u in UNITS]
    r = run(["systemd-analyze", "verify", "--man=no"] + units)
    check(r.returncode == 0 and not (r.stdout + r.stderr).strip(),
          f"systemd-analyze verify accepts the units: {r.stdout}{r.stderr}")
    for service in SERVICES:
        r = run(["systemd-analyze", "security", "--offline=true", "--no-pager", f"/lib/systemd/system/{service}"])
        exposure = re.search(rf"Overall exposure level for {re.escape(service)}: ([0-9.]+)", r.stdout)
        check(exposure and float(exposure.group(1)) <= MAX_EXPOSURE,
              f"systemd-analyze security rates {service} at most {MAX_EXPOSURE}: "
              f"{exposure.group(1) if exposure else r.stdout[-500:] + r.stderr}")
        if exposure:
            print(f"systemd-analyze security: {service} exposure {exposure.group(1)}")

    run_the_service(as_cloison, "/lib/systemd/system/cloison-audit.service")
    run_the_daemon(as_cloison, "/lib/systemd/system/cloison.service")


def unit_value(unit, key):
    with open(unit) as f:
        return [line.split("=", 1)[1].strip() for line in f if line.startswith(key + "=")]


def run_the_service(as_cloison, unit):
    """The service's ExecStart as its user would run it (without systemd's sandbox, absent here)."""
    exec_start = unit_value(unit, "ExecStart")
    success = {0} | {int(code) for value in unit_value(unit, "SuccessExitStatus") for code in value.split()}
    umask = int(unit_value(unit, "UMask")[0], 8)
    if not check(len(exec_start) == 1, f"{unit} has one ExecStart"):
        return
    os.umask(umask)
    r = run(as_cloison + exec_start[0].split(), cwd="/")
    os.umask(0o022)
    check(r.returncode in success, f"the service's command ends with one of {sorted(success)}, got {r.returncode}: {r.stderr[-1500:]}")
    # Reports and bundle are cloison's, readable by its group (0640); the signing key by cloison only.
    for path, others in [("/var/lib/cloison/report/report.json", 0o037), ("/var/lib/cloison/report/report.html", 0o037),
                         ("/var/lib/cloison/evidence.tar.gz", 0o037), ("/var/lib/cloison/agent-key.pem", 0o077)]:
        if check(os.path.isfile(path), f"the service wrote {path}"):
            user, group, mode = owner_mode(path)
            check(user == "cloison" and group == "cloison" and mode & others == 0,
                  f"{path} is cloison:cloison without mode bits {others:04o}: {user}:{group} {mode:04o}")


def run_the_daemon(as_cloison, unit):
    """The daemon's ExecStart as its user: an audit on SIGUSR1, recorded; SIGTERM stops it (0)."""
    exec_start = unit_value(unit, "ExecStart")
    if not check(len(exec_start) == 1, f"{unit} has one ExecStart"):
        return
    os.umask(int(unit_value(unit, "UMask")[0], 8))
    daemon = subprocess.Popen(as_cloison + exec_start[0].split(), cwd="/", stderr=subprocess.PIPE, text=True)
    os.umask(0o022)
    log = []
    try:
        if wait_for_log(daemon, log, "cloison daemon started"):
            daemon.send_signal(signal.SIGUSR1)
            check(wait_for_log(daemon, log, "audit finished"), f"the daemon audits on SIGUSR1: {log[-5:]}")
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=10)
        check(code == 0, f"the daemon stops on SIGTERM with status 0, got {code}: {log[-5:]}")
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
    r = run(as_cloison + ["/usr/bin/cloison", "history", "--state-dir", "/var/lib/cloison", "--lang", "en", "list"])
    check(r.returncode == 0 and re.search(r"^1\t", r.stdout, re.M), f"cloison history lists the daemon's run: {r.stdout}{r.stderr}")
    user, group, mode = owner_mode("/var/lib/cloison/history.db")
    check(user == "cloison" and mode & 0o037 == 0, f"history.db is cloison's, 0640 at most: {user}:{group} {mode:04o}")


def wait_for_log(process, log, text, timeout=60):
    """Reads the daemon's JSON log lines (into `log`) until one's message holds `text` (True), the
    daemon ends or `timeout` seconds pass (False)."""
    lines = queue.Queue()
    if not hasattr(process, "reader"):
        process.reader = threading.Thread(target=lambda: [lines.put(l) for l in process.stderr] + [lines.put(None)],
                                          daemon=True)
        process.lines = lines
        process.reader.start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = process.lines.get(timeout=left)
        except queue.Empty:
            return False
        if line is None:
            return False
        log.append(line.strip())
        try:
            if text in json.loads(line).get("message", ""):
                return True
        except ValueError:
            pass
    return False


def main():
    if os.geteuid() != 0:
        print("FAIL - this test installs a package: run it as root")
        return 1
    if installed():
        print("FAIL - a cloison package is already installed here; this test installs and purges its own: "
              "purge it first (dpkg -P cloison)")
        return 1
    saved = set_aside(["/etc/cloison", "/var/lib/cloison"])
    try:
        return test_package()
    finally:
        for path, aside in saved:
            os.rename(aside, path)
            print(f"restored {path}")


def set_aside(paths):
    """Folders this machine already has where the package installs: kept aside, then restored."""
    saved = []
    for path in paths:
        if os.path.lexists(path):
            aside = f"{path}.deb_test-{os.getpid()}"
            os.rename(path, aside)
            saved.append((path, aside))
            print(f"{path} existed before the test: kept as {aside} until the end")
    return saved


def test_package():
    user_existed = run(["getent", "passwd", "cloison"]).returncode == 0
    with tempfile.TemporaryDirectory() as out:
        deb = build_package(out)
        if not deb:
            return finish()
        version = run(["dpkg-deb", "--field", deb, "Version"]).stdout.strip()
        check_control(deb)
        check_lintian(deb)
        shipped = shipped_paths(deb)
        try:
            r = run(["dpkg", "-i", deb], system=True)
            if check(r.returncode == 0, f"dpkg -i installs the package: {r.stdout[-1500:]}{r.stderr[-1500:]}"):
                check_installed(version)
                r = run(["systemctl", "--root=/", "enable", "cloison-audit.timer", "cloison.service"], system=True)
                check(r.returncode == 0 and os.path.islink(TIMER_LINK) and os.path.islink(DAEMON_LINK),
                      f"the daemon and the timer can be enabled: {r.stderr}")
                r = run(["dpkg", "-r", "cloison"], system=True)
                check(r.returncode == 0, f"dpkg -r removes the package: {r.stderr}")
                check(not os.path.exists("/usr/bin/cloison"), "remove takes the binary away")
                check(os.path.isfile("/etc/cloison/cloison.yaml"), "remove keeps the configuration")
                check(os.path.isfile("/var/lib/cloison/report/report.json"), "remove keeps the state")
            r = run(["dpkg", "-P", "cloison"], system=True)
            check(r.returncode == 0, f"dpkg -P purges the package: {r.stderr}")
            left = [p for p in shipped + ["/etc/cloison", "/var/lib/cloison", TIMER_LINK, DAEMON_LINK]
                    if os.path.lexists(p)]
            check(not left, f"purge leaves nothing of the package: {left}")
            overrides = run(["dpkg-statoverride", "--list"], system=True).stdout
            check("/etc/cloison" not in overrides, f"purge removes the stat overrides: {overrides}")
            check(run(["getent", "passwd", "cloison"]).returncode == 0, "purge keeps the system user (Debian practice)")
        finally:
            if installed() or run(["dpkg-query", "-W", "cloison"]).returncode == 0:
                run(["dpkg", "-P", "cloison"], system=True)
            if not user_existed and run(["getent", "passwd", "cloison"]).returncode == 0:
                run(["deluser", "--system", "--quiet", "cloison"], system=True)
            if not user_existed and run(["getent", "group", "cloison"]).returncode == 0:
                run(["delgroup", "--system", "--quiet", "cloison"], system=True)
    return finish()


def finish():
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
