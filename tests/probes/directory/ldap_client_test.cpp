#include "probes/directory/ldap_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "tests/support.h"

namespace cloison {
namespace {

using namespace std::chrono_literals;

// A plain TCP listener on 127.0.0.1 that keeps every byte a client sends (a stand-in for a
// hostile LDAP server without TLS).
class byte_listener {
 public:
  byte_listener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 4), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~byte_listener() {
    received();
    close(fd_);
  }
  unsigned port() const { return port_; }
  std::string received() {
    stop_ = true;
    if (thread_.joinable())
      thread_.join();
    return received_;
  }

 private:
  void serve() {
    const auto until = std::chrono::steady_clock::now() + 5s;
    int client = -1;
    while (!stop_ && std::chrono::steady_clock::now() < until) {
      pollfd p{client < 0 ? fd_ : client, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0)
        continue;
      if (client < 0) {
        client = accept(fd_, nullptr, nullptr);
        continue;
      }
      char buf[4096];
      const ssize_t n = read(client, buf, sizeof buf);
      if (n <= 0)
        break;
      received_.append(buf, static_cast<std::size_t>(n));
    }
    if (client >= 0)
      close(client);
  }
  int fd_ = -1;
  unsigned port_ = 0;
  std::atomic<bool> stop_{false};
  std::string received_;
  std::thread thread_;
};

// Issue 19, defect 1: libldap fails over along a list of URIs; "ldaps://A ldap://B" once sent
// the bind DN and password in clear to B while the transport was reported as ldaps.
TEST(LdapConnection, AListOfUrisIsRefusedBeforeAnyByteIsSent) {
  testing::temp_dir dir;
  byte_listener plain;
  directory d;
  d.name = "backup-ad";
  d.uri = "ldaps://127.0.0.1:1 ldap://127.0.0.1:" + std::to_string(plain.port());
  d.bind_dn = "cloison-ldap@backup.lab";
  d.password_file = dir.write("password", "s3cret-Passw0rd\n");
  ::chmod(d.password_file.c_str(), 0600);
  d.ca_file = dir.write("ca.pem", "");
  try {
    ldap_connection::open(d, std::chrono::steady_clock::now() + 3s);
    ADD_FAILURE() << "a list of URIs was accepted";
  } catch (const ldap_failure& e) {
    EXPECT_NE(std::string(e.what()).find("one ldap:// or ldaps:// URL"), std::string::npos)
        << e.what();
  }
  const auto got = plain.received();
  EXPECT_EQ(got.find("s3cret-Passw0rd"), std::string::npos) << "the password left in clear";
  EXPECT_EQ(got.find("cloison-ldap@backup.lab"), std::string::npos) << "the bind DN left in clear";
  EXPECT_TRUE(got.empty());
  for (const auto* uri : {"ldaps://a.lab,ldap://b.lab", "ldaps://a.lab\tldap://b.lab"}) {
    d.uri = uri;
    EXPECT_THROW(ldap_connection::open(d, std::chrono::steady_clock::now() + 3s), ldap_failure)
        << uri;
  }
}

}  // namespace
}  // namespace cloison
