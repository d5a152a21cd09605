#include "agent/daemon/syslog_channel.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace cloison {

namespace {

constexpr int kFacilityDaemon = 3;

// The time as syslog(3) writes it: "Nov  7 02:30:00" (local time, English month names).
std::string syslog_time(std::chrono::system_clock::time_point at) {
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  localtime_r(&t, &tm);
  char out[32];
  std::snprintf(out, sizeof out, "%s %2d %02d:%02d:%02d",
                kMonths[static_cast<std::size_t>(tm.tm_mon)], tm.tm_mday, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return out;
}

class socket_fd {
 public:
  explicit socket_fd(int fd) : fd_(fd) {}
  ~socket_fd() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

int syslog_priority(const alert& a) {
  int severity = 6;
  switch (a.severity) {
    case alert_severity::critical:
      severity = 2;
      break;
    case alert_severity::high:
      severity = 3;
      break;
    case alert_severity::medium:
      severity = 4;
      break;
    case alert_severity::low:
      severity = 5;
      break;
    case alert_severity::info:
      break;
  }
  return kFacilityDaemon * 8 + severity;
}

std::string syslog_datagram(const alert& a, std::chrono::system_clock::time_point at, int pid) {
  return "<" + std::to_string(syslog_priority(a)) + ">" + syslog_time(at) + " cloison[" +
         std::to_string(pid) + "]: CLOISON_ALERT " +
         to_json(a).dump(-1, ' ', false, json::error_handler_t::replace);
}

syslog_result send_to_syslog(const std::vector<alert>& alerts, const std::string& socket_path) {
  syslog_result r;
  if (alerts.empty())
    return r;
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof to.sun_path) {
    r.error = "syslog socket " + socket_path + ": not a usable socket path";
    return r;
  }
  std::memcpy(to.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const socket_fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    r.error = std::string("syslog: cannot create a socket: ") + std::strerror(errno);
    return r;
  }
  const timeval one_second{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &one_second, sizeof one_second);
  try {
    for (const auto& a : alerts) {
      const auto datagram = syslog_datagram(a, std::chrono::system_clock::now(), ::getpid());
      if (::sendto(fd.get(), datagram.data(), datagram.size(), MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        r.error = "syslog socket " + socket_path + ": " + std::strerror(errno);
        return r;
      }
      ++r.sent;
    }
  } catch (const std::exception& e) {  // memory exhaustion building a datagram
    r.error = std::string("syslog: ") + e.what();
  }
  return r;
}

}  // namespace cloison
