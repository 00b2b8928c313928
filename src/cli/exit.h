// The exit codes of every podns command (podns(8), EXIT STATUS), and of
// the pinns program.
#pragma once

namespace podns::cli {

enum Exit : int {
  kOk = 0,
  kFailed = 1,  // the operation failed
  kUsage = 2,   // the command line (or an argument's value) was wrong
  // 128 + N: signal N arrived during create, stop or rm, which finished (or
  // undid what it had made) first: 130 for SIGINT, 143 for SIGTERM.
  kSignalBase = 128,
};

}  // namespace podns::cli
