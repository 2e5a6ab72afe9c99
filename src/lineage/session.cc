#include "session.h"

#include <algorithm>
#include <deque>
#include <set>

#include "provledger/index_keys.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"

namespace provledger::lineage_internal {

absl::StatusOr<std::vector<uint64_t>> Session::Below(const std::string& prefix,
                                                     std::optional<uint64_t> after, size_t limit) {
  constexpr size_t kPage = 1024;
  std::vector<uint64_t> out;
  while (out.size() < limit) {
    size_t want = std::min(kPage, limit - out.size());
    PL_ASSIGN_OR_RETURN(std::vector<uint64_t> page, ledger_->ScanIndexPrefix(prefix, after, want));
    for (uint64_t i : page) {
      if (i >= anchor_.size) return out;
      out.push_back(i);
    }
    if (page.size() < want) break;
    after = page.back();
  }
  return out;
}

absl::StatusOr<DecodedEntry> Session::Entry(uint64_t index) {
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt({index}));
  if (entries.size() != 1)
    return absl::DataLossError("entry " + std::to_string(index) + " is missing");
  auto decoded = DecodeEntry(entries[0].data);
  if (!decoded.ok()) {
    return absl::DataLossError("entry " + std::to_string(index) +
                               " does not decode: " + std::string(decoded.status().message()));
  }
  return *std::move(decoded);
}

absl::StatusOr<DatasetView> Session::Dataset(const std::string& dataset_id) {
  auto cached = datasets_.find(dataset_id);
  if (cached != datasets_.end()) return cached->second;
  PL_ASSIGN_OR_RETURN(auto index, ledger_->LookupIndex(index_keys::Dataset(dataset_id)));
  if (!index.has_value() || *index >= anchor_.size) {
    return absl::NotFoundError("dataset_id '" + EchoValue(dataset_id) +
                               "' does not exist at tree size " + std::to_string(anchor_.size));
  }
  DatasetView view;
  view.ledger_index = *index;
  PL_ASSIGN_OR_RETURN(DecodedEntry e, Entry(*index));
  view.created_us = e.timestamp_us;
  PL_ASSIGN_OR_RETURN(view.entry, AsDatasetEntry(e));
  PL_ASSIGN_OR_RETURN(auto seal, ledger_->LookupIndex(index_keys::Seal(dataset_id)));
  if (seal.has_value() && *seal < anchor_.size) {
    PL_ASSIGN_OR_RETURN(DecodedEntry s, Entry(*seal));
    PL_ASSIGN_OR_RETURN(SealEntry manifest, AsSealEntry(s));
    view.seal = std::move(manifest);
    view.seal_index = *seal;
  }
  datasets_.emplace(dataset_id, view);
  return view;
}

absl::StatusOr<std::vector<DerivationEdgeInfo>> Session::Edges(const std::string& prefix,
                                                               const std::string& dataset_id,
                                                               bool parents) {
  PL_ASSIGN_OR_RETURN(std::vector<uint64_t> indices, Below(prefix));
  std::vector<DerivationEdgeInfo> edges;
  for (uint64_t i : indices) {
    PL_ASSIGN_OR_RETURN(DecodedEntry e, Entry(i));
    PL_ASSIGN_OR_RETURN(DerivationEntry d, AsDerivationEntry(e));
    if (parents) {
      for (const DatasetRef& p : d.parents) edges.push_back({p.dataset_id, d, i});
    } else {
      edges.push_back({dataset_id, std::move(d), i});
    }
  }
  return edges;
}

absl::StatusOr<std::vector<DerivationEdgeInfo>> Session::ParentEdges(
    const std::string& dataset_id) {
  return Edges(index_keys::DerivationParentsPrefix(dataset_id), dataset_id, true);
}

absl::StatusOr<std::vector<DerivationEdgeInfo>> Session::ChildEdges(const std::string& dataset_id) {
  return Edges(index_keys::DerivationChildrenPrefix(dataset_id), dataset_id, false);
}

absl::StatusOr<std::vector<ModelUseInfo>> Session::Models(const std::string& dataset_id) {
  auto cached = models_.find(dataset_id);
  if (cached != models_.end()) return cached->second;
  std::vector<ModelUseInfo> uses;
  std::set<std::string> seen{dataset_id};
  std::deque<std::pair<std::string, std::vector<std::string>>> queue{{dataset_id, {}}};
  while (!queue.empty()) {
    auto [ds, path] = std::move(queue.front());
    queue.pop_front();
    PL_ASSIGN_OR_RETURN(std::vector<uint64_t> runs, Below(index_keys::DatasetRunsPrefix(ds)));
    for (uint64_t r : runs) {
      PL_ASSIGN_OR_RETURN(DecodedEntry e, Entry(r));
      PL_ASSIGN_OR_RETURN(TrainingRunEntry run, AsTrainingRunEntry(e));
      uses.push_back({run.model_name, run.model_version, r, ds, path,
                      run.verdict.has_value() ? run.verdict->verdict : uint8_t{0}});
    }
    PL_ASSIGN_OR_RETURN(std::vector<DerivationEdgeInfo> children, ChildEdges(ds));
    for (const DerivationEdgeInfo& edge : children) {
      const std::string& child = edge.entry.dataset_id;
      if (!seen.insert(child).second) continue;
      std::vector<std::string> next = path;
      next.push_back(child);
      queue.emplace_back(child, std::move(next));
    }
  }
  models_.emplace(dataset_id, uses);
  return uses;
}

absl::StatusOr<std::pair<VerdictRecord, uint64_t>> Session::VerdictInForce(
    uint64_t index, const DocumentEntry& doc) {
  VerdictRecord own = doc.verdict.value_or(VerdictRecord{});
  PL_ASSIGN_OR_RETURN(std::vector<uint64_t> revs, Below(index_keys::ReevaluationsPrefix(index)));
  if (revs.empty()) return std::make_pair(std::move(own), index);
  PL_ASSIGN_OR_RETURN(DecodedEntry e, Entry(revs.back()));
  PL_ASSIGN_OR_RETURN(ReevaluationEntry r, AsReevaluationEntry(e));
  return std::make_pair(VerdictAfter(own, std::move(r)), revs.back());
}

absl::StatusOr<RegistrationInfo> Session::Registration(const StoredEntry& stored) {
  auto decoded = DecodeEntry(stored.data);
  if (!decoded.ok()) {
    return absl::DataLossError("entry " + std::to_string(stored.index) +
                               " does not decode: " + std::string(decoded.status().message()));
  }
  PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(*decoded));
  return Registration(stored, std::move(doc), decoded->timestamp_us);
}

absl::StatusOr<RegistrationInfo> Session::Registration(const StoredEntry& stored, DocumentEntry doc,
                                                       int64_t timestamp_us) {
  if (stored.index >= anchor_.size) {
    return absl::OutOfRangeError("entry " + std::to_string(stored.index) +
                                 " is not in the tree of size " + std::to_string(anchor_.size));
  }
  RegistrationInfo r;
  r.ledger_index = stored.index;
  r.leaf_hash = stored.leaf_hash;
  r.registered_us = timestamp_us;
  PL_ASSIGN_OR_RETURN(DatasetView ds, Dataset(doc.dataset_id));
  r.dataset = std::move(ds.entry);
  PL_ASSIGN_OR_RETURN(auto verdict, VerdictInForce(stored.index, doc));
  r.verdict = std::move(verdict.first);
  r.verdict_index = verdict.second;
  PL_ASSIGN_OR_RETURN(r.models, Models(doc.dataset_id));
  PL_ASSIGN_OR_RETURN(r.inclusion_proof, ledger_->InclusionProof(stored.index, anchor_.size));
  r.document = std::move(doc);
  return r;
}

}  // namespace provledger::lineage_internal
