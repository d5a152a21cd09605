#!/usr/bin/env python3
"""Prints, last, the output of every test that failed in a ctest run (its --output-junit file), so
that the end of a long log (all CI keeps) says why, not only which.
Usage: failed-output.py JUNIT_XML [LINES]   (LINES: the last lines kept per test, 60 by default)"""
import sys
import xml.etree.ElementTree as ET

path = sys.argv[1]
keep = int(sys.argv[2]) if len(sys.argv) > 2 else 60
try:
    cases = ET.parse(path).getroot().iter("testcase")
except (OSError, ET.ParseError) as e:
    sys.exit(f"failed-output: cannot read {path}: {e}")
failed = [c for c in cases if c.get("status") == "fail"]
for c in failed:
    lines = (c.findtext("system-out") or "").rstrip().splitlines()
    print(f"\n===== {c.get('name')} failed ({c.get('time')} s)")
    checks = [line for line in lines if line.startswith("not ok")]
    if checks:  # the lab tests' failed checks, wherever they are in the output
        print("\n".join(checks[:keep]))
    print(f"----- its last {min(keep, len(lines))} lines:")
    print("\n".join(lines[-keep:]))
print(f"\n===== {len(failed)} failed: {' '.join(c.get('name') for c in failed)}")
