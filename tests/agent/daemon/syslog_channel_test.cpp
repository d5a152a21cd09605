// The syslog channel against a real unix datagram socket bound in a temporary folder: the
// datagrams' format (syslog(3)'s, facility daemon, tag cloison) and their JSON payload.
#include "agent/daemon/syslog_channel.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <regex>

#include "tests/support.h"

namespace cloison {
namespace {

using ::testing::HasSubstr;
using testing::temp_dir;

alert sample(alert_kind kind, alert_severity severity) {
  alert a;
  a.kind = kind;
  a.id = std::string(to_string(kind)) + ":ssh-root-login:repo01";
  a.severity = severity;
  a.check = "ssh-root-login";
  a.target = "repo01";
  a.message = {"Nouvelle non-conformité : é", "New failure"};
  a.run_id = 12;
  a.run_started_at = "2026-11-07T02:30:00Z";
  return a;
}

// A datagram socket bound at `path`, as journald's /dev/log is.
class receiver {
 public:
  explicit receiver(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_DGRAM, 0)) {
    sockaddr_un at{};
    at.sun_family = AF_UNIX;
    std::strncpy(at.sun_path, path.c_str(), sizeof at.sun_path - 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at), 0) << std::strerror(errno);
    const timeval two_seconds{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof two_seconds);
  }
  ~receiver() { ::close(fd_); }
  std::string next() const {
    char buffer[65536];
    const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    return n < 0 ? "" : std::string(buffer, static_cast<std::size_t>(n));
  }

 private:
  int fd_;
};

TEST(SyslogChannel, SendsOneDatagramPerAlertInTheFormOfSyslog3) {
  temp_dir dir;
  const auto path = (dir.path() / "log").string();
  receiver log(path);
  const auto high = sample(alert_kind::new_failure, alert_severity::high);
  const auto info = sample(alert_kind::failure_resolved, alert_severity::info);
  const auto r = send_to_syslog({high, info}, path);
  EXPECT_EQ(r.sent, 2u);
  EXPECT_EQ(r.error, "");

  const std::regex form(
      R"(<(\d+)>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 1-3]\d \d\d:\d\d:\d\d )"
      R"(cloison\[(\d+)\]: CLOISON_ALERT (\{.*\}))");
  std::smatch m;
  const auto first = log.next();
  ASSERT_TRUE(std::regex_match(first, m, form)) << first;
  EXPECT_EQ(m[1], "27");  // daemon (3) × 8 + err (3)
  EXPECT_EQ(m[3], std::to_string(::getpid()));
  EXPECT_EQ(json::parse(m[4].str()), to_json(high));
  EXPECT_EQ(first.find('\n'), std::string::npos);

  const auto second = log.next();
  ASSERT_TRUE(std::regex_match(second, m, form)) << second;
  EXPECT_EQ(m[1], "30");  // daemon × 8 + info (6)
  EXPECT_EQ(json::parse(m[4].str())["kind"], "failure_resolved");
}

TEST(SyslogChannel, SeveritiesMapToSyslogLevels) {
  EXPECT_EQ(syslog_priority(sample(alert_kind::host_key_changed, alert_severity::critical)), 26);
  EXPECT_EQ(syslog_priority(sample(alert_kind::new_failure, alert_severity::medium)), 28);
  EXPECT_EQ(syslog_priority(sample(alert_kind::new_failure, alert_severity::low)), 29);
}

TEST(SyslogChannel, NoSocketIsAnErrorNotAnException) {
  temp_dir dir;
  const auto path = (dir.path() / "absent").string();
  const auto r = send_to_syslog({sample(alert_kind::run_failed, alert_severity::high)}, path);
  EXPECT_EQ(r.sent, 0u);
  EXPECT_THAT(r.error, HasSubstr(path));
  EXPECT_THAT(r.error, HasSubstr("No such file or directory"));
  EXPECT_THAT(
      send_to_syslog({sample(alert_kind::run_failed, alert_severity::high)}, std::string(200, 'x'))
          .error,
      HasSubstr("not a usable socket path"));
}

}  // namespace
}  // namespace cloison
