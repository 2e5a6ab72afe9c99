// Entry types 3-5: dataset manifests, derivations, training runs
// (docs/ledger-format.md).
#include <string>

#include "entry_fields.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/sha256.h"

namespace provledger {
namespace {

using entry_internal::Field;
using entry_internal::FieldWriter;

// Tags shared by the entry types that carry a verdict.
constexpr uint16_t kTagVerdict = 35;
constexpr uint16_t kTagReasons = 36;
constexpr uint16_t kTagPolicySha256 = 37;

// (id length u16 BE, id, 32-byte manifest root)*
std::string EncodeRefs(const std::vector<DatasetRef>& refs) {
  std::string out;
  for (const DatasetRef& r : refs) {
    AppendU16BE(&out, static_cast<uint16_t>(r.dataset_id.size()));
    out += r.dataset_id;
    out += r.manifest_root;
  }
  return out;
}

absl::StatusOr<std::vector<DatasetRef>> DecodeRefs(std::string_view b) {
  std::vector<DatasetRef> out;
  while (!b.empty()) {
    if (b.size() < 2) return absl::InvalidArgumentError("entry: truncated dataset reference");
    uint16_t len = ReadU16BE(b.data());
    if (len == 0 || b.size() < 2u + len + kSha256Size) {
      return absl::InvalidArgumentError("entry: malformed dataset reference");
    }
    out.push_back(
        DatasetRef{std::string(b.substr(2, len)), std::string(b.substr(2 + len, kSha256Size))});
    b.remove_prefix(2 + len + kSha256Size);
  }
  return out;
}

void WriteVerdict(const std::optional<VerdictRecord>& v, FieldWriter* w) {
  if (!v.has_value()) return;
  w->Byte(kTagVerdict, v->verdict);
  w->Bytes(kTagReasons, entry_internal::EncodeReasons(v->reasons));
  w->Bytes(kTagPolicySha256, v->policy_sha256);
}

absl::Status ReadVerdict(const DecodedEntry& e, std::optional<VerdictRecord>* out) {
  std::string verdict = Field(e, kTagVerdict);
  if (verdict.empty()) {
    if (e.fields.count(kTagReasons) || e.fields.count(kTagPolicySha256)) {
      return absl::InvalidArgumentError("entry: policy fields without a verdict");
    }
    return absl::OkStatus();
  }
  VerdictRecord v;
  v.policy_sha256 = Field(e, kTagPolicySha256);
  if (verdict.size() != 1 || verdict[0] < 1 || verdict[0] > 3 ||
      v.policy_sha256.size() != kSha256Size) {
    return absl::InvalidArgumentError("entry: malformed verdict fields");
  }
  v.verdict = static_cast<uint8_t>(verdict[0]);
  auto reasons = entry_internal::DecodeReasons(Field(e, kTagReasons));
  if (!reasons.ok()) return reasons.status();
  v.reasons = *std::move(reasons);
  if ((v.verdict == 1) != v.reasons.empty()) {
    return absl::InvalidArgumentError("entry: verdict and reasons disagree");
  }
  *out = std::move(v);
  return absl::OkStatus();
}

}  // namespace

std::string EncodeSealEntry(const SealEntry& s, int64_t timestamp_us) {
  FieldWriter w(EntryType::kDatasetSealed, timestamp_us);
  w.Bytes(1, s.dataset_id);
  w.U64(2, s.ledger_size);
  w.U64(3, s.document_count);
  w.U64(4, s.total_bytes);
  std::string verdicts, classes;
  for (uint64_t v : s.verdicts) AppendU64BE(&verdicts, v);
  for (uint64_t c : s.license_classes) AppendU64BE(&classes, c);
  w.Bytes(5, verdicts);
  w.Bytes(6, classes);
  w.Bytes(7, s.manifest_root);
  return w.Finish();
}

absl::StatusOr<SealEntry> AsSealEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kDatasetSealed) {
    return absl::InvalidArgumentError("entry is not a manifest entry");
  }
  SealEntry s;
  s.dataset_id = Field(e, 1);
  auto size = entry_internal::RequiredU64(e, 2, "ledger_size");
  auto count = entry_internal::RequiredU64(e, 3, "document_count");
  auto bytes = entry_internal::RequiredU64(e, 4, "total_bytes");
  std::string verdicts = Field(e, 5), classes = Field(e, 6);
  s.manifest_root = Field(e, 7);
  if (s.dataset_id.empty() || !size.ok() || !count.ok() || !bytes.ok() || verdicts.size() != 24 ||
      classes.size() != 72 || s.manifest_root.size() != kSha256Size) {
    return absl::InvalidArgumentError("manifest entry: missing or malformed fields");
  }
  s.ledger_size = *size;
  s.document_count = *count;
  s.total_bytes = *bytes;
  for (size_t i = 0; i < 3; ++i) s.verdicts[i] = ReadU64BE(verdicts.data() + 8 * i);
  for (size_t i = 0; i < 9; ++i) s.license_classes[i] = ReadU64BE(classes.data() + 8 * i);
  return s;
}

std::string EncodeDerivationEntry(const DerivationEntry& d, int64_t timestamp_us) {
  FieldWriter w(EntryType::kDatasetDerived, timestamp_us);
  w.Bytes(1, d.dataset_id);
  w.Bytes(2, EncodeRefs(d.parents));
  w.Bytes(3, d.transformation);
  w.Bytes(4, d.description);
  WriteVerdict(d.verdict, &w);
  return w.Finish();
}

absl::StatusOr<DerivationEntry> AsDerivationEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kDatasetDerived) {
    return absl::InvalidArgumentError("entry is not a derivation entry");
  }
  DerivationEntry d;
  d.dataset_id = Field(e, 1);
  auto parents = DecodeRefs(Field(e, 2));
  if (!parents.ok()) return parents.status();
  d.parents = *std::move(parents);
  d.transformation = Field(e, 3);
  d.description = Field(e, 4);
  if (d.dataset_id.empty() || d.parents.empty() || d.transformation.empty()) {
    return absl::InvalidArgumentError("derivation entry: missing child, parents or transformation");
  }
  absl::Status s = ReadVerdict(e, &d.verdict);
  if (!s.ok()) return s;
  return d;
}

std::string EncodeTrainingRunEntry(const TrainingRunEntry& r, int64_t timestamp_us) {
  FieldWriter w(EntryType::kTrainingRun, timestamp_us);
  w.Bytes(1, r.model_name);
  w.Bytes(2, r.model_version);
  w.Bytes(3, EncodeRefs(r.datasets));
  if (r.training_start_us != 0) w.U64(4, static_cast<uint64_t>(r.training_start_us));
  if (r.training_end_us != 0) w.U64(5, static_cast<uint64_t>(r.training_end_us));
  if (r.deployment != 0) w.Byte(6, r.deployment);
  w.Bytes(7, r.description);
  WriteVerdict(r.verdict, &w);
  return w.Finish();
}

absl::StatusOr<TrainingRunEntry> AsTrainingRunEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kTrainingRun) {
    return absl::InvalidArgumentError("entry is not a training run entry");
  }
  TrainingRunEntry r;
  r.model_name = Field(e, 1);
  r.model_version = Field(e, 2);
  auto datasets = DecodeRefs(Field(e, 3));
  if (!datasets.ok()) return datasets.status();
  r.datasets = *std::move(datasets);
  std::string start = Field(e, 4), end = Field(e, 5), deployment = Field(e, 6);
  if (r.model_name.empty() || r.datasets.empty() || (!start.empty() && start.size() != 8) ||
      (!end.empty() && end.size() != 8) || (!deployment.empty() && deployment.size() != 1)) {
    return absl::InvalidArgumentError("training run entry: missing or malformed fields");
  }
  if (!start.empty()) r.training_start_us = static_cast<int64_t>(ReadU64BE(start.data()));
  if (!end.empty()) r.training_end_us = static_cast<int64_t>(ReadU64BE(end.data()));
  if (!deployment.empty()) r.deployment = static_cast<uint8_t>(deployment[0]);
  r.description = Field(e, 7);
  absl::Status s = ReadVerdict(e, &r.verdict);
  if (!s.ok()) return s;
  return r;
}

}  // namespace provledger
