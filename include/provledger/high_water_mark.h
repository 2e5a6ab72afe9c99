// The log's high-water mark: the largest tree size (and its root) the log
// has ever released a signed checkpoint for, kept durably *outside* the
// database it protects. A database that comes back below the mark (a WAL
// record dropped during recovery, an older copy restored, files lost) has
// lost acknowledged entries; signing from there would fork the log, so the
// ledger refuses to open (docs/ledger-format.md §4a).
//
//   PL_ASSIGN_OR_RETURN(auto mark, OpenHighWaterMarkFile(dir + "/high-water-mark"));
//   PL_ASSIGN_OR_RETURN(std::optional<HighWaterMark> m, mark->Load());
//   PL_RETURN_IF_ERROR(mark->Store({size, root}));   // on stable storage on OK
//
// The file (format v1, §4a) holds two 64-byte records in separate 4 KiB
// pages; each Store overwrites the older one and fdatasyncs, so a torn write
// leaves the previous mark readable. Thread-safety: Store and Load may be
// called from any thread; calls are serialised.
#ifndef PROVLEDGER_HIGH_WATER_MARK_H_
#define PROVLEDGER_HIGH_WATER_MARK_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace provledger {

struct HighWaterMark {
  uint64_t size = 0;
  std::string root_hash;  // 32 bytes
};

class HighWaterMarkStore {
 public:
  virtual ~HighWaterMarkStore() = default;
  // The mark last stored, or nullopt if none ever was. DataLoss if the
  // store exists but holds no readable mark.
  virtual absl::StatusOr<std::optional<HighWaterMark>> Load() = 0;
  // Durably records `mark` (InvalidArgument unless the root is 32 bytes).
  // Unavailable if it could not be made durable; the previous mark stays.
  virtual absl::Status Store(const HighWaterMark& mark) = 0;
  // Where the mark lives, for messages.
  virtual std::string Describe() const = 0;
};

// The mark kept in the file at `path`, which need not exist yet (the first
// Store creates it, through a temporary file renamed into place with its
// directory synced). Unavailable if an existing file cannot be opened.
absl::StatusOr<std::unique_ptr<HighWaterMarkStore>> OpenHighWaterMarkFile(const std::string& path);

// An in-memory mark for tests; `fail_stores_after` as NewMemoryStorage's.
std::unique_ptr<HighWaterMarkStore> NewMemoryHighWaterMark(int fail_stores_after = -1);

}  // namespace provledger

#endif  // PROVLEDGER_HIGH_WATER_MARK_H_
