#!/usr/bin/python3
"""cloison lab: one small process listening on the backup software's TCP ports.

Usage: listener.py ADDR[,ADDR...] PORTSPEC...   (ADDR: IPv4 or IPv6; PORTSPEC = N or A-B)
Accepts connections, writes a one-line banner and closes. Runs until SIGTERM.
"""
import selectors
import signal
import socket
import sys


def ports(specs):
    for spec in specs:
        for part in spec.replace(",", " ").split():
            if "-" in part:
                a, b = part.split("-", 1)
                yield from range(int(a), int(b) + 1)
            else:
                yield int(part)


def main():
    addrs = sys.argv[1]
    sel = selectors.DefaultSelector()
    for addr, port in ((a, p) for a in addrs.split(",") for p in sorted(set(ports(sys.argv[2:])))):
        s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, port)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        for key, _ in sel.select():
            try:
                conn, _peer = key.fileobj.accept()
            except OSError:
                continue
            try:
                conn.setblocking(False)
                conn.send(b"cloison-lab backup-software port %d\r\n" % key.data)
            except OSError:
                pass
            conn.close()


if __name__ == "__main__":
    main()
