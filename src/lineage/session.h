// One query's view of the ledger as of an anchor, with caches for what many
// registrations share (datasets, the models reached from a dataset). Not
// thread-safe: one per query.
#ifndef PROVLEDGER_SRC_LINEAGE_SESSION_H_
#define PROVLEDGER_SRC_LINEAGE_SESSION_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "provledger/entry.h"
#include "provledger/ledger.h"
#include "provledger/lineage.h"

namespace provledger::lineage_internal {

class Session {
 public:
  Session(Ledger* ledger, SignedCheckpoint anchor) : ledger_(ledger), anchor_(std::move(anchor)) {}

  const SignedCheckpoint& anchor() const { return anchor_; }

  // Ledger indices under a multi-valued index prefix below the anchor,
  // ascending, after `after`, at most `limit`.
  absl::StatusOr<std::vector<uint64_t>> Below(const std::string& prefix,
                                              std::optional<uint64_t> after = std::nullopt,
                                              size_t limit = SIZE_MAX);
  // The decoded entry at `index` (< anchor size).
  absl::StatusOr<DecodedEntry> Entry(uint64_t index);

  // NotFound naming the dataset if it did not exist at the anchor.
  absl::StatusOr<DatasetView> Dataset(const std::string& dataset_id);
  // Derivation edges into (parents) and out of (children) a dataset.
  absl::StatusOr<std::vector<DerivationEdgeInfo>> ParentEdges(const std::string& dataset_id);
  absl::StatusOr<std::vector<DerivationEdgeInfo>> ChildEdges(const std::string& dataset_id);
  // Training runs on the dataset or any version derived from it.
  absl::StatusOr<std::vector<ModelUseInfo>> Models(const std::string& dataset_id);
  // The verdict in force for a document entry and the index recording it.
  absl::StatusOr<std::pair<VerdictRecord, uint64_t>> VerdictInForce(uint64_t index,
                                                                    const DocumentEntry& doc);
  // Everything a registration reports (see LineageQueries::Registration).
  absl::StatusOr<RegistrationInfo> Registration(const StoredEntry& stored);
  absl::StatusOr<RegistrationInfo> Registration(const StoredEntry& stored, DocumentEntry doc,
                                                int64_t timestamp_us);

 private:
  absl::StatusOr<std::vector<DerivationEdgeInfo>> Edges(const std::string& prefix,
                                                        const std::string& dataset_id,
                                                        bool parents);
  Ledger* ledger_;
  SignedCheckpoint anchor_;
  std::map<std::string, DatasetView> datasets_;
  std::map<std::string, std::vector<ModelUseInfo>> models_;
};

}  // namespace provledger::lineage_internal

#endif  // PROVLEDGER_SRC_LINEAGE_SESSION_H_
