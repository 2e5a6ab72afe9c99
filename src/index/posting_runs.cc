#include "posting_runs.h"

#include <algorithm>
#include <string>
#include <utility>

#include "provledger/encoding.h"
#include "provledger/status_macros.h"

namespace provledger::posting_runs {
namespace {

constexpr uint8_t kManifestVersion = 1;
constexpr size_t kManifestHeaderBytes = 1 + 8 + 8 + 4;
constexpr size_t kManifestRunBytes = 8 + 8 + 8 + 8 + 4 + 1;

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
  }
  return out;
}

absl::StatusOr<Manifest> DecodeManifest(std::string_view bytes) {
  if (bytes.size() < kManifestHeaderBytes || static_cast<uint8_t>(bytes[0]) != kManifestVersion) {
    return absl::DataLossError("postings manifest: not a version-1 manifest");
  }
  Manifest m;
  const char* p = bytes.data() + 1;
  m.indexed_size = ReadU64BE(p);
  m.next_run_id = ReadU64BE(p + 8);
  uint32_t n = ReadU32BE(p + 16);
  if (bytes.size() != kManifestHeaderBytes + size_t{n} * kManifestRunBytes) {
    return absl::DataLossError("postings manifest: " + std::to_string(bytes.size()) +
                               " bytes for " + std::to_string(n) + " runs");
  }
  p = bytes.data() + kManifestHeaderBytes;
  uint64_t covered = 0;
  for (uint32_t i = 0; i < n; ++i, p += kManifestRunBytes) {
    RunInfo r{ReadU64BE(p),      ReadU64BE(p + 8),  ReadU64BE(p + 16),
              ReadU64BE(p + 24), ReadU32BE(p + 32), static_cast<uint8_t>(p[36])};
    if (r.id >= m.next_run_id || r.begin < covered || r.end <= r.begin || r.end > m.indexed_size ||
        r.records == 0 || r.blocks != (r.records + kBlockRecords - 1) / kBlockRecords) {
      return absl::DataLossError("postings manifest: run " + std::to_string(i) +
                                 " is inconsistent");
    }
    covered = r.end;
    m.runs.push_back(r);
  }
  return m;
}

absl::Status WriteRun(Storage* storage, uint64_t run_id, const std::function<bool(char* rec)>& next,
                      RunInfo* info, std::vector<uint64_t>* fences) {
  info->id = run_id;
  info->records = 0;
  info->blocks = 0;
  fences->clear();
  bool blocks_done = false;
  size_t chunk = 0;
  char rec[kRecordBytes];
  return storage->IngestSorted(Column::kPostings, [&](std::string* key, std::string* value) {
    if (!blocks_done) {
      value->reserve(kBlockRecords * kRecordBytes);
      while (value->size() < kBlockRecords * kRecordBytes && next(rec)) {
        if (value->empty()) {
          fences->push_back(Fence(static_cast<uint8_t>(rec[0]), ReadU64BE(rec + 1)));
        }
        value->append(rec, kRecordBytes);
      }
      if (!value->empty()) {
        info->records += value->size() / kRecordBytes;
        *key = RunKey(run_id, 'B', info->blocks++);
        return true;
      }
      blocks_done = true;
    }
    // The fences follow the blocks ('F' > 'B').
    if (chunk * kFenceChunk >= fences->size()) return false;
    size_t end = std::min(fences->size(), (chunk + 1) * kFenceChunk);
    value->reserve((end - chunk * kFenceChunk) * 8);
    for (size_t i = chunk * kFenceChunk; i < end; ++i) AppendU64BE(value, (*fences)[i]);
    *key = RunKey(run_id, 'F', static_cast<uint32_t>(chunk++));
    return true;
  });
}

absl::StatusOr<std::vector<uint64_t>> ReadFences(Storage* storage, const RunInfo& info) {
  std::vector<uint64_t> fences;
  fences.reserve(info.blocks);
  bool bad = false;
  PL_RETURN_IF_ERROR(storage->Scan(Column::kPostings, RunKey(info.id, 'F', 0),
                                   RunKey(info.id, 'G', 0),
                                   [&](std::string_view, std::string_view v) {
                                     if (v.size() % 8 != 0) {
                                       bad = true;
                                       return false;
                                     }
                                     for (size_t i = 0; i < v.size(); i += 8) {
                                       fences.push_back(ReadU64BE(v.data() + i));
                                     }
                                     return true;
                                   }));
  if (bad || fences.size() != info.blocks) {
    return absl::DataLossError("postings run " + std::to_string(info.id) + ": " +
                               std::to_string(fences.size()) + " fences for " +
                               std::to_string(info.blocks) + " blocks");
  }
  return fences;
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

}  // namespace provledger::posting_runs
