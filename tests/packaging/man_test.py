#!/usr/bin/env python3
"""The man pages and the bash completion say what the built cloison does.

Usage: man_test.py CLOISON [SOURCE_DIR]   (SOURCE_DIR: default, the tree holding this file)

Runs `CLOISON help` and `CLOISON help SUBCOMMAND` (LC_ALL=C: English) and checks:
1. packaging/man/cloison.1 has a subsection (.SS) for every subcommand, names it in its SYNOPSIS,
   and documents in that subsection every option the help lists (long and short, written with
   roff's escaped hyphen, e.g. \\-\\-key\\-file), the global options in GLOBAL OPTIONS, every
   default value the help states, and exactly the exit codes of the help's "Exit codes:" footer
   (a sentence starting a line, or following another sentence of the footer: daemon's signals);
   ENVIRONMENT names CLOISON_KEY_FILE, LC_ALL, LC_MESSAGES, LANG and TZ; no roff line of either
   page writes an option with unescaped hyphens.
2. packaging/bash-completion/cloison (sourced in bash) offers exactly the subcommands (plus
   `help`) and, for each subcommand, exactly its options; after an option whose values the help
   lists ({fr,en}, {text,json}) it offers exactly those values. `bash -n` accepts the file.
3. packaging/man/cloison.yaml.5 names in bold every key agent/config/inventory_loader.cpp and
   agent/config/waivers_loader.cpp accept (their expect_map lists).
4. `MANWIDTH=80 man --warnings -l PAGE` (MAN_KEEP_FORMATTING unset, output to a pipe) exits 0 with
   nothing on stderr for both pages, renders NAME, and no line wider than 80 columns; and, when
   groff is installed, `groff -ww -man -z PAGE` prints nothing.
Prints one line per problem and `N passed, M failed`; exits 1 on any problem.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

if len(sys.argv) < 2:
    sys.exit("usage: man_test.py CLOISON [SOURCE_DIR]")
CLOISON = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", ".."))
MAN1 = os.path.join(ROOT, "packaging", "man", "cloison.1")
MAN5 = os.path.join(ROOT, "packaging", "man", "cloison.yaml.5")
COMPLETION = os.path.join(ROOT, "packaging", "bash-completion", "cloison")
WIDTH = 80

failures = []
passed = 0


def check(ok, what):
    global passed
    if ok:
        passed += 1
    else:
        failures.append(what)
        print(f"FAIL - {what}")


def english_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k not in ("LANG", "LANGUAGE")}
    env["LC_ALL"] = "C"
    return env


def run(argv, env=None, input_text=None):
    return subprocess.run(argv, capture_output=True, text=True, env=env or english_env(), input=input_text)


def cloison_help(*words):
    r = run([CLOISON, "help", *words])
    if r.returncode != 0:
        sys.exit(f"FAIL - cloison help {' '.join(words)} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


# ---- What the built cloison says -------------------------------------------------------------

OPTION_LINE = re.compile(r"^  (-[\w-]+(?:,-[\w-]+)*)(.*)$")


def section_lines(text, title):
    """The lines of a help section ("Options:", "Subcommands:") up to the next blank line."""
    lines, inside = [], False
    for line in text.splitlines():
        if inside and not line.strip():
            break
        if inside:
            lines.append(line)
        if line.strip() == title:
            inside = True
    return lines


def parse_options(text):
    """[(names, rest of the line and its continuation)] of the help's Options section."""
    options = []
    for line in section_lines(text, "Options:"):
        m = OPTION_LINE.match(line)
        if m:
            options.append((m.group(1).split(","), m.group(2)))
        elif options:
            options[-1] = (options[-1][0], options[-1][1] + " " + line.strip())
    return options


def exit_codes(text):
    """The codes of the help's "Exit codes:" sentence, which starts a line of the footer or follows
    another sentence of it ("Signals: ... SIGTERM stops. Exit codes: 0 stopped, ...")."""
    footer = re.findall(r"(?:^|(?<=\. ))(Exit codes:.*)$", text, re.M)
    if len(footer) != 1:
        return None
    return set(re.findall(r"(?<![\w.:-])([0-9])(?=\s)", footer[0]))


def defaults_of(description):
    """Literal default values the help states: "(default 60)", "(default: $X, else /a/b)", "fr (default)"."""
    values = []
    for m in re.finditer(r"\(default:? ([^)]*)\)", description):
        values += [t for t in re.findall(r"[\w./$-]+", m.group(1)) if re.search(r"[\d/$]|\w-\w", t)]
    values += [m.group(1) + " (default)" for m in re.finditer(r"(\w+) \(default\)", description)]
    return values


def choices_of(description):
    m = re.search(r":\{([^}]*)\}", description)
    return m.group(1).split(",") if m else []


top = cloison_help()
subcommands = [line.split()[0] for line in section_lines(top, "Subcommands:") if line.startswith("  ") and line.split()]
check(len(subcommands) >= 9, f"cloison help lists the subcommands (found {subcommands})")
global_options = parse_options(top)
helps = {s: cloison_help(s) for s in subcommands}

# ---- cloison.1 -------------------------------------------------------------------------------


def roff(text):
    """How a literal (an option, a subcommand name) is written in the page: every '-' as '\\-'."""
    return text.replace("-", "\\-")


def roff_word(text):
    """A regex matching the roff form of `text` not followed by more of a name."""
    return re.compile(re.escape(roff(text)) + r"(?![A-Za-z0-9_]|\\-[A-Za-z0-9])")


def plain(text):
    """Roff source as readable text, for values: escapes and font changes removed."""
    text = re.sub(r"\\f[BIRP]", "", text)
    for escape, char in (("\\-", "-"), ("\\(dq", '"'), ("\\(aq", "'"), ("\\&", ""), ("\\e", "\\")):
        text = text.replace(escape, char)
    lines = []
    for line in text.splitlines():
        if line.startswith('.\\"'):
            continue
        if line.startswith("."):
            parts = line.split(None, 1)
            line = parts[1].replace('"', "") if len(parts) > 1 else ""
            if parts[0] in (".BR", ".RB", ".IR", ".RI", ".BI", ".IB"):
                line = line.replace(" ", "")  # alternating fonts: the words are glued
        lines.append(line)
    return "\n".join(lines)


def roff_sections(source, macro):
    """{title: body} of the .SH or .SS sections of a roff source."""
    sections, title, body = {}, None, []
    for line in source.splitlines():
        if line.startswith(".SH ") or line.startswith(".SS "):
            if title is not None:
                sections.setdefault(title, "\n".join(body))
            title, body = (line[4:].strip().strip('"') if line.startswith(macro + " ") else None), []
        elif title is not None:
            body.append(line)
    if title is not None:
        sections.setdefault(title, "\n".join(body))
    return sections


man1 = open(MAN1, encoding="utf-8").read()
man1_sh = roff_sections(man1, ".SH")
man1_ss = roff_sections(man1, ".SS")
ss_by_name = {title.split()[0]: body for title, body in man1_ss.items()}

synopsis = man1_sh.get("SYNOPSIS", "")
for s in subcommands:
    check(re.search(r"^\.B cloison " + re.escape(roff(s)) + r"(?![\w\\])", synopsis, re.M) is not None,
          f"cloison.1 SYNOPSIS: has 'cloison {s}'")
    body = ss_by_name.get(roff(s))
    check(body is not None, f"cloison.1: a subsection .SS {roff(s)}")
    if body is None:
        continue
    text = plain(body)
    for names, description in parse_options(helps[s]):
        for name in names:
            check(roff_word(name).search(body) is not None, f"cloison.1 section {s}: documents {roff(name)}")
        for value in defaults_of(description):
            check(value in text, f"cloison.1 section {s}: {names[-1]} states the default '{value}'")
    for positional in re.findall(r"^  ([A-Z]+) TEXT", helps[s], re.M):
        check(re.search(r"^\.IR? " + positional + r"\b", body, re.M) is not None,
              f"cloison.1 section {s}: documents the argument {positional}")
    codes = exit_codes(helps[s])
    check(codes is not None, f"cloison help {s}: one 'Exit codes:' footer")
    m = re.search(r"^Exit codes:(.*?)(?=^\.(?:PP|SS|SH|TP)\b|\Z)", body, re.M | re.S)
    check(m is not None, f"cloison.1 section {s}: an 'Exit codes:' paragraph")
    if codes is not None and m:
        documented = set(re.findall(r"(?<![\w.:-])([0-9])(?=\s)", plain(m.group(1)) + " "))
        check(documented == codes, f"cloison.1 section {s}: exit codes {sorted(documented)} are the help's {sorted(codes)}")

global_section = man1_sh.get("GLOBAL OPTIONS", "")
for names, _ in global_options:
    for name in names:
        check(roff_word(name).search(global_section) is not None, f"cloison.1 GLOBAL OPTIONS: documents {roff(name)}")

environment = man1_sh.get("ENVIRONMENT", "")
for variable in ("CLOISON_KEY_FILE", "LC_ALL", "LC_MESSAGES", "LANG", "TZ"):
    check(re.search(r"\b" + variable + r"\b", environment) is not None, f"cloison.1 ENVIRONMENT: names {variable}")
for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "FILES", "EXIT STATUS", "SEE ALSO"):
    check(section in man1_sh, f"cloison.1: a section {section}")
for page, source in (("cloison.1", man1), ("cloison.yaml.5", open(MAN5, encoding="utf-8").read())):
    # An option is written \-\-name: a bare "-" before a letter, not inside a word, is a slip.
    bare = [f"{page}:{number}: {line.strip()}" for number, line in enumerate(source.splitlines(), 1)
            if not line.startswith('.\\"') and re.search(r"(?<![\\\w])--?[A-Za-z]", line)]
    check(not bare, "options written with escaped hyphens (\\-); not: " + "; ".join(bare))

# ---- the bash completion ---------------------------------------------------------------------

r = run(["bash", "-n", COMPLETION])
check(r.returncode == 0, f"bash -n {COMPLETION}: {r.stderr.strip()}")


def complete(*words):
    """What the completion offers for `words` (the last one being completed)."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    script = (f"source '{COMPLETION}' || exit 3\n"
              f"COMP_WORDS=({quoted}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
              "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}\n"
              "COMPREPLY=(); _cloison; printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = run(["bash", "--norc", "--noprofile", "-c", script])
    if r.returncode != 0:
        check(False, f"completion of {' '.join(words)!r} ran: {r.stderr.strip()}")
    return {line for line in r.stdout.splitlines() if line}


offered = complete("cloison", "")
check(offered == set(subcommands) | {"help"},
      f"completion: subcommands {sorted(offered)} are the help's {sorted(subcommands)} and help")
offered = complete("cloison", "-")
wanted = {n for names, _ in global_options for n in names}
check(offered == wanted, f"completion: global options {sorted(offered)} are the help's {sorted(wanted)}")
for s in subcommands:
    wanted = {n for names, _ in parse_options(helps[s]) for n in names}
    offered = complete("cloison", s, "-")
    check(offered == wanted, f"completion of 'cloison {s} -': {sorted(offered)} are the help's {sorted(wanted)}")
    for names, description in parse_options(helps[s]):
        if choices_of(description):
            offered = complete("cloison", s, names[-1], "")
            check(offered == set(choices_of(description)),
                  f"completion of 'cloison {s} {names[-1]}': {sorted(offered)} are the help's {choices_of(description)}")
check(complete("cloison", "help", "--lang", "") == {"fr", "en"}, "completion of 'cloison help --lang': fr, en")
check(complete("cloison", "help", "") == set(subcommands), "completion of 'cloison help': the subcommands")
with tempfile.TemporaryDirectory() as folder:
    probe = os.path.join(folder, "inventory-for-completion.yaml")
    open(probe, "w").close()
    check(complete("cloison", "audit", "--config", probe[:-5]) == {probe}, "completion of 'cloison audit --config': files")
    check(complete("cloison", "validate", probe[:-5]) == {probe}, "completion of 'cloison validate': files")

# ---- cloison.yaml.5 --------------------------------------------------------------------------

man5 = open(MAN5, encoding="utf-8").read()
keys = set()
for loader in ("inventory_loader.cpp", "waivers_loader.cpp"):
    source = open(os.path.join(ROOT, "agent", "config", loader), encoding="utf-8").read()
    for m in re.finditer(r"expect_map\([^;]*?\{([^{}]*)\}", source, re.S):
        keys |= set(re.findall(r'"([a-z_]+)"', m.group(1)))
check(len(keys) > 40, f"the loaders' keys are found ({len(keys)})")
for key in sorted(keys):
    # In bold where it is described: ".B key", ".BR key ...", or "{key: " in a .BI line.
    k = re.escape(roff(key))
    bold = r'^\.BR?\s+"?' + k + r'(?![\w\\])|^\.BI\s.*[{ ]' + k + ":"
    check(re.search(bold, man5, re.M) is not None, f"cloison.yaml.5: documents the key {key} (in bold)")

# ---- both pages render without a warning -----------------------------------------------------

man = shutil.which("man")
check(man is not None, "man is installed (package man-db)")
groff = shutil.which("groff")
for page in (MAN1, MAN5):
    name = os.path.basename(page)
    if man:
        env = english_env()
        env.pop("MAN_KEEP_FORMATTING", None)
        env["MANWIDTH"] = str(WIDTH)
        r = run([man, "--warnings", "-l", page], env=env)
        check(r.returncode == 0, f"man -l {name} exits 0 (got {r.returncode})")
        check(r.stderr.strip() == "", f"man --warnings -l {name} prints nothing on stderr: {r.stderr.strip()}")
        check(re.search(r"^NAME$", r.stdout, re.M) is not None, f"man -l {name} renders a NAME section")
        wide = [f"{number}: {line.strip()}" for number, line in enumerate(r.stdout.splitlines(), 1) if len(line) > WIDTH]
        check(not wide, f"man -l {name}: no rendered line wider than {WIDTH} columns; wider: " + "; ".join(wide))
    if groff:
        r = run([groff, "-ww", "-man", "-z", page])
        check(r.returncode == 0 and r.stdout + r.stderr == "",
              f"groff -ww -man -z {name}: {(r.stdout + r.stderr).strip()} (exit {r.returncode})")

print(f"{passed} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
