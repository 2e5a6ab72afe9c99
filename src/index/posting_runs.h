// The postings' stored layout, version 3 (docs/ledger-format.md, "Postings"):
// sorted runs of fixed-width posting records, packed into blocks.
//
// A posting is a 21-byte record, code ‖ hash ‖ ledger index ‖ value:
//   code          u8      LSH band 0..31, or kWinnowCode for a winnowing hash
//   hash          u64 BE  the band key or the winnowing hash
//   ledger_index  u64 BE  the document's entry
//   value         u32 BE  winnowing: token index | kRepeatedFlag; bands: 0
// so comparing the first 17 bytes as bytes orders records by (code, hash,
// ledger index), the order a lookup lists them in.
//
// A run holds the postings of a contiguous range of ledger entries, sorted,
// in Column::kPostings under its own key prefix 'R' ‖ run id (u64 BE):
//   prefix ‖ 'B' ‖ block number (u32 BE) -> up to kBlockRecords records
//   prefix ‖ 'F' ‖ chunk number (u32 BE) -> the fences of up to kFenceChunk
//                                          blocks, u64 BE each
//   prefix ‖ 'L' ‖ chunk number (u32 BE) -> the filters of up to kFilterChunk
//                                          blocks, filter_bytes each
// A block's fence is Fence(code, hash) of its first record; its filter is a
// Bloom filter over the (code, hash) keys of its records. The index keeps
// every run's fences and filters in memory (its RunDirectory) and reads only
// the blocks a lookup needs: those the fences bracket and the filters do not
// rule out.
// Which runs are live, and how far the entries are indexed, is the manifest
// (Column::kMeta, kManifestKey), written after a run's keys are in place:
// keys of runs it does not list are left by an interrupted write or merge
// and are deleted on open.
#ifndef PROVLEDGER_SRC_INDEX_POSTING_RUNS_H_
#define PROVLEDGER_SRC_INDEX_POSTING_RUNS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "provledger/storage.h"

namespace provledger::posting_runs {

inline constexpr size_t kRecordBytes = 21;
inline constexpr size_t kBlockRecords = 128;
inline constexpr size_t kFenceChunk = 8192;
inline constexpr size_t kFilterChunk = 512;
// Filter bytes a block at most (the manifest's field is a u16).
inline constexpr uint16_t kMaxFilterBytes = 1024;
inline constexpr uint8_t kWinnowCode = 32;
// Set in a winnowing posting's value when the hash occurs more than once in
// the document (the posting holds its first position).
inline constexpr uint32_t kRepeatedFlag = 0x80000000u;

inline constexpr char kManifestKey[] = "postings/v3/manifest";
// Keys of the earlier layouts, deleted when a v3 index first opens.
inline constexpr char kLegacyWatermarkKey[] = "postings/v2/indexed_size";

// 'R' ‖ run id (u64 BE): every key of the run starts with it.
std::string RunPrefix(uint64_t run_id);
std::string BlockKey(uint64_t run_id, uint32_t block);
// A block's fence: monotone in (code, hash) -- the code's 6 bits above the
// hash's top 58 -- so blocks whose fences bracket a key's are the only ones
// that can hold it.
inline uint64_t Fence(uint8_t code, uint64_t hash) {
  return (static_cast<uint64_t>(code) << 58) | (hash >> 6);
}

// Encodes one record into rec[0..kRecordBytes).
void EncodeRecord(uint8_t code, uint64_t hash, uint64_t ledger_index, uint32_t value, char* rec);

// A block's Bloom filter: `bytes` bytes, bit i being bit (i % 8) of byte
// i / 8. A key (code, hash) sets FilterProbes(bytes) bits, chosen from
// FilterHash(code, hash) by double hashing (docs/ledger-format.md).
uint64_t FilterHash(uint8_t code, uint64_t hash);
int FilterProbes(uint16_t bytes);
void FilterAdd(uint8_t* filter, uint16_t bytes, uint64_t filter_hash);
bool FilterMayContain(const uint8_t* filter, uint16_t bytes, uint64_t filter_hash);

// One run as the manifest lists it.
struct RunInfo {
  uint64_t id = 0;
  uint64_t begin = 0;  // the ledger entries it covers: [begin, end)
  uint64_t end = 0;
  uint64_t records = 0;
  uint32_t blocks = 0;
  uint8_t level = 0;          // 0 as written; a merge of runs of level L is L + 1
  uint16_t filter_bytes = 0;  // of each block's filter; 0: the run has none
};

// What the index holds of a run in memory to find the blocks a key may be
// in: 8 bytes of fence and filter_bytes of filter a block.
struct RunDirectory {
  std::vector<uint64_t> fences;  // of each block, ascending
  std::vector<uint8_t> filters;  // blocks * info.filter_bytes
  // False only if block `block` holds no record of the key whose
  // FilterHash is `filter_hash` (always true for a run without filters).
  bool MayContain(const RunInfo& info, uint32_t block, uint64_t filter_hash) const {
    return info.filter_bytes == 0 ||
           FilterMayContain(filters.data() + size_t{block} * info.filter_bytes, info.filter_bytes,
                            filter_hash);
  }
};

struct Manifest {
  uint64_t indexed_size = 0;  // entries below it have their postings in `runs`
  uint64_t next_run_id = 0;
  std::vector<RunInfo> runs;  // by ascending ledger range, disjoint
};
// Writes version 2 (version 1, read still, had no filter_bytes: its runs
// have no filters).
std::string EncodeManifest(const Manifest& m);
// DataLoss if the bytes are not a version-1 or -2 manifest.
absl::StatusOr<Manifest> DecodeManifest(std::string_view bytes);

// Writes a run's blocks, fences and (filter_bytes > 0) filters with
// Storage::IngestSorted, as one table file. `next` fills the next record
// (kRecordBytes) and returns true, or returns false at the end (and is not
// called again); records must come in order. Fills *info (id, records, blocks, filter_bytes) and
// *dir. A run of no records writes nothing. `lifetime` is the storage's hint: a run as first
// written is merged soon (Storage::Lifetime::kShortLived).
absl::Status WriteRun(Storage* storage, uint64_t run_id, uint16_t filter_bytes,
                      const std::function<bool(char* rec)>& next, RunInfo* info, RunDirectory* dir,
                      Storage::Lifetime lifetime = Storage::Lifetime::kLasting);

// Reads the fences and filters of a run the manifest lists; DataLoss unless
// there are info.blocks of each.
absl::StatusOr<RunDirectory> ReadDirectory(Storage* storage, const RunInfo& info);

// Reads a run's records in order, kReadBlocks blocks at a time (one range
// scan: a Get a block was a third of a merge's time).
class RunReader {
 public:
  static constexpr uint32_t kReadBlocks = 64;
  RunReader(Storage* storage, const RunInfo& info) : storage_(storage), info_(info) {}
  // The current record (kRecordBytes), or nullptr past the end; an error
  // reading or decoding a block ends the run and is kept in status().
  const char* Peek() {
    if (pos_ == data_.size() && !Load()) return nullptr;
    return data_.data() + pos_;
  }
  void Next() { pos_ += kRecordBytes; }
  const absl::Status& status() const { return status_; }

 private:
  bool Load();

  Storage* const storage_;
  const RunInfo info_;
  uint32_t next_block_ = 0;
  std::string data_;  // the records of the blocks read last
  size_t pos_ = 0;
  absl::Status status_;
};

// Merges `runs` -- runs of ascending, disjoint ledger ranges, in that order --
// into run `run_id`, written as WriteRun writes. Records come out by (code,
// hash), and of one key the earlier run's first, so a key's records stay in
// ledger order. `stop` is read every few thousand records: once it is set
// the merge ends early with *stopped true, and the partial run (which no
// manifest lists) is the caller's to delete. DataLoss if a run does not read
// back whole.
absl::Status MergeRuns(Storage* storage, const std::vector<RunInfo>& runs, uint64_t run_id,
                       uint16_t filter_bytes, const std::atomic<bool>& stop, RunInfo* info,
                       RunDirectory* dir, bool* stopped);

// DataLoss unless `block` is a whole number (1..kBlockRecords) of records.
absl::Status CheckBlock(uint64_t run_id, uint32_t block_no, std::string_view block);

}  // namespace provledger::posting_runs

#endif  // PROVLEDGER_SRC_INDEX_POSTING_RUNS_H_
