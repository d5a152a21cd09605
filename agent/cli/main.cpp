#include <csignal>

#include "agent/cli/cli.h"

int main(int argc, char** argv) {
  // A peer that closes its connection, or a socket shut down at a deadline, must give a write
  // error (an observation), never kill the agent: libldap writes with plain write().
  std::signal(SIGPIPE, SIG_IGN);
  return cloison::run_cli(argc, argv);
}
