// The review entry (type 9): a reviewer's judgement of a sampled document.
#include "entry_fields.h"
#include "provledger/entry.h"

namespace provledger {

using entry_internal::Field;
using entry_internal::FieldWriter;

std::string EncodeReviewEntry(const ReviewEntry& r, int64_t timestamp_us) {
  FieldWriter w(EntryType::kReviewRecorded, timestamp_us);
  w.U64(1, r.document_index);
  w.Bytes(2, r.reviewer);
  w.Byte(3, r.passed ? 1 : 2);
  w.Bytes(4, r.notes);
  if (r.sample_tree_size != 0) w.U64(5, r.sample_tree_size);
  return w.Finish();
}

absl::StatusOr<ReviewEntry> AsReviewEntry(const DecodedEntry& e) {
  if (e.type != EntryType::kReviewRecorded) {
    return absl::InvalidArgumentError("entry is not a review");
  }
  ReviewEntry r;
  auto doc = entry_internal::RequiredU64(e, 1, "document_index");
  std::string result = Field(e, 3), sample = Field(e, 5);
  r.reviewer = Field(e, 2);
  r.notes = Field(e, 4);
  if (!doc.ok() || r.reviewer.empty() || result.size() != 1 || result[0] < 1 || result[0] > 2 ||
      (!sample.empty() && sample.size() != 8)) {
    return absl::InvalidArgumentError("review entry: missing or malformed fields");
  }
  r.document_index = *doc;
  r.passed = result[0] == 1;
  if (!sample.empty()) r.sample_tree_size = ReadU64BE(sample.data());
  return r;
}

}  // namespace provledger
