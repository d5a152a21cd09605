#!/usr/bin/env python3
"""Lab test of secrets (label `lab`): a full audit of the lab from lab-admin (every probe, verbose
logs, the signed bundle, report.html) and `cloison collect` on lab-backup and lab-repo write none of
the lab's secrets: the directories' bind and admin passwords, a passphrase-protected SSH key and its
passphrase, the agent's signing key, and an sssd.conf bind password (ldap_default_authtok) planted on
lab-backup. Every output is searched: stdout, stderr, each file of the report folders, every entry of
the bundle (decompressed) and the collected-evidence files.
Usage: secrets_test.py CLOISON_BINARY   (the lab must be up; run as root)"""
import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
import tarfile
import tempfile

from labcheck import LAB, STATE, check, finish, inventory_with, lab, require_root

CLOISON = os.path.abspath(sys.argv[1])
require_root("secrets_test")
CACHE = os.environ.get("CLOISON_LAB_CACHE", "/var/cache/cloison-lab")
WORK = tempfile.mkdtemp(prefix="cloison-secrets-")
AUTHTOK = "authtok-" + secrets.token_urlsafe(18)
PASSPHRASE = "passphrase-" + secrets.token_urlsafe(18)
SSSD_CONF = os.path.join(STATE, "hosts/backup/etc/sssd/sssd.conf")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def write_secret(name, text):
    path = os.path.join(WORK, name)
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(text)
    return path


def private_key_lines(pem):
    """The base64 lines of a PEM or OpenSSH private key: any one of them leaking is a leak."""
    return [line for line in pem.splitlines() if len(line) >= 16 and not line.startswith("-----")]


def passphrase_protected_key():
    """A copy of the lab's audit key, encrypted with PASSPHRASE (it signs in as the same account)."""
    key = os.path.join(WORK, "audit_ed25519")
    shutil.copyfile(os.path.join(STATE, "audit_ed25519"), key)
    os.chmod(key, 0o600)
    subprocess.run(["ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", key], check=True,
                   stdout=subprocess.DEVNULL)
    return key


def inventory(key, passphrase_file):
    """The lab inventory with lab-backup reached with the encrypted key and its passphrase file."""
    return inventory_with("      user: cloison-audit\n      key_file: /run/cloison-lab/audit_ed25519\n",
                          f"      user: cloison-audit\n      key_file: {key}\n"
                          f"      passphrase_file: {passphrase_file}\n", WORK)


def run(host, *args):
    p = subprocess.run([LAB, "exec", host, "--", CLOISON, *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


def outputs(texts, folders):
    """Every byte cloison wrote: the captured streams, each file of `folders`, and each entry of
    each bundle found there, decompressed."""
    found = {f"stream {i}": t.encode() for i, t in enumerate(texts)}
    for folder in folders:
        for path in glob.glob(os.path.join(folder, "**"), recursive=True):
            if not os.path.isfile(path):
                continue
            found[path] = read(path, "rb")
            if path.endswith((".tar.gz", ".tar")):
                with tarfile.open(path) as bundle:
                    for member in bundle.getmembers():
                        if member.isfile():
                            found[f"{path}:{member.name}"] = bundle.extractfile(member).read()
    return found


os.chmod(WORK, 0o700)
lab("scenario", "on", "backup-joined-prod")
try:
    with open(SSSD_CONF, "a") as f:
        f.write(f"ldap_default_authtok_type = password\nldap_default_authtok = {AUTHTOK}\n")
    key = passphrase_protected_key()
    passphrase_file = write_secret("secret-passphrase", PASSPHRASE + "\n")
    signing_key = os.path.join(WORK, "secret-agent.pem")
    out = os.path.join(WORK, "audit")

    code, audit_log = run("admin", "audit", "--config", inventory(key, passphrase_file), "--out", out, "--verbose",
                          "--bundle", os.path.join(out, "evidence.tar.gz"), "--key-file", signing_key, "--lang", "en")
    check(code in (0, 1, 4), f"the full audit ran (exit {code})")
    report = json.loads(read(os.path.join(out, "report.json")))
    outcomes = {(o["probe"], o["target"]): o["outcome"] for o in report["observations"]}
    check(outcomes.get(("host", "lab-backup")) == "ok",
          f"lab-backup was read with the passphrase-protected key ({outcomes.get(('host', 'lab-backup'))})")
    check(any(e["id"].startswith("host/lab-backup/") and "sssd.conf" in e["source"] and "ldap_default_authtok"
              in e["excerpt"] for e in report["evidence"]), "the audit read lab-backup's planted sssd.conf")
    check(outcomes.get(("directory", "prod-lab")) == "ok" and outcomes.get(("directory", "backup-lab")) == "ok",
          "both directories were bound with their passwords and read")

    collected = [os.path.join(WORK, "collected", n) for n in ("lab-backup.json", "lab-repo.json")]
    os.makedirs(os.path.dirname(collected[0]))
    code_backup, collect_backup_log = run("backup", "collect", "--local", "--host", "lab-backup", "--key-file",
                                          signing_key, "--out", collected[0], "--lang", "en")
    code_repo, collect_repo_log = run("repo", "collect", "--local", "--host", "lab-repo", "--key-file", signing_key,
                                      "--out", collected[1], "--lang", "en")
    check(code_backup == 0 and code_repo == 0, f"collect ran on lab-backup and lab-repo (exits {code_backup}, {code_repo})")
    check("ldap_default_authtok" in read(collected[0]),
          "lab-backup's collected evidence holds its sssd.conf (the line is kept, its value hidden)")

    secret_values = {"sssd ldap_default_authtok": AUTHTOK, "SSH key passphrase": PASSPHRASE}
    for name in ("prod-admin", "backup-admin", "prod-ldap", "backup-ldap"):
        secret_values[f"{name} password"] = read(os.path.join(STATE, f"{name}.password")).strip()
    bk_admin = os.path.join(CACHE, "secrets", "bk-admin.password")
    if os.path.exists(bk_admin):
        secret_values["bk-admin password"] = read(bk_admin).strip()
    for label, path in (("audit SSH key", os.path.join(STATE, "audit_ed25519")), ("encrypted SSH key", key),
                        ("agent signing key", signing_key)):
        for i, line in enumerate(private_key_lines(read(path))):
            secret_values[f"{label}, line {i + 1}"] = line
    check(all(len(v) >= 12 for v in secret_values.values()), f"{len(secret_values)} secrets to look for")

    written = outputs([audit_log, collect_backup_log, collect_repo_log], [out, os.path.dirname(collected[0])])
    check(len(written) > 20 and any(":evidence/" in n for n in written),
          f"{len(written)} outputs searched, the bundle's evidence entries among them")
    leaks = [f"{label} in {where}" for where, data in written.items() for label, value in secret_values.items()
             if value.encode() in data]
    check(not leaks, "no secret in any log line, report, evidence file, bundle entry or collected file"
          + ("" if not leaks else ": " + "; ".join(leaks[:10])))
finally:
    lab("scenario", "off", "backup-joined-prod")
    shutil.rmtree(WORK, ignore_errors=True)
finish()
