// The data directory's own files: the process lock and small files replaced
// whole.
#ifndef PROVLEDGER_SRC_SERVER_DATA_DIR_H_
#define PROVLEDGER_SRC_SERVER_DATA_DIR_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace provledger::server_internal {

// An exclusive lock (flock) on `dir`/LOCK, held until destroyed, so a second
// provledgerd never opens the same data directory, whatever it would touch
// first. The file holds the holder's pid. FailedPrecondition naming the
// holder if another process has it; Unavailable if it cannot be created.
class DataDirLock {
 public:
  static absl::StatusOr<std::unique_ptr<DataDirLock>> Acquire(const std::string& dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Replaces `path` with `text` (mode `mode`): written to a new file beside
// it, fsynced and renamed over it, so a symlink planted at `path` is
// replaced, never followed, and a crash leaves the old or the new file.
absl::Status ReplaceFile(const std::string& path, const std::string& text, int mode);

}  // namespace provledger::server_internal

#endif  // PROVLEDGER_SRC_SERVER_DATA_DIR_H_
