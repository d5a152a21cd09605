#include "agent/cli.h"

int main(int argc, char** argv) {
  return cloison::run_cli(argc, argv);
}
