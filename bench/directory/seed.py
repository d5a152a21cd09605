#!/usr/bin/env python3
"""Writes the LDIF of a large directory for the ADS benchmark, under OU=Bench of BASE.
Usage: seed.py BASE first   OU, users bench-u0..u4999, computers bench-c0..c4999$, groups
                            bench-g0..g4999 (g0..g9: 2,000 users each; the others 5 users; every
                            group also holds its ten children bench-g<10g..10g+9>: a nesting tree)
       seed.py BASE more    users bench-u5000..u19999
Users are disabled and carry no password (userAccountControl 546) so that Samba derives no keys:
loading stays fast; the searches and the checks see them as they see any account."""
import sys

base, mode = sys.argv[1], sys.argv[2]
ou = f"OU=Bench,{base}"
out = sys.stdout.write


def users(lo, hi):
    for n in range(lo, hi):
        out(f"dn: CN=bench-u{n},{ou}\nobjectClass: user\nsAMAccountName: bench-u{n}\n"
            "userAccountControl: 546\n\n")


if mode == "first":
    out(f"dn: {ou}\nobjectClass: organizationalUnit\n\n")
    users(0, 5000)
    for n in range(5000):
        out(f"dn: CN=bench-c{n},{ou}\nobjectClass: computer\nsAMAccountName: bench-c{n}$\n"
            f"userAccountControl: 4096\ndNSHostName: bench-c{n}.backup.lab\n\n")
    for g in reversed(range(5000)):  # children (higher numbers) exist before their parent
        out(f"dn: CN=bench-g{g},{ou}\nobjectClass: group\nsAMAccountName: bench-g{g}\n")
        members = range(g * 300, g * 300 + 2000) if g < 10 else ((g * 5 + k) % 5000 for k in range(5))
        for m in members:
            out(f"member: CN=bench-u{m},{ou}\n")
        for c in range(10 * g, 10 * g + 10):
            if c != g and 0 < c < 5000:
                out(f"member: CN=bench-g{c},{ou}\n")
        out("\n")
else:
    users(5000, 20000)
