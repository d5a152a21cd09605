"""A realistic hospital estate's report.json, for the printout and first-page checks.

The estate of issue 20: two production segments, one backup segment with a Windows Veeam server
and a Linux repository, an administration segment, and production plus backup ADs declared by DNS
name. The check texts and the evidence are real: they come from `cloison audit --local` run on
this machine (every check of the built-in policy, with its title, rationale, remediation and
expectation in words, and the evidence of real commands). The estate then spreads them over its
targets with a fixed mix of verdicts (about one finding in five failing), and adds the
reachability matrix from two production vantage points: every port of the policy's profiles
(2 segments x 2 hosts x 815 ports), a few of them found open.
"""
import hashlib
import json
import os
import subprocess

PRODUCTION = [("prod-clinical", "198.18.10.0/24"), ("prod-office", "198.18.11.0/24")]
HOSTS = [("veeam01", "198.18.50.10", "windows", ["backup-server"]),
         ("repo01", "198.18.50.20", "linux", ["repository"])]
PORTS = [22, 135, 139, 443, 445, 3389, 5985, 5986, 9392, 9401, 9419, 10006, 6160, 6162] + \
    list(range(2500, 3301))
OPEN = {("prod-clinical", "veeam01"): {445, 3389, 9392} | set(range(2500, 2520)),
        ("prod-office", "repo01"): {22}}


def targets_of(check):
    if check.startswith(("host-", "reach-")):
        return [h[0] for h in HOSTS]
    if check.startswith(("ads-", "dir-")):
        return ["backup-ad"]
    return ["inventory"]


def verdict_of(check, target):
    """A fixed mix: 18% fail, 6% error, 2% waived, the rest pass."""
    n = int(hashlib.sha256(f"{check}@{target}".encode()).hexdigest()[:6], 16) % 100
    return "fail" if n < 18 else "error" if n < 24 else "waived" if n < 26 else "pass"


def build(cloison, workdir):
    local = os.path.join(workdir, "local")
    subprocess.run([cloison, "audit", "--local", "--out", local], capture_output=True, check=False)
    with open(os.path.join(local, "report.json"), encoding="utf-8") as f:
        base = json.load(f)
    evidence = [e for e in base["evidence"] if e["excerpt"]]
    findings, used = [], {}
    for i, template in enumerate(base["findings"]):
        for target in targets_of(template["check"]):
            f = dict(template, target=target, status=verdict_of(template["check"], target))
            f["waiver"] = None
            f["message"] = ""
            f.pop("explanation", None)
            f.pop("cause", None)
            if f["status"] == "error":
                f["message"] = f"fact could not be established on {target}: timeout"
                f["explanation"] = {"fr": f"le fait n'a pas pu être établi sur {target} : délai dépassé",
                                    "en": f["message"]}
                f["observed"] = None
            if f["status"] == "waived":
                f["waiver"] = {"check": f["check"], "target": target,
                               "justification": "Migration vers le nouveau dépôt en cours",
                               "owner": "RSSI", "expires": "2027-06-30",
                               "declared_in": "/etc/cloison/waivers.yaml", "expired": False}
            picked = evidence[i % len(evidence)]
            ref = dict(picked, id=f"{picked['id']}@{target}")
            used[ref["id"]] = ref
            f["evidence"] = [ref["id"]]
            findings.append(f)

    objectives = []
    for objective in ("D2.03.A", "D2.03.B", "ADS"):
        mine = [f for f in findings if f["objective"] == objective]
        counts = {s: sum(f["status"] == s for f in mine)
                  for s in ("pass", "fail", "error", "not_applicable", "waived", "not_evaluated")}
        judged = sum(f["weight"] for f in mine if f["status"] in ("pass", "fail", "error"))
        passed = sum(f["weight"] for f in mine if f["status"] == "pass")
        objectives.append({"id": objective, "status": "not_met",
                           "score": round(100 * passed / judged, 1), "counts": counts, "reasons": []})

    flows = []
    for segment, _ in PRODUCTION:
        for name, address, _, _ in HOSTS:
            for port in PORTS:
                is_open = port in OPEN.get((segment, name), set())
                flows.append({"from": segment, "to": name, "address": address, "port": port,
                              "protocol": "tcp", "verdict": "open" if is_open else "filtered",
                              "expected": "forbidden", "latency_ms": 0.4 if is_open else 1000.0,
                              "attempts": 1 if is_open else 2, "vantage": f"from-{segment}",
                              "method": "ssh-forward"})

    report = dict(base)
    report.update({
        "establishment": "Centre hospitalier de Saint-Exemple",
        "inventory": "/etc/cloison/cloison.yaml",
        "objectives": objectives,
        "ads": {"directory": "backup-ad", "estimated_level": 2, "level_proven": False,
                "not_evaluated": [f["check"] for f in findings if f["objective"] == "ADS"][:19],
                "in_error": [f["check"] for f in findings
                             if f["objective"] == "ADS" and f["status"] == "error"]},
        "findings": findings,
        "flows": flows,
        "observations": [{"probe": p, "target": t, "outcome": "ok", "detail": "", "elapsed_ms": 800}
                         for p in ("host", "reachability") for t, _, _, _ in HOSTS] +
                        [{"probe": "directory", "target": d, "outcome": "ok", "detail": "",
                          "elapsed_ms": 2400} for d in ("backup-ad", "prod-ad")],
        "evidence": list(used.values()),
        "topology": {
            "segments": [{"name": n, "role": "production", "cidrs": [c]} for n, c in PRODUCTION] +
                        [{"name": "backup", "role": "backup", "cidrs": ["198.18.50.0/24"]},
                         {"name": "administration", "role": "administration",
                          "cidrs": ["198.18.60.0/24"]}],
            "hosts": [{"name": n, "address": a, "segment": "backup", "roles": r, "os": o,
                       "access": "ssh"} for n, a, o, r in HOSTS],
            "directories": [{"name": "prod-ad", "role": "production",
                             "uri": "ldaps://ad.chu-exemple.fr", "segment": ""},
                            {"name": "backup-ad", "role": "backup",
                             "uri": "ldaps://dc01.vault.chu-exemple.fr", "segment": ""}],
            "vantage_points": [{"name": f"from-{n}", "segment": n, "via": "veeam01"}
                               for n, _ in PRODUCTION] +
                              [{"name": "agent", "segment": "administration", "via": "local"}],
            "flows": [{"from": "administration", "to": "backup", "protocol": "tcp",
                       "ports": ["22", "9392", "2500-3300"], "purpose": "administration"},
                      {"from": "backup", "to": "prod-clinical", "protocol": "tcp",
                       "ports": ["443", "902"], "purpose": "sauvegarde des VM"}],
            "vantage": "from-prod-clinical"},
    })
    path = os.path.join(workdir, "hospital.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(report, f)
    return path
