#include "probes/transport/ssh_runner.h"
#include "probes/host/windows_commands.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "probes/transport/local_runner.h"

namespace cloison {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
namespace fs = std::filesystem;

// ---------------------------------------------------------------- shell_quote

TEST(ShellQuote, QuotesEveryArgument) {
  EXPECT_EQ(shell_quote({"id", "-un"}), "'id' '-un'");
  EXPECT_EQ(shell_quote({"a b"}), "'a b'");
  EXPECT_EQ(shell_quote({}), "");
}

TEST(ShellQuote, EmptyArgumentsStayArguments) {
  EXPECT_EQ(shell_quote({""}), "''");
  EXPECT_EQ(shell_quote({"", "x", ""}), "'' 'x' ''");
}

TEST(ShellQuote, SingleQuotesAreClosedEscapedReopened) {
  EXPECT_EQ(shell_quote({"it's"}), "'it'\\''s'");
  EXPECT_EQ(shell_quote({"'"}), "''\\'''");
  EXPECT_EQ(shell_quote({"''"}), "''\\'''\\'''");
}

TEST(ShellQuote, ShellCharactersAreLiteral) {
  EXPECT_EQ(shell_quote({"$HOME", "`id`", "a\\b", "*", "x;y|z", "\"q\""}),
            "'$HOME' '`id`' 'a\\b' '*' 'x;y|z' '\"q\"'");
}

TEST(ShellQuote, RoundTripsThroughARealPosixShell) {
  const std::vector<std::string> args{"plain", "two words", "",  "it's",      "\"dq\"", "$HOME",
                                      "`id`",  "a\\b",      "*", "new\nline", "tab\tx", "-n"};
  std::string want;
  for (const auto& a : args)
    want += "[" + a + "]";
  const auto r = local_runner{}.run({"/bin/sh", "-c", "printf '[%s]' " + shell_quote(args)},
                                    clock_type::now() + 10s, kDefaultOutputCap);
  ASSERT_EQ(r.outcome, outcome::ok) << r.failure;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, want);
}

TEST(CmdQuote, QuotesWhatCmdWouldSplitAndRefusesWhatItWouldInterpret) {
  EXPECT_EQ(cmd_quote({"powershell", "-NoProfile", "-Command", "Get-Service | ConvertTo-Json"}),
            "powershell -NoProfile -Command \"Get-Service | ConvertTo-Json\"");
  EXPECT_FALSE(cmd_quote({"echo", "%PATH%"}));
  EXPECT_FALSE(cmd_quote({"echo", "a\"b"}));
  EXPECT_FALSE(cmd_quote({"echo", "line\nbreak"}));
  EXPECT_FALSE(cmd_quote({"echo", "C:\\dir\\"}));
  EXPECT_FALSE(cmd_quote({"echo", ""}));
}

TEST(CmdQuote, EveryWindowsCommandPassesThroughCmd) {
  for (const auto& c : windows_commands())
    EXPECT_TRUE(cmd_quote(windows_command_argv(c))) << c.id;
}

// ---------------------------------------------------------------- runner without a server

class SshRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cloison-ssh-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ / "known_hosts").flush();
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes a fresh ed25519 private key (encrypted when `passphrase` is given).
  std::string make_key(const std::string& name, const char* passphrase = nullptr) {
    ssh_key key = nullptr;
    EXPECT_EQ(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key), SSH_OK);
    const std::string path = (dir_ / name).string();
    EXPECT_EQ(ssh_pki_export_privkey_file(key, passphrase, nullptr, nullptr, path.c_str()), SSH_OK);
    ssh_key_free(key);
    return path;
  }

  std::string write(const std::string& name, const std::string& content) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);  // secrets: 0600
    return path;
  }

  backup_host host(unsigned port, std::string key_file) const {
    backup_host h;
    h.name = "test";
    h.addresses = {"127.0.0.1"};
    h.access = access_method::ssh;
    h.ssh.user = "cloison-audit";
    h.ssh.port = port;
    h.ssh.key_file = std::move(key_file);
    h.ssh.known_hosts = (dir_ / "known_hosts").string();
    return h;
  }

  fs::path dir_;
};

// A TCP listener on 127.0.0.1 that never says anything (the kernel completes the handshake).
struct silent_listener {
  int fd = -1;
  unsigned port = 0;
  silent_listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      return;
    port = ntohs(a.sin_port);
  }
  ~silent_listener() {
    if (fd >= 0)
      close(fd);
  }
};

TEST_F(SshRunnerTest, RefusedConnectionIsAnErrorQuickly) {
  const ssh_runner runner(host(1, make_key("id")));
  const auto start = clock_type::now();
  const auto r = runner.run({"id", "-un"}, start + 5s, 1000);
  EXPECT_LT(clock_type::now() - start, 2s);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find("refused"), std::string::npos) << r.failure;
  EXPECT_NE(r.failure.find("127.0.0.1:1"), std::string::npos) << r.failure;
  EXPECT_EQ(r.exit_code, -1);
  // A network failure is not remembered: the next command tries again.
  EXPECT_EQ(runner.run({"true"}, clock_type::now() + 5s, 1000).outcome, outcome::error);
}

TEST_F(SshRunnerTest, MissingKeyFileIsNamed) {
  const std::string missing = (dir_ / "no-such-key").string();
  const ssh_runner runner(host(1, missing));
  const auto r = runner.run({"id"}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find(missing), std::string::npos) << r.failure;
  EXPECT_EQ(r.failure.find("refused"), std::string::npos) << "no connection before the key";
}

TEST_F(SshRunnerTest, KeyFileThatIsNotAKeyIsNamedNotQuoted) {
  const std::string bogus = write("bogus", "not-a-key-SECRETCONTENT\n");
  const auto r = ssh_runner(host(1, bogus)).run({"id"}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find(bogus), std::string::npos) << r.failure;
  EXPECT_EQ(r.failure.find("SECRETCONTENT"), std::string::npos) << r.failure;
}

TEST_F(SshRunnerTest, EncryptedKeyWithoutPassphraseIsRefusedWithoutPrompt) {
  const std::string key = make_key("enc", "correct horse");
  const auto r = ssh_runner(host(1, key)).run({"id"}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find(key), std::string::npos) << r.failure;
}

TEST_F(SshRunnerTest, PassphraseFileDecryptsTheKeyAndNeverAppears) {
  const std::string key = make_key("enc", "correct horse");
  auto h = host(1, key);
  h.ssh.passphrase_file = write("pass", "correct horse\n");
  auto r = ssh_runner(h).run({"id"}, clock_type::now() + 5s, 1000);
  // The key loaded: the runner went on to connect (nothing listens on port 1).
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find("refused"), std::string::npos) << r.failure;

  h.ssh.passphrase_file = write("wrong", "battery staple");
  r = ssh_runner(h).run({"id"}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find("passphrase"), std::string::npos) << r.failure;
  EXPECT_EQ(r.failure.find("battery"), std::string::npos) << r.failure;
  EXPECT_EQ(r.failure.find("horse"), std::string::npos) << r.failure;
}

TEST_F(SshRunnerTest, SilentPeerTimesOutAtTheDeadline) {
  silent_listener peer;
  ASSERT_NE(peer.port, 0u);
  const ssh_runner runner(host(peer.port, make_key("id")));
  const auto start = clock_type::now();
  const auto r = runner.run({"id"}, start + 1s, 1000);
  const auto took = clock_type::now() - start;
  EXPECT_EQ(r.outcome, outcome::timeout) << r.failure;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 2s);
}

TEST_F(SshRunnerTest, PeerThatStallsAfterItsBannerTimesOut) {
  silent_listener peer;
  ASSERT_NE(peer.port, 0u);
  std::atomic<bool> stop{false};
  std::thread server([&] {
    const int c = accept(peer.fd, nullptr, nullptr);
    if (c < 0)
      return;
    const char banner[] = "SSH-2.0-stall\r\n";
    (void)!::write(c, banner, sizeof banner - 1);
    while (!stop)
      std::this_thread::sleep_for(10ms);
    close(c);
  });
  const ssh_runner runner(host(peer.port, make_key("id")));
  const auto start = clock_type::now();
  const auto r = runner.run({"id"}, start + 1s, 1000);
  const auto took = clock_type::now() - start;
  stop = true;
  server.join();
  EXPECT_EQ(r.outcome, outcome::timeout) << r.failure;
  EXPECT_LT(took, 2s);
}

TEST_F(SshRunnerTest, PassedDeadlineIsATimeoutWithoutConnecting) {
  const auto r = ssh_runner(host(1, make_key("id"))).run({"id"}, clock_type::now() - 1s, 1000);
  EXPECT_EQ(r.outcome, outcome::timeout);
}

TEST_F(SshRunnerTest, EmptyCommandIsAnError) {
  const auto r = ssh_runner(host(1, make_key("id"))).run({}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
}

TEST_F(SshRunnerTest, NoKnownHostsWithoutTrustOnFirstUseIsRefused) {
  auto h = host(1, make_key("id"));
  h.ssh.known_hosts.clear();
  const auto r = ssh_runner(h).run({"id"}, clock_type::now() + 5s, 1000);
  EXPECT_EQ(r.outcome, outcome::error);
  EXPECT_NE(r.failure.find("known_hosts"), std::string::npos) << r.failure;
}

TEST_F(SshRunnerTest, NothingLearnedBeforeAConnection) {
  EXPECT_EQ(ssh_runner(host(1, make_key("id"))).learned_host_key(), "");
}

}  // namespace
}  // namespace cloison
