// LineageQueries: anchors, lookups and the dataset/model lineage views.
// Matching is in match.cc.
#include <algorithm>
#include <deque>
#include <set>

#include "provledger/index_keys.h"
#include "provledger/lineage.h"
#include "provledger/policy.h"
#include "provledger/source_record_codec.h"
#include "provledger/spdx.h"
#include "provledger/status_macros.h"
#include "session.h"

namespace provledger {

using lineage_internal::Session;

LineageQueries::LineageQueries(Ledger* ledger, PostingIndex* postings, LineageOptions options)
    : ledger_(ledger), postings_(postings), options_(options) {}

absl::StatusOr<SignedCheckpoint> LineageQueries::Resolve(const AsOfSpec& as_of) {
  std::shared_ptr<const SignedCheckpoint> latest = ledger_->Latest();
  uint64_t size = latest->size;
  if (as_of.tree_size.has_value()) {
    if (*as_of.tree_size > size) {
      return absl::OutOfRangeError("as_of.tree_size " + std::to_string(*as_of.tree_size) +
                                   " is beyond the latest checkpoint's size " +
                                   std::to_string(size));
    }
    size = *as_of.tree_size;
  } else if (as_of.time_us.has_value()) {
    // The first entry stamped after the time: binary search over the
    // (nondecreasing up to batch jitter) entry timestamps.
    uint64_t lo = 0, hi = size;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> e, ledger_->GetEntriesAt({mid}));
      if (e.size() != 1 || e[0].data.size() < 10) {
        return absl::DataLossError("entry " + std::to_string(mid) + " is malformed");
      }
      auto ts = static_cast<int64_t>(ReadU64BE(e[0].data.data() + 2));
      if (ts <= *as_of.time_us) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    size = lo;
  } else {
    return *latest;
  }
  return ledger_->CheckpointAtOrBefore(size);
}

absl::StatusOr<RegistrationInfo> LineageQueries::Registration(const StoredEntry& entry,
                                                              const SignedCheckpoint& anchor) {
  Session session(ledger_, anchor);
  return session.Registration(entry);
}

absl::StatusOr<LookupResult> LineageQueries::LookupContent(const std::string& id_or_hash,
                                                           const AsOfSpec& as_of, size_t page_size,
                                                           std::optional<uint64_t> after) {
  std::string prefix;
  if (id_or_hash.size() == 32) {
    prefix = index_keys::ContentPrefix(id_or_hash);
  } else if (id_or_hash.size() == 16) {
    prefix = index_keys::NormalizedHashPrefix(id_or_hash);
  } else {
    return absl::InvalidArgumentError(
        "content_id must be 32 bytes (SHA-256) and normalized_hash 16 bytes (XXH3-128), got " +
        std::to_string(id_or_hash.size()));
  }
  PL_ASSIGN_OR_RETURN(SignedCheckpoint anchor, Resolve(as_of));
  Session session(ledger_, anchor);
  LookupResult result;
  PL_ASSIGN_OR_RETURN(std::vector<uint64_t> indices, session.Below(prefix, after, page_size + 1));
  if (indices.size() > page_size) {
    indices.resize(page_size);
    result.next_after = indices.back();
  }
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt(indices));
  for (const StoredEntry& e : entries) {
    PL_ASSIGN_OR_RETURN(RegistrationInfo r, session.Registration(e));
    result.registrations.push_back(std::move(r));
  }
  result.anchor = std::move(anchor);
  return result;
}

absl::StatusOr<DatasetView> LineageQueries::GetDataset(const std::string& dataset_id,
                                                       const SignedCheckpoint& anchor) {
  Session session(ledger_, anchor);
  return session.Dataset(dataset_id);
}

absl::StatusOr<std::vector<std::string>> LineageQueries::DatasetProof(
    const DatasetView& dataset, const SignedCheckpoint& anchor) {
  return ledger_->InclusionProof(dataset.ledger_index, anchor.size);
}

absl::StatusOr<std::vector<std::pair<uint64_t, DocumentEntry>>>
LineageQueries::ListDatasetDocuments(const std::string& dataset_id, const SignedCheckpoint& anchor,
                                     size_t page_size, std::optional<uint64_t> after, bool* more) {
  Session session(ledger_, anchor);
  PL_RETURN_IF_ERROR(session.Dataset(dataset_id).status());
  PL_ASSIGN_OR_RETURN(
      std::vector<uint64_t> indices,
      session.Below(index_keys::DatasetDocumentsPrefix(dataset_id), after, page_size + 1));
  *more = indices.size() > page_size;
  if (*more) indices.resize(page_size);
  PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt(indices));
  std::vector<std::pair<uint64_t, DocumentEntry>> out;
  out.reserve(entries.size());
  for (const StoredEntry& e : entries) {
    PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(e.data));
    PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(decoded));
    out.emplace_back(e.index, std::move(doc));
  }
  return out;
}

namespace {

// Walks the derivation DAG from `start` one way (parents or children),
// nearest first; every edge met goes to `edges` once.
absl::Status Walk(Session& session, const std::string& start, bool up,
                  std::vector<DatasetView>* found, std::vector<DerivationEdgeInfo>* edges,
                  std::set<std::pair<uint64_t, std::string>>* edge_seen) {
  std::set<std::string> seen{start};
  std::deque<std::string> queue{start};
  while (!queue.empty()) {
    std::string ds = queue.front();
    queue.pop_front();
    PL_ASSIGN_OR_RETURN(std::vector<DerivationEdgeInfo> next,
                        up ? session.ParentEdges(ds) : session.ChildEdges(ds));
    for (DerivationEdgeInfo& e : next) {
      std::string other = up ? e.parent_id : e.entry.dataset_id;
      // One derivation entry with several parents is one edge per parent.
      if (edge_seen->insert({e.ledger_index, e.parent_id}).second) edges->push_back(e);
      if (!seen.insert(other).second) continue;
      PL_ASSIGN_OR_RETURN(DatasetView view, session.Dataset(other));
      found->push_back(std::move(view));
      queue.push_back(other);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DatasetLineage> LineageQueries::GetDatasetLineage(const std::string& dataset_id,
                                                                 const AsOfSpec& as_of) {
  PL_ASSIGN_OR_RETURN(SignedCheckpoint anchor, Resolve(as_of));
  Session session(ledger_, anchor);
  DatasetLineage out;
  PL_ASSIGN_OR_RETURN(out.dataset, session.Dataset(dataset_id));
  std::set<std::pair<uint64_t, std::string>> edge_seen;
  PL_RETURN_IF_ERROR(Walk(session, dataset_id, true, &out.ancestors, &out.edges, &edge_seen));
  PL_RETURN_IF_ERROR(Walk(session, dataset_id, false, &out.descendants, &out.edges, &edge_seen));
  PL_ASSIGN_OR_RETURN(out.models, session.Models(dataset_id));
  out.anchor = std::move(anchor);
  return out;
}

absl::StatusOr<ModelLineage> LineageQueries::GetModelLineage(const std::string& model_name,
                                                             const std::string& model_version,
                                                             const AsOfSpec& as_of, bool counts) {
  PL_ASSIGN_OR_RETURN(SignedCheckpoint anchor, Resolve(as_of));
  Session session(ledger_, anchor);
  ModelLineage out;
  PL_ASSIGN_OR_RETURN(std::vector<uint64_t> runs,
                      session.Below(index_keys::ModelRunsPrefix(model_name, model_version)));
  if (runs.empty()) {
    return absl::NotFoundError("model '" + model_name + "' version '" + model_version +
                               "' has no training run at tree size " + std::to_string(anchor.size));
  }
  std::vector<std::string> used;
  for (uint64_t r : runs) {
    PL_ASSIGN_OR_RETURN(DecodedEntry e, session.Entry(r));
    PL_ASSIGN_OR_RETURN(TrainingRunEntry run, AsTrainingRunEntry(e));
    for (const DatasetRef& d : run.datasets) {
      if (std::find(used.begin(), used.end(), d.dataset_id) == used.end()) {
        used.push_back(d.dataset_id);
      }
    }
    out.runs.emplace_back(r, std::move(run));
  }
  std::set<std::string> listed;
  for (const std::string& ds : used) {
    PL_ASSIGN_OR_RETURN(DatasetView view, session.Dataset(ds));
    out.datasets.push_back(std::move(view));
    listed.insert(ds);
  }
  std::set<std::pair<uint64_t, std::string>> edge_seen;
  for (const std::string& ds : used) {
    std::vector<DatasetView> ancestors;
    PL_RETURN_IF_ERROR(Walk(session, ds, true, &ancestors, &out.edges, &edge_seen));
    for (DatasetView& a : ancestors) {
      if (listed.insert(a.entry.dataset_id).second) out.datasets.push_back(std::move(a));
    }
  }
  // Counts over the documents of the versions used. A derived version's
  // documents are registered into it, so its ancestors' documents are
  // counted only where the runs used those versions directly.
  std::set<std::string> counted;
  for (const std::string& ds : counts ? used : std::vector<std::string>{}) {
    if (!counted.insert(ds).second) continue;
    std::optional<uint64_t> after;
    while (true) {
      PL_ASSIGN_OR_RETURN(std::vector<uint64_t> page,
                          session.Below(index_keys::DatasetDocumentsPrefix(ds), after, 1024));
      if (page.empty()) break;
      PL_ASSIGN_OR_RETURN(std::vector<StoredEntry> entries, ledger_->GetEntriesAt(page));
      for (const StoredEntry& stored : entries) {
        PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(stored.data));
        PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(decoded));
        PL_ASSIGN_OR_RETURN(auto verdict, session.VerdictInForce(stored.index, doc));
        const VerdictRecord& v = verdict.first;
        LineageCountsInfo& c = out.counts;
        ++c.documents;
        c.bytes += doc.size_bytes;
        std::string category = "UNSPECIFIED";
        if (!v.source.empty()) {
          auto source = policy::DecodeSourceRecord(v.source);
          if (source.ok()) category = std::string(policy::SourceCategoryName(source->category));
        }
        ++c.by_source_category[category];
        ++c.by_license_class[v.license.empty()
                                 ? std::string("none")
                                 : std::string(spdx::LicenseClassName(
                                       static_cast<spdx::LicenseClass>(v.license_class)))];
        ++c.by_verdict[std::string(
            policy::VerdictName(static_cast<policy::Verdict>(v.verdict == 0 ? 1 : v.verdict)))];
      }
      if (page.size() < 1024) break;
      after = page.back();
    }
  }
  out.anchor = std::move(anchor);
  return out;
}

}  // namespace provledger
