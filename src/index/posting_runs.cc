#include "posting_runs.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "provledger/encoding.h"
#include "provledger/status_macros.h"

namespace provledger::posting_runs {
namespace {

constexpr uint8_t kManifestVersion = 2;
constexpr size_t kManifestHeaderBytes = 1 + 8 + 8 + 4;
// Version 1's run had no filter_bytes.
constexpr size_t kManifestRunBytesV1 = 8 + 8 + 8 + 8 + 4 + 1;
constexpr size_t kManifestRunBytes = kManifestRunBytesV1 + 2;

std::string RunKey(uint64_t run_id, char kind, uint32_t n) {
  std::string k = RunPrefix(run_id);
  k.push_back(kind);
  AppendU32BE(&k, n);
  return k;
}

}  // namespace

std::string RunPrefix(uint64_t run_id) {
  std::string p(1, 'R');
  AppendU64BE(&p, run_id);
  return p;
}

std::string BlockKey(uint64_t run_id, uint32_t block) { return RunKey(run_id, 'B', block); }

void EncodeRecord(uint8_t code, uint64_t hash, uint64_t ledger_index, uint32_t value, char* rec) {
  rec[0] = static_cast<char>(code);
  StoreU64BE(rec + 1, hash);
  StoreU64BE(rec + 9, ledger_index);
  StoreU32BE(rec + 17, value);
}

uint64_t FilterHash(uint8_t code, uint64_t hash) {
  // MurmurHash3's 64-bit finalizer: a client may send hashes of any
  // distribution, and the code must change every probe.
  uint64_t k = hash ^ ((uint64_t{code} + 1) * 0x9e3779b97f4a7c15ULL);
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

int FilterProbes(uint16_t bytes) {
  // ln 2 (0.6931) probes per bit a record, rounded: the fewest false
  // positives for the size.
  const int probes = static_cast<int>((size_t{bytes} * 8 * 6931 / kBlockRecords + 5000) / 10000);
  return std::clamp(probes, 1, 12);
}

namespace {
// Probe i's bit: h1 + i * h2 mapped onto [0, bits) by a multiply-shift.
template <typename F>
bool ForEachProbe(uint16_t bytes, uint64_t filter_hash, F&& f) {
  const auto h1 = static_cast<uint32_t>(filter_hash);
  const auto h2 = static_cast<uint32_t>(filter_hash >> 32) | 1u;
  const uint64_t bits = uint64_t{bytes} * 8;
  const int probes = FilterProbes(bytes);
  for (int i = 0; i < probes; ++i) {
    const uint32_t x = h1 + static_cast<uint32_t>(i) * h2;
    if (!f(static_cast<size_t>((uint64_t{x} * bits) >> 32))) return false;
  }
  return true;
}
}  // namespace

void FilterAdd(uint8_t* filter, uint16_t bytes, uint64_t filter_hash) {
  ForEachProbe(bytes, filter_hash, [filter](size_t bit) {
    filter[bit / 8] = static_cast<uint8_t>(filter[bit / 8] | (1u << (bit % 8)));
    return true;
  });
}

bool FilterMayContain(const uint8_t* filter, uint16_t bytes, uint64_t filter_hash) {
  return ForEachProbe(bytes, filter_hash,
                      [filter](size_t bit) { return ((filter[bit / 8] >> (bit % 8)) & 1) != 0; });
}

std::string EncodeManifest(const Manifest& m) {
  std::string out;
  out.reserve(kManifestHeaderBytes + m.runs.size() * kManifestRunBytes);
  out.push_back(static_cast<char>(kManifestVersion));
  AppendU64BE(&out, m.indexed_size);
  AppendU64BE(&out, m.next_run_id);
  AppendU32BE(&out, static_cast<uint32_t>(m.runs.size()));
  for (const RunInfo& r : m.runs) {
    AppendU64BE(&out, r.id);
    AppendU64BE(&out, r.begin);
    AppendU64BE(&out, r.end);
    AppendU64BE(&out, r.records);
    AppendU32BE(&out, r.blocks);
    out.push_back(static_cast<char>(r.level));
    AppendU16BE(&out, r.filter_bytes);
  }
  return out;
}

absl::StatusOr<Manifest> DecodeManifest(std::string_view bytes) {
  const uint8_t version = bytes.empty() ? 0 : static_cast<uint8_t>(bytes[0]);
  if (bytes.size() < kManifestHeaderBytes || (version != 1 && version != kManifestVersion)) {
    return absl::DataLossError("postings manifest: not a version-1 or -2 manifest");
  }
  const size_t run_bytes = version == 1 ? kManifestRunBytesV1 : kManifestRunBytes;
  Manifest m;
  const char* p = bytes.data() + 1;
  m.indexed_size = ReadU64BE(p);
  m.next_run_id = ReadU64BE(p + 8);
  uint32_t n = ReadU32BE(p + 16);
  if (bytes.size() != kManifestHeaderBytes + size_t{n} * run_bytes) {
    return absl::DataLossError("postings manifest: " + std::to_string(bytes.size()) +
                               " bytes for " + std::to_string(n) + " runs");
  }
  p = bytes.data() + kManifestHeaderBytes;
  uint64_t covered = 0;
  for (uint32_t i = 0; i < n; ++i, p += run_bytes) {
    RunInfo r{ReadU64BE(p),      ReadU64BE(p + 8),  ReadU64BE(p + 16),
              ReadU64BE(p + 24), ReadU32BE(p + 32), static_cast<uint8_t>(p[36])};
    if (version >= 2) r.filter_bytes = ReadU16BE(p + 37);
    if (r.id >= m.next_run_id || r.begin < covered || r.end <= r.begin || r.end > m.indexed_size ||
        r.records == 0 || r.blocks != (r.records + kBlockRecords - 1) / kBlockRecords ||
        r.filter_bytes > kMaxFilterBytes) {
      return absl::DataLossError("postings manifest: run " + std::to_string(i) +
                                 " is inconsistent");
    }
    covered = r.end;
    m.runs.push_back(r);
  }
  return m;
}

absl::Status WriteRun(Storage* storage, uint64_t run_id, uint16_t filter_bytes,
                      const std::function<bool(char* rec)>& next, RunInfo* info, RunDirectory* dir,
                      Storage::Lifetime lifetime) {
  if (filter_bytes > kMaxFilterBytes) {
    return absl::InvalidArgumentError("filter_bytes must be at most " +
                                      std::to_string(kMaxFilterBytes));
  }
  info->id = run_id;
  info->records = 0;
  info->blocks = 0;
  info->filter_bytes = filter_bytes;
  dir->fences.clear();
  dir->filters.clear();
  enum { kBlocks, kFences, kFilters } part = kBlocks;
  size_t chunk = 0;
  char rec[kRecordBytes];
  bool ended = false;  // `next` has returned false: it is not called again
  auto produce = [&](std::string* key, std::string* value) {
    if (part == kBlocks) {
      value->reserve(kBlockRecords * kRecordBytes);
      uint8_t* filter = nullptr;
      while (value->size() < kBlockRecords * kRecordBytes) {
        if (ended || !next(rec)) {
          ended = true;
          break;
        }
        const auto code = static_cast<uint8_t>(rec[0]);
        const uint64_t hash = ReadU64BE(rec + 1);
        if (value->empty()) {
          dir->fences.push_back(Fence(code, hash));
          dir->filters.resize(dir->filters.size() + filter_bytes, 0);
          filter = dir->filters.data() + dir->filters.size() - filter_bytes;
        }
        // A key's records are adjacent: hash it once.
        if (filter_bytes > 0 &&
            (value->empty() ||
             std::memcmp(rec, value->data() + value->size() - kRecordBytes, 1 + 8) != 0)) {
          FilterAdd(filter, filter_bytes, FilterHash(code, hash));
        }
        value->append(rec, kRecordBytes);
      }
      if (!value->empty()) {
        info->records += value->size() / kRecordBytes;
        *key = RunKey(run_id, 'B', info->blocks++);
        return true;
      }
      part = kFences;
    }
    // The fences follow the blocks ('F' > 'B'), the filters the fences.
    if (part == kFences) {
      if (chunk * kFenceChunk < dir->fences.size()) {
        size_t end = std::min(dir->fences.size(), (chunk + 1) * kFenceChunk);
        value->reserve((end - chunk * kFenceChunk) * 8);
        for (size_t i = chunk * kFenceChunk; i < end; ++i) AppendU64BE(value, dir->fences[i]);
        *key = RunKey(run_id, 'F', static_cast<uint32_t>(chunk++));
        return true;
      }
      part = kFilters;
      chunk = 0;
    }
    const size_t chunk_bytes = kFilterChunk * filter_bytes;
    if (filter_bytes == 0 || chunk * chunk_bytes >= dir->filters.size()) return false;
    size_t end = std::min(dir->filters.size(), (chunk + 1) * chunk_bytes);
    value->assign(reinterpret_cast<const char*>(dir->filters.data()) + chunk * chunk_bytes,
                  end - chunk * chunk_bytes);
    *key = RunKey(run_id, 'L', static_cast<uint32_t>(chunk++));
    return true;
  };
  return storage->IngestSorted(Column::kPostings, produce, lifetime);
}

absl::StatusOr<RunDirectory> ReadDirectory(Storage* storage, const RunInfo& info) {
  RunDirectory dir;
  dir.fences.reserve(info.blocks);
  bool bad = false;
  PL_RETURN_IF_ERROR(storage->Scan(Column::kPostings, RunKey(info.id, 'F', 0),
                                   RunKey(info.id, 'G', 0),
                                   [&](std::string_view, std::string_view v) {
                                     if (v.size() % 8 != 0) {
                                       bad = true;
                                       return false;
                                     }
                                     for (size_t i = 0; i < v.size(); i += 8) {
                                       dir.fences.push_back(ReadU64BE(v.data() + i));
                                     }
                                     return true;
                                   }));
  if (bad || dir.fences.size() != info.blocks) {
    return absl::DataLossError("postings run " + std::to_string(info.id) + ": " +
                               std::to_string(dir.fences.size()) + " fences for " +
                               std::to_string(info.blocks) + " blocks");
  }
  if (info.filter_bytes == 0) return dir;
  const size_t want = size_t{info.blocks} * info.filter_bytes;
  dir.filters.reserve(want);
  PL_RETURN_IF_ERROR(storage->Scan(Column::kPostings, RunKey(info.id, 'L', 0),
                                   RunKey(info.id, 'M', 0),
                                   [&](std::string_view, std::string_view v) {
                                     if (dir.filters.size() + v.size() > want) {
                                       bad = true;
                                       return false;
                                     }
                                     dir.filters.insert(dir.filters.end(), v.begin(), v.end());
                                     return true;
                                   }));
  if (bad || dir.filters.size() != want) {
    return absl::DataLossError("postings run " + std::to_string(info.id) + ": " +
                               std::to_string(dir.filters.size()) + " filter bytes for " +
                               std::to_string(info.blocks) + " blocks of " +
                               std::to_string(info.filter_bytes));
  }
  return dir;
}

absl::Status CheckBlock(uint64_t run_id, uint32_t block_no, std::string_view block) {
  if (block.empty() || block.size() % kRecordBytes != 0 ||
      block.size() > kBlockRecords * kRecordBytes) {
    return absl::DataLossError("postings run " + std::to_string(run_id) + ": block " +
                               std::to_string(block_no) + " holds " + std::to_string(block.size()) +
                               " bytes");
  }
  return absl::OkStatus();
}

bool RunReader::Load() {
  if (!status_.ok() || next_block_ == info_.blocks) return false;
  const uint32_t first = next_block_;
  const uint32_t end = first + std::min(kReadBlocks, info_.blocks - first);
  data_.clear();
  pos_ = 0;
  uint32_t expect = first;
  status_ = storage_->Scan(Column::kPostings, BlockKey(info_.id, first), BlockKey(info_.id, end),
                           [&](std::string_view k, std::string_view v) {
                             if (k != BlockKey(info_.id, expect)) return false;
                             if (!CheckBlock(info_.id, expect, v).ok()) return false;
                             data_.append(v);
                             ++expect;
                             return true;
                           });
  if (status_.ok() && expect != end) {
    status_ = absl::DataLossError("postings run " + std::to_string(info_.id) + ": block " +
                                  std::to_string(expect) + " is missing or malformed");
  }
  next_block_ = end;
  return status_.ok() && !data_.empty();
}

namespace {

// A tournament ("loser") tree over the runs' current records. The least
// (code, hash, run position) wins, so of equal keys the earlier run's record
// does. Each inner node keeps the loser of the match played there; when the
// winner's run moves on, only the matches on its path to the root are played
// again: log2(runs) comparisons a record where a scan of the heads made one
// per run.
class Tournament {
 public:
  explicit Tournament(std::vector<RunReader>* readers) : readers_(*readers) {
    while (leaves_ < readers_.size()) leaves_ <<= 1;
    heads_.resize(leaves_);  // leaves past the last run stay exhausted
    for (size_t k = 0; k < readers_.size(); ++k) Load(k);
    losers_.assign(leaves_, 0);
    losers_[0] = Play(1);
  }

  // The least record of all runs, or nullptr once every run is exhausted.
  const char* Peek() const { return heads_[losers_[0]].rec; }

  // Moves the winner's run to its next record.
  void Pop() {
    size_t k = losers_[0];
    readers_[k].Next();
    Load(k);
    for (size_t node = (leaves_ + k) / 2; node >= 1; node /= 2) {
      if (Less(losers_[node], k)) std::swap(losers_[node], k);
    }
    losers_[0] = k;
  }

 private:
  struct Head {
    const char* rec = nullptr;  // nullptr: exhausted
    uint64_t code = kExhausted;
    uint64_t hash = 0;
  };
  static constexpr uint64_t kExhausted = 256;  // above every code

  void Load(size_t k) {
    Head& h = heads_[k];
    h.rec = readers_[k].Peek();
    h.code = h.rec == nullptr ? kExhausted : static_cast<uint8_t>(h.rec[0]);
    h.hash = h.rec == nullptr ? 0 : ReadU64BE(h.rec + 1);
  }
  bool Less(size_t a, size_t b) const {
    const Head& x = heads_[a];
    const Head& y = heads_[b];
    if (x.code != y.code) return x.code < y.code;
    if (x.hash != y.hash) return x.hash < y.hash;
    return a < b;
  }
  // Plays the subtree under `node`, keeping each match's loser; returns its winner.
  size_t Play(size_t node) {
    if (node >= leaves_) return node - leaves_;
    const size_t a = Play(2 * node);
    const size_t b = Play(2 * node + 1);
    const bool a_wins = Less(a, b);
    losers_[node] = a_wins ? b : a;
    return a_wins ? a : b;
  }

  std::vector<RunReader>& readers_;
  size_t leaves_ = 1;
  std::vector<Head> heads_;
  std::vector<size_t> losers_;  // [0]: the winner; [1, leaves_): the losers
};

}  // namespace

absl::Status MergeRuns(Storage* storage, const std::vector<RunInfo>& runs, uint64_t run_id,
                       uint16_t filter_bytes, const std::atomic<bool>& stop, RunInfo* info,
                       RunDirectory* dir, bool* stopped) {
  *stopped = false;
  if (runs.empty()) return absl::InvalidArgumentError("merge: no runs");
  std::vector<RunReader> readers;
  readers.reserve(runs.size());
  uint64_t records = 0;
  for (const RunInfo& r : runs) {
    readers.emplace_back(storage, r);
    records += r.records;
  }
  Tournament tournament(&readers);
  size_t since_check = 0;
  PL_RETURN_IF_ERROR(WriteRun(
      storage, run_id, filter_bytes,
      [&](char* rec) {
        if (++since_check == 4096) {
          since_check = 0;
          if (stop.load(std::memory_order_relaxed)) {
            *stopped = true;
            return false;
          }
        }
        const char* least = tournament.Peek();
        if (least == nullptr) return false;
        std::memcpy(rec, least, kRecordBytes);
        tournament.Pop();
        return true;
      },
      info, dir));
  if (*stopped) return absl::OkStatus();
  for (const RunReader& r : readers) PL_RETURN_IF_ERROR(r.status());
  if (info->records != records) {
    return absl::DataLossError("postings: merging runs " + std::to_string(runs.front().id) + ".." +
                               std::to_string(runs.back().id) + " gave " +
                               std::to_string(info->records) + " of " + std::to_string(records) +
                               " records");
  }
  return absl::OkStatus();
}

}  // namespace provledger::posting_runs
