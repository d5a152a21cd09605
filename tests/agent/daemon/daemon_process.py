"""A `cloison daemon` process run with --log-format json, its log messages read in the background:
what tests/agent/daemon/daemon_test.py and tests/lab/daemon_test.py drive."""
import json
import re
import subprocess
import threading
import time


class DaemonProcess:
    """One daemon process (`argv`: the whole command line) and its JSON log messages."""

    def __init__(self, argv, env=None):
        self.process = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, env=env)
        self.lines = []
        self.ended = False
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stderr:
            with self.cond:
                try:
                    self.lines.append(json.loads(line)["message"])
                except (ValueError, KeyError):
                    self.lines.append(line.strip())
                self.cond.notify_all()
        with self.cond:
            self.ended = True  # the daemon closed its stderr: it has ended
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait_for(self, pattern, since=0, seconds=30):
        """The first log message from line `since` on that matches `pattern`, or None."""
        deadline = time.monotonic() + seconds
        with self.cond:
            while True:
                for line in self.lines[since:]:
                    if re.search(pattern, line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self.ended:
                    return None
                self.cond.wait(min(left, 0.5))

    def audit(self, trigger, seconds=30):
        """Runs an audit (`trigger` sends the request) and returns its run number, or None."""
        since = self.mark()
        trigger()
        line = self.wait_for(r"^audit finished: run (\d+)", since, seconds)
        return int(re.search(r"run (\d+)", line).group(1)) if line else None

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
