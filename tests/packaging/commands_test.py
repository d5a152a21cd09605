#!/usr/bin/env python3
"""packaging/commands is the one list of external commands: checks that it is true and complete.

1. Every row names a command (or file) that is on this machine and that the named Debian package
   installs (dpkg's own file lists, with the /bin = /usr/bin merge and alternatives followed), so
   install-deps installs what the scripts need.
2. Every command that the Makefile, tests/ and bench/ name by absolute path (/usr/sbin/sshd, the
   #! line of a script, ...) is listed: those calls do not go through PATH.
Calls through PATH are checked by running: `make test` and `make demo` run the suite and the lab
with a PATH that holds only the listed commands (packaging/preflight --path-dir), so a command
missing from the list fails there with "command not found".
Prints one line per problem and `N passed, M failed`; exits 1 on any problem.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
TABLE = os.path.join(ROOT, "packaging", "commands")
SYSTEM_DIRS = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
# A command named by absolute path: /bin/X, /sbin/X, /usr/bin/X, /usr/sbin/X, /usr/lib/openssh/X.
ABSOLUTE = re.compile(r"(?<![\w./-])(/(?:usr/)?s?bin/[\w.+-]+|/usr/lib/[\w./+-]+/[\w.+-]+)")

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL - {what}")


def read_table():
    rows = []
    with open(TABLE, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            fields = line.split("#", 1)[0].split()
            if not fields:
                continue
            check(len(fields) == 3, f"{TABLE}:{number}: a row is NAME PACKAGE GROUP, got {line.strip()!r}")
            if len(fields) == 3:
                rows.append((number, *fields))
    return rows


def dpkg_owners():
    """Every path that an installed package ships -> its packages (from /var/lib/dpkg/info/*.list)."""
    owners = {}
    for listing in glob.glob("/var/lib/dpkg/info/*.list"):
        package = os.path.basename(listing)[: -len(".list")].split(":")[0]
        with open(listing, encoding="utf-8", errors="replace") as f:
            for path in f:
                owners.setdefault(path.rstrip("\n"), set()).add(package)
    return owners


def aliases(path):
    """The names a file has on a merged-/usr Debian 12: /bin/x is /usr/bin/x."""
    names = {path}
    for short, long in (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/"), ("/lib/", "/usr/lib/")):
        if path.startswith(short):
            names.add(long + path[len(short):])
        if path.startswith(long):
            names.add(short + path[len(long):])
    return names


def depends(package):
    """The packages that an installed package depends on (a metapackage such as python3 names them)."""
    out = subprocess.run(["dpkg-query", "-W", "-f=${Pre-Depends},${Depends}", package], capture_output=True, text=True).stdout
    return {alternative.split()[0].split(":")[0] for group in out.split(",") for alternative in group.split("|")
            if alternative.strip()}


def packages_of(path, owners):
    """Packages that install `path`, following symlinks (alternatives) one link at a time."""
    found, seen = set(), set()
    while path and path not in seen:
        seen.add(path)
        for name in aliases(path):
            found |= owners.get(name, set())
        if not os.path.islink(path):
            break
        path = os.path.join(os.path.dirname(path), os.readlink(path))
        path = os.path.normpath(path)
    return found


def resolve(name):
    if name.startswith("/"):
        return name if os.path.exists(name) else None
    for d in SYSTEM_DIRS:
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def scripts():
    """The files whose commands the list must hold: the Makefile, .ci, packaging, tests, bench (not
    their Markdown and man pages, which run nothing, nor the fixtures and fuzz regression inputs,
    which are audited hosts' outputs, nor the systemd units, which run the installed
    cloison on the machine the package is installed on). C++
    sources are left out: their absolute paths are fixtures of audited hosts' files; the commands
    the unit tests run are checked by running them under the listed PATH."""
    tracked = subprocess.run(["git", "-C", ROOT, "ls-files", "Makefile", ".ci", "packaging", "tests", "bench"],
                             check=True, capture_output=True, text=True).stdout.split()
    for rel in tracked:
        if rel.startswith(("tests/data/", "tests/fuzz/regressions/", "tests/packaging/", "packaging/systemd/")) \
                or rel == "packaging/commands" \
                or rel.endswith((".cpp", ".h", ".md", ".1", ".5")):
            continue
        path = os.path.join(ROOT, rel)
        if os.path.isfile(path):
            yield rel, path


def main():
    rows = read_table()
    owners = dpkg_owners()
    listed = {}
    for number, name, package, group in rows:
        check(name not in listed, f"{TABLE}:{number}: {name} is listed twice (line {listed.get(name)})")
        listed[name] = number
        where = resolve(name)
        check(where is not None, f"{TABLE}:{number}: {name} is not on this machine (run packaging/install-deps)")
        if where:
            installed_by = packages_of(where, owners)
            check(package in installed_by or installed_by & depends(package),
                  f"{TABLE}:{number}: {where} is not installed by package {package} "
                  f"(dpkg says: {', '.join(sorted(installed_by)) or 'no package'})")

    basenames = {os.path.basename(n) for n in listed} | set(listed)
    for rel, path in scripts():
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if "NOPASSWD:" in line:
                    continue  # a sudoers rule for an audited host names what it may have, not what runs here
                for command in ABSOLUTE.findall(line):
                    check(command in listed or os.path.basename(command) in basenames,
                          f"{rel}:{number}: {command} is called by its path but packaging/commands does not list it")

    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
