// The command line (CLI11): `cloison validate`, `cloison audit`, `cloison report`, `cloison diff`,
// `cloison verify`, `cloison merge`, `cloison collect`, `cloison drill`, `cloison checks`,
// `cloison sudoers-rule`, `--version`.
// Exit codes, which scripts rely on:
//   0 every objective met / the files are valid
//   1 an objective is not met (`diff`: the newer report regressed)
//   2 usage or configuration error
//   3 the audit could not run
//   4 no objective is not met, but one is incomplete (an error, or evidence missing)
//   5 `drill`: the restore failed, the backup zone may still be isolated (kExitRestoreFailed)
#pragma once

namespace cloison {

inline constexpr int kExitMet = 0;
inline constexpr int kExitNotMet = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCannotRun = 3;

// Runs the program. Never throws; maps every failure to an exit code.
int run_cli(int argc, char** argv) noexcept;

}  // namespace cloison
