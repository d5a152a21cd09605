"""What the Python lab tests share: TAP-like "ok - " / "FAIL - " lines, the lab driver, the final
"N passed, M failed" line and exit status, and the root requirement (77 = skipped)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LAB = os.path.join(HERE, "lab")
INVENTORY = os.path.join(HERE, "inventory.yaml")
STATE = os.environ.get("CLOISON_LAB_STATE", "/run/cloison-lab")
_results = {"passed": 0, "failed": 0}


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
