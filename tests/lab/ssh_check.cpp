// ssh_check: runs one command through cloison's ssh_runner and prints what came back.
// Used by tests/lab/ssh_test.sh inside the lab (`lab exec admin -- ssh_check ...`).
//
//   ssh_check [--port N] [--timeout SECONDS] [--cap BYTES] [--tofu] [--learned-store FILE]
//             [--repeat N] ADDRESS USER KEY KNOWN_HOSTS [sudo] -- CMD...
//
// --repeat N runs the command N times at once from N threads on the same runner (one connection,
// commands one after another) and prints one "run K: ..." line each before the first run's report.
// Prints "outcome: ", "exit: ", "truncated: ", "stdout-bytes: ", "stderr-bytes: ",
// "elapsed-ms: ", "failure: ", "learned: ", then the two streams (non-printable bytes as \xNN).
// Exit status: 0 outcome ok, 1 error, 2 timeout, 3 failed, 64 usage.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "probes/transport/ssh_runner.h"

namespace {

int usage() {
  std::cerr << "usage: ssh_check [--port N] [--timeout SECONDS] [--cap BYTES] [--tofu]\n"
               "                 [--learned-store FILE] [--repeat N]\n"
               "                 ADDRESS USER KEY KNOWN_HOSTS [sudo] -- CMD...\n";
  return 64;
}

std::string printable(const std::string& bytes) {
  std::string s;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\t' || (u >= 0x20 && u < 0x7f)) {
      s += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      s += hex;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  cloison::backup_host host;
  host.access = cloison::access_method::ssh;
  double timeout_s = 10;
  std::size_t cap = cloison::kDefaultOutputCap;
  std::size_t repeat = 1;
  std::string learned_store;
  std::size_t i = 0;
  try {
    for (; i < args.size() && args[i].rfind("--", 0) == 0 && args[i] != "--"; ++i) {
      if (args[i] == "--tofu") {
        host.ssh.trust_on_first_use = true;
      } else if (i + 1 < args.size() && args[i] == "--learned-store") {
        learned_store = args[++i];
      } else if (i + 1 < args.size() && args[i] == "--port") {
        host.ssh.port = static_cast<unsigned>(std::stoul(args[++i]));
      } else if (i + 1 < args.size() && args[i] == "--timeout") {
        timeout_s = std::stod(args[++i]);
      } else if (i + 1 < args.size() && args[i] == "--cap") {
        cap = std::stoul(args[++i]);
      } else if (i + 1 < args.size() && args[i] == "--repeat") {
        repeat = std::max<std::size_t>(1, std::stoul(args[++i]));
      } else {
        return usage();
      }
    }
  } catch (const std::exception&) {
    return usage();
  }
  std::vector<std::string> positional;
  for (; i < args.size() && args[i] != "--"; ++i)
    positional.push_back(args[i]);
  if (i >= args.size() || positional.size() < 4 || positional.size() > 5 ||
      (positional.size() == 5 && positional[4] != "sudo"))
    return usage();
  std::vector<std::string> command(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  if (command.empty())
    return usage();
  host.name = positional[0];
  host.addresses = {positional[0]};
  host.ssh.user = positional[1];
  host.ssh.key_file = positional[2];
  host.ssh.known_hosts = positional[3];
  if (positional.size() == 5)  // as host_probe does for its privileged commands
    command.insert(command.begin(), {"sudo", "-n", "--"});

  const cloison::ssh_runner runner(host, learned_store);
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double>(timeout_s));
  std::vector<cloison::command_result> results(repeat);
  std::vector<std::chrono::milliseconds> took(repeat);
  auto one = [&](std::size_t k) {
    results[k] = runner.run(command, until, cap);
    took[k] = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
  };
  if (repeat == 1) {
    one(0);
  } else {
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < repeat; ++k)
      threads.emplace_back(one, k);
    for (auto& t : threads)
      t.join();
    for (std::size_t k = 0; k < repeat; ++k)
      std::cout << "run " << k << ": outcome " << cloison::to_string(results[k].outcome) << " exit "
                << results[k].exit_code << " stdout-bytes " << results[k].out.size()
                << " done-at-ms " << took[k].count() << "\n";
  }
  const cloison::command_result& r = results[0];
  const auto elapsed = took[0];

  std::cout << "outcome: " << cloison::to_string(r.outcome) << "\n"
            << "exit: " << r.exit_code << "\n"
            << "truncated: " << (r.truncated ? "true" : "false") << "\n"
            << "stdout-bytes: " << r.out.size() << "\n"
            << "stderr-bytes: " << r.err.size() << "\n"
            << "elapsed-ms: " << elapsed.count() << "\n"
            << "failure: " << r.failure << "\n"
            << "learned: " << runner.learned_host_key() << "\n"
            << "--- stdout ---\n"
            << printable(r.out) << "\n--- stderr ---\n"
            << printable(r.err) << "\n--- end ---\n";
  switch (r.outcome) {
    case cloison::outcome::ok:
      return 0;
    case cloison::outcome::error:
      return 1;
    case cloison::outcome::timeout:
      return 2;
    case cloison::outcome::failed:
      return 3;
  }
  return 1;
}
