// The syslog channel of the daemon's alerts: one datagram per alert to the local syslog socket
// (/dev/log: journald or rsyslog), in the format that socket expects, that of glibc's syslog(3)
// (RFC 3164 without the host name, which the receiver adds):
//
//   <PRI>Mmm dd hh:mm:ss cloison[PID]: CLOISON_ALERT {"kind":"new_failure",...}
//
// PRI is facility daemon (3) × 8 + the severity: critical → 2 (crit), high → 3 (err), medium → 4
// (warning), low → 5 (notice), info → 6 (info). The tag `cloison` becomes journald's
// SYSLOG_IDENTIFIER and rsyslog's programname; the message is the word CLOISON_ALERT, a space, and
// the alert's JSON (alerts.h to_json) on one line, so that `journalctl -t cloison` lists them and
// rsyslog's mmjsonparse (cookie "CLOISON_ALERT ") can parse them.
// RFC 5424 is not used: journald does not parse it on /dev/log (systemd issue 19251: the "1 " and
// ISO time would end up in the message and the identifier would be lost), and rsyslog's imuxsock
// only parses it with SysSock.UseSpecialParser off (rsyslog issue 437).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "agent/daemon/alerts.h"

namespace cloison {

// The syslog priority of `a`: facility daemon, severity from the alert's (see above).
int syslog_priority(const alert& a);

// The datagram sent for `a` at `at` (local time, as syslog(3) writes it) by process `pid`.
std::string syslog_datagram(const alert& a, std::chrono::system_clock::time_point at, int pid);

struct syslog_result {
  std::size_t sent = 0;  // alerts sent, in order
  std::string error;     // why the others were not; "" when all were
};

// Sends one datagram per alert to the unix datagram socket `socket_path`, stopping at the first
// failure (no socket there, not a datagram socket, a receiver that does not take the datagram
// within a second). Never throws. Thread-safe (a socket per call).
syslog_result send_to_syslog(const std::vector<alert>& alerts, const std::string& socket_path);

}  // namespace cloison
