"""What the Python lab tests share: TAP-like "ok - " / "FAIL - " lines, the lab driver, the final
"N passed, M failed" line and exit status, and the root requirement (77 = skipped)."""
import atexit
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "lab")


def _dated_inventory():
    """tests/lab/inventory.yaml with isolation.last_drill 30 days before today, so that the drill
    check of the compliant lab holds whatever the date the tests run (a copy, removed at exit)."""
    with open(os.path.join(HERE, "inventory.yaml")) as f:
        text = f.read()
    drill = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    text, n = re.subn(r"^(  last_drill: )\d{4}-\d{2}-\d{2}$", rf"\g<1>{drill}", text, flags=re.M)
    assert n == 1, "tests/lab/inventory.yaml: no isolation.last_drill line"
    work = tempfile.mkdtemp(prefix="cloison-lab-inventory-")
    atexit.register(shutil.rmtree, work, True)
    os.chmod(work, 0o755)
    path = os.path.join(work, "inventory.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


INVENTORY = _dated_inventory()


def inventory_with(declared, replacement, folder):
    """INVENTORY with its text `declared` replaced, written as `folder`/inventory.yaml."""
    with open(INVENTORY) as f:
        text = f.read()
    assert declared in text, f"the lab inventory no longer holds {declared!r}"
    path = os.path.join(folder, "inventory.yaml")
    with open(path, "w") as f:
        f.write(text.replace(declared, replacement))
    return path
STATE = os.environ.get("CLOISON_LAB_STATE", "/run/cloison-lab")
_results = {"passed": 0, "failed": 0}


def pairs(report):
    """report.json's flows one per port: a range row (`port` to `port_last`) becomes one row per
    port (reports without `port_last` have one row per port already)."""
    return [dict(f, port=p, port_last=p) for f in report["flows"]
            for p in range(f["port"], f.get("port_last", f["port"]) + 1)]


def require_root(name):
    if os.geteuid() != 0:
        print(f"{name}: needs root (skipped)")
        sys.exit(77)


def check(ok, what):
    _results["passed" if ok else "failed"] += 1
    print(("ok - " if ok else "FAIL - ") + what, flush=True)
    return ok


def lab(*args):
    subprocess.run([LAB, *args], check=True, stdout=subprocess.DEVNULL)


def finish():
    print(f"{_results['passed']} passed, {_results['failed']} failed")
    sys.exit(1 if _results["failed"] else 0)


# make test runs the lab twice: under ASan and UBSan with CLOISON_LAB_SCOPE=paths (every code
# path of each test: the compliant lab, the error paths), then in the release build with every
# scenario (unset, or `all`).
EVERY_SCENARIO = os.environ.get("CLOISON_LAB_SCOPE", "all") != "paths"


def _left_to_the_full_run(skipped):
    print(f"# CLOISON_LAB_SCOPE=paths: left to the run with every scenario (the release phase of make test): {skipped}")


def stop_unless_every_scenario(skipped):
    """Ends the test here (finish()) when the scope is `paths`, saying which scenarios are left to
    the full run."""
    if not EVERY_SCENARIO:
        _left_to_the_full_run(skipped)
        finish()


def with_every_scenario(items, skipped):
    """`items` (scenarios to loop over), or none when the scope is `paths` (saying so)."""
    if EVERY_SCENARIO:
        return items
    _left_to_the_full_run(skipped)
    return ()
