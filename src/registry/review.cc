// Reviews of sampled documents (docs/reports.md §5).
#include "provledger/index_keys.h"
#include "provledger/registry.h"
#include "provledger/sha256.h"
#include "provledger/status_macros.h"
#include "registry_internal.h"

namespace provledger {
using registry_internal::CheckText;

absl::StatusOr<LineageInfo<ReviewEntry>> Registry::RecordReview(const ReviewSpec& spec) {
  PL_RETURN_IF_ERROR(CheckText(spec.reviewer, "reviewer", 256, true));
  PL_RETURN_IF_ERROR(CheckText(spec.notes, "notes", 4096, false, /*newline_ok=*/true));
  uint64_t size = ledger_->Latest()->size;
  if (spec.document_index >= size) {
    return absl::NotFoundError("document_index " + std::to_string(spec.document_index) +
                               " is beyond the ledger's size " + std::to_string(size));
  }
  if (spec.sample_tree_size > size ||
      (spec.sample_tree_size != 0 && spec.sample_tree_size <= spec.document_index)) {
    return absl::InvalidArgumentError("sample_tree_size " + std::to_string(spec.sample_tree_size) +
                                      " is not a tree size that includes the document (latest " +
                                      std::to_string(size) + ")");
  }
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> stored,
                      ledger_->GetEntriesAt({spec.document_index}));
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(stored.at(0).data));
  if (decoded.type != EntryType::kDocumentRegistered) {
    return absl::InvalidArgumentError("document_index " + std::to_string(spec.document_index) +
                                      " is not a document entry");
  }
  ReviewEntry entry;
  entry.document_index = spec.document_index;
  entry.reviewer = spec.reviewer;
  entry.passed = spec.passed;
  entry.notes = spec.notes;
  entry.sample_tree_size = spec.sample_tree_size;

  AppendRequest req;
  req.dedup_key = index_keys::Review(Sha256(EncodeReviewEntry(entry, 0)));
  req.entry = EncodeReviewEntry(entry, clock_->NowMicros());
  req.index_prefixes.push_back(index_keys::ReviewsPrefix(spec.document_index));
  return registry_internal::AppendOne<ReviewEntry>(ledger_, std::move(req), std::move(entry),
                                                   &AsReviewEntry);
}

}  // namespace provledger
