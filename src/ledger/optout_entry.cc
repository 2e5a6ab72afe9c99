// Entry type 6: opt-out declarations (docs/ledger-format.md).
#include <string>

#include "entry_fields.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/sha256.h"

namespace provledger {

using entry_internal::Field;
using entry_internal::FieldWriter;

std::string EncodeOptOutEntry(const OptOutEntry& o, int64_t timestamp_us) {
  FieldWriter w(EntryType::kOptOutDeclared, timestamp_us);
  w.Bytes(1, o.declarant);
  w.Bytes(2, o.reference);
  w.Byte(3, static_cast<uint8_t>(o.kind));
  w.Bytes(4, o.content_id);
  if (o.text.has_value()) {
    w.Bytes(5, std::string(1, static_cast<char>(o.text->normalization_version)) +
                   o.text->normalized_hash);
    std::string sig(1, static_cast<char>(o.text->minhash_version));
    for (uint32_t v : o.text->minhash) AppendU32BE(&sig, v);
    w.Bytes(6, sig);
  }
  w.Bytes(7, o.pattern);
  return w.Finish();
}

absl::StatusOr<OptOutEntry> AsOptOutEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kOptOutDeclared) {
    return absl::InvalidArgumentError("entry is not an opt-out declaration");
  }
  OptOutEntry o;
  o.declarant = Field(e, 1);
  o.reference = Field(e, 2);
  std::string kind = Field(e, 3);
  o.content_id = Field(e, 4);
  std::string nh = Field(e, 5), mh = Field(e, 6);
  o.pattern = Field(e, 7);
  if (o.declarant.empty() || kind.size() != 1 || kind[0] < 1 || kind[0] > 3) {
    return absl::InvalidArgumentError("opt-out entry: missing declarant or kind");
  }
  o.kind = static_cast<OptOutKind>(kind[0]);
  bool work = o.kind == OptOutKind::kWork;
  if (work != (o.content_id.size() == kSha256Size) || work == !o.pattern.empty() ||
      (!work && (!nh.empty() || !mh.empty())) || nh.empty() != mh.empty()) {
    return absl::InvalidArgumentError("opt-out entry: fields do not match its kind");
  }
  if (!nh.empty()) {
    if (nh.size() != 17 || (mh.size() - 1) % 4 != 0) {
      return absl::InvalidArgumentError("opt-out entry: malformed fingerprints");
    }
    TextFingerprintRecord t;
    t.normalization_version = static_cast<uint8_t>(nh[0]);
    t.normalized_hash = nh.substr(1);
    t.minhash_version = static_cast<uint8_t>(mh[0]);
    for (size_t i = 1; i < mh.size(); i += 4) t.minhash.push_back(ReadU32BE(mh.data() + i));
    o.text = std::move(t);
  }
  return o;
}

}  // namespace provledger

namespace provledger {

std::string EncodeAssessmentEntry(const AssessmentEntry& a, int64_t timestamp_us) {
  FieldWriter w(EntryType::kSourceAssessed, timestamp_us);
  w.Byte(1, static_cast<uint8_t>(a.kind));
  w.Bytes(2, a.source);
  w.U64(3, a.sample_size);
  w.U64(4, a.failures);
  w.Bytes(5, a.assessor);
  w.Bytes(6, a.phase);
  w.Bytes(7, a.notes);
  w.Byte(8, a.blacklisted ? 1 : 2);
  w.Bytes(37, a.policy_sha256);
  return w.Finish();
}

absl::StatusOr<AssessmentEntry> AsAssessmentEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kSourceAssessed) {
    return absl::InvalidArgumentError("entry is not a source assessment");
  }
  AssessmentEntry a;
  std::string kind = Field(e, 1), black = Field(e, 8);
  a.source = Field(e, 2);
  auto sample = entry_internal::RequiredU64(e, 3, "sample_size");
  auto failures = entry_internal::RequiredU64(e, 4, "failures");
  a.assessor = Field(e, 5);
  a.phase = Field(e, 6);
  a.notes = Field(e, 7);
  a.policy_sha256 = Field(e, 37);
  if (kind.size() != 1 || kind[0] < 1 || kind[0] > 2 || a.source.empty() || !sample.ok() ||
      !failures.ok() || black.size() != 1 || black[0] < 1 || black[0] > 2 ||
      a.policy_sha256.size() != kSha256Size) {
    return absl::InvalidArgumentError("assessment entry: missing or malformed fields");
  }
  a.kind = static_cast<SourceKind>(kind[0]);
  a.sample_size = *sample;
  a.failures = *failures;
  a.blacklisted = black[0] == 1;
  return a;
}

std::string EncodeReevaluationEntry(const ReevaluationEntry& r, int64_t timestamp_us) {
  FieldWriter w(EntryType::kReevaluated, timestamp_us);
  w.U64(1, r.document_index);
  w.Byte(2, r.previous_verdict);
  w.Bytes(3, r.cause);
  w.Byte(35, r.verdict.verdict);
  w.Bytes(36, entry_internal::EncodeReasons(r.verdict.reasons));
  w.Bytes(37, r.verdict.policy_sha256);
  w.Bytes(38, r.verdict.intended_use);
  return w.Finish();
}

VerdictRecord VerdictAfter(const VerdictRecord& own, ReevaluationEntry r) {
  r.verdict.source = own.source;
  r.verdict.license = own.license;
  r.verdict.license_class = own.license_class;
  return std::move(r.verdict);
}

absl::StatusOr<ReevaluationEntry> AsReevaluationEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kReevaluated) {
    return absl::InvalidArgumentError("entry is not a re-evaluation");
  }
  ReevaluationEntry r;
  auto doc = entry_internal::RequiredU64(e, 1, "document_index");
  std::string prev = Field(e, 2), verdict = Field(e, 35);
  r.cause = Field(e, 3);
  r.verdict.policy_sha256 = Field(e, 37);
  r.verdict.intended_use = Field(e, 38);
  if (!doc.ok() || prev.size() != 1 || verdict.size() != 1 || verdict[0] < 1 || verdict[0] > 3 ||
      r.cause.empty() || r.verdict.policy_sha256.size() != kSha256Size) {
    return absl::InvalidArgumentError("re-evaluation entry: missing or malformed fields");
  }
  r.document_index = *doc;
  r.previous_verdict = static_cast<uint8_t>(prev[0]);
  r.verdict.verdict = static_cast<uint8_t>(verdict[0]);
  auto reasons = entry_internal::DecodeReasons(Field(e, 36));
  if (!reasons.ok()) return reasons.status();
  r.verdict.reasons = *std::move(reasons);
  return r;
}

}  // namespace provledger
