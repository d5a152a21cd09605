#!/usr/bin/env python3
"""The isolation recipe of docs/isolation-deadman.nft on lab-router, as the docs give it: loaded,
it cuts nothing; an isolated network is cut both ways (IPv4 and IPv6, new and open sessions),
except the flow declared to stay open; `nft flush set` restores; and an element left in place
expires by itself (the dead-man: nobody restores, the site comes back).
Usage (root, lab up): deadman_test.py"""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from labcheck import check, finish, require_root  # noqa: E402

require_root("deadman_test")
RECIPE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "isolation-deadman.nft")
TABLE = ("inet", "cloison_isolation")
# (namespace, address, port): what the lab's matrix lets through when nothing is isolated
BACKUP_SOFTWARE = ("lab-admin", "198.18.2.10", 9392)
REPO = ("lab-admin", "198.18.2.20", 9392)
OVER_IPV6 = ("lab-admin", "fd00:2::10", 9392)
BACKUP_TO_DC = ("lab-backup", "198.18.5.10", 389)  # from the isolated network outwards
STAYS_OPEN = ("lab-admin", "198.18.2.10", 22)  # the recipe's flow that stays open
CUT = [BACKUP_SOFTWARE, REPO, OVER_IPV6, BACKUP_TO_DC]
# From the isolated network over IPv6 (the matrix drops it anyway: only the counter tells).
FROM_OVER_IPV6 = ("lab-backup", "fd00:3::10", 22)
DROPS = ["isolated: to", "isolated: from", "isolated: to (IPv6)", "isolated: from (IPv6)"]


def nft(*args):
    return subprocess.run(["ip", "netns", "exec", "lab-router", "nft", *args],
                          capture_output=True, text=True)


def isolate(timeout):
    for name, net in (("isolated", "198.18.2.0/24"), ("isolated6", "fd00:2::/64")):
        r = nft("add", "element", *TABLE, name, "{ %s timeout %s }" % (net, timeout))
        assert r.returncode == 0, r.stderr


def connects(flow):
    namespace, address, port = flow
    probe = ("import socket, sys\n"
             "try:\n    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()\n"
             "except OSError:\n    sys.exit(1)\n")
    return subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", probe, address,
                           str(port)]).returncode == 0


def drop_counts():
    """Packets counted by each drop rule of the recipe's chain, by comment."""
    listed = json.loads(nft("-j", "list", "chain", *TABLE, "forward").stdout)
    counts = {}
    for item in listed["nftables"]:
        rule = item.get("rule")
        if rule and rule.get("comment") in DROPS:
            counts[rule["comment"]] = next(e["counter"]["packets"] for e in rule["expr"] if "counter" in e)
    return counts


def state():
    return {flow: connects(flow) for flow in CUT + [STAYS_OPEN]}


def open_session(flow):
    """A TCP session of `flow`, opened now inside its namespace; the connected socket, handed over
    through a socket pair (SCM_RIGHTS)."""
    namespace, address, port = flow
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    code = ("import array, socket, sys\n"
            "s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)\n"
            "u = socket.socket(fileno=int(sys.argv[3]))\n"
            "u.sendmsg([b'x'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [s.fileno()]))])\n")
    subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", code, address, str(port),
                    str(right.fileno())], pass_fds=[right.fileno()], check=True)
    _, fds, _, _ = socket.recv_fds(left, 1, 1)
    left.close()
    right.close()
    return socket.socket(fileno=fds[0])


# An LDAPv3 anonymous simple bind (message 1): a DC answers it with a bindResponse.
ANONYMOUS_BIND = bytes.fromhex("300c020101600702010304008000")


def ldap_answers(s):
    """True when the DC answers a bind on the open session within 2 s."""
    try:
        s.settimeout(2)
        s.sendall(ANONYMOUS_BIND)
        return s.recv(64).startswith(b"\x30")
    except OSError:  # timeout (dropped), reset or closed
        return False


try:
    r = subprocess.run(["ip", "netns", "exec", "lab-router", "nft", "-f", RECIPE], capture_output=True, text=True)
    check(r.returncode == 0, f"the recipe loads on lab-router ({r.stderr.strip() or 'nft -f'})")
    before = state()
    check(all(before.values()), f"loaded, it cuts nothing: every flow of the matrix connects ({before})")

    session = open_session(BACKUP_TO_DC)
    check(ldap_answers(session), "an LDAP session from the backup server to its DC answers")
    isolate("10m")
    during = state()
    check(not any(during[f] for f in CUT),
          f"isolated: every flow to and from 198.18.2.0/24 and fd00:2::/64 is cut ({during})")
    check(during[STAYS_OPEN], "isolated: the flow declared to stay open (admin -> backup server, SSH) connects")
    connects(FROM_OVER_IPV6)
    counts = drop_counts()
    check(sorted(counts) == sorted(DROPS) and all(counts.values()),
          f"isolated: each of the four drop rules (to, from, over IPv4 and IPv6) stopped packets ({counts})")
    check(not ldap_answers(session), "isolated: that session, opened before the isolation, gets no answer")
    session.close()
    for name in ("isolated", "isolated6"):
        nft("flush", "set", *TABLE, name)
    after = state()
    check(all(after.values()), f"`nft flush set` restores every flow ({after})")

    isolate("5s")
    started = time.monotonic()
    check(not connects(BACKUP_SOFTWARE), "isolated again, with a 5 s timeout and nobody to restore")
    while not connects(BACKUP_SOFTWARE) and time.monotonic() - started < 20:
        time.sleep(0.5)
    back = time.monotonic() - started
    check(4 <= back < 20 and all(state().values()),
          f"dead-man: the kernel removed the elements and every flow is back after {back:.1f} s")
finally:
    nft("delete", "table", *TABLE)
finish()
