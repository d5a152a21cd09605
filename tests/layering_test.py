#!/usr/bin/env python3
"""The layering of the sources (docs/ARCHITECTURE.md), checked on their `#include "..."` lines.

Every .h/.c/.cpp file under core/, probes/ and agent/ may include, among the project's own
headers, only those of the folders its layer may use:

  core/                 core/ only: the estate model depends on nothing else of the project
  probes/               core/ and probes/; a probe family folder (probes/<family>/) never
                        includes another family's folder (probes/transport/ and the files at the
                        root of probes/, the interface and its registry, are shared)
  probes/transport/     core/, probes/transport/ and the root of probes/: no family
  agent/engine/         core/ and agent/engine/: pure, no I/O
  agent/config/         core/, probes/, agent/engine/, agent/config/
  agent/report/         core/, agent/engine/, agent/report/
  agent/evidence/       core/, agent/engine/, agent/config/, agent/report/, agent/evidence/
  agent/history/        core/, agent/engine/, agent/report/, agent/history/
  agent/session/        core/, probes/, agent/ except agent/daemon/ and agent/cli/
  agent/daemon/         core/, probes/, agent/ except agent/cli/
  agent/cli/            anything

Nothing in core/ or probes/ includes agent/. An include is the project's own when its first
component is a folder of the project's root (includes are rooted there: "core/inventory.h").
Prints every include that breaks a rule, with its file and line, and exits 1 when there is one;
exits 0 otherwise. Usage: layering_test.py [ROOT]
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCES = ("core", "probes", "agent")
AGENT_FOLDERS = ("engine", "config", "report", "history", "evidence", "session", "daemon", "cli")

# What each agent folder may include, besides itself.
AGENT_MAY_USE = {
    "engine": ("core/",),
    "config": ("core/", "probes/", "agent/engine/"),
    "report": ("core/", "agent/engine/"),
    "evidence": ("core/", "agent/engine/", "agent/config/", "agent/report/"),
    "history": ("core/", "agent/engine/", "agent/report/"),
    "session": ("core/", "probes/", "agent/engine/", "agent/config/", "agent/report/",
                "agent/history/", "agent/evidence/"),
    "daemon": ("core/", "probes/", "agent/engine/", "agent/config/", "agent/report/",
               "agent/history/", "agent/evidence/", "agent/session/"),
    "cli": ("core/", "probes/", "agent/"),
}


def probe_folder(path):
    """The folder of probes/ a path lies in ("host", "transport"...), or "" at the root."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "probes" else ""


def problem(source, included):
    """Why `source` (a path from the root) may not include `included`, or None when it may."""
    top = source.split("/")[0]
    if top == "core":
        return None if included.startswith("core/") else "core/ includes only core/"
    if top == "probes":
        if not included.startswith(("core/", "probes/")):
            return "probes/ includes only core/ and probes/"
        mine, theirs = probe_folder(source), probe_folder(included)
        if not included.startswith("probes/") or theirs in ("", mine):
            return None
        if mine == "":
            return None  # the interface and the registry name every family
        if mine == "transport":
            return "probes/transport/ includes no probe family"
        if theirs != "transport":
            return f"probe family {mine}/ includes another family's folder ({theirs}/)"
        return None
    folder = source.split("/")[1] if len(source.split("/")) > 2 else ""
    if folder not in AGENT_FOLDERS:
        return f"agent/ holds its sources in one of {', '.join(AGENT_FOLDERS)}"
    allowed = AGENT_MAY_USE[folder] + (f"agent/{folder}/",)
    if included.startswith(allowed):
        return None
    return f"agent/{folder}/ includes only {', '.join(allowed)}"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    folders = {p.name for p in root.iterdir() if p.is_dir()}
    broken = 0
    checked = 0
    for top in SOURCES:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in (".h", ".c", ".cpp") or not path.is_file():
                continue
            source = path.relative_to(root).as_posix()
            checked += 1
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match or match.group(1).split("/")[0] not in folders:
                    continue
                why = problem(source, match.group(1))
                if why:
                    print(f'{source}:{number}: #include "{match.group(1)}": {why}')
                    broken += 1
    if checked == 0:
        print(f"no source found under {root}")
        return 1
    print(f"{checked} files checked, {broken} include(s) breaking the layering")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
