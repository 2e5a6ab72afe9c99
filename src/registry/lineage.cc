// Dataset manifests (seal), derivations and training runs.
#include <algorithm>
#include <set>

#include "provledger/encoding.h"
#include "provledger/index_keys.h"
#include "provledger/merkle.h"
#include "provledger/registry.h"
#include "provledger/source_record_codec.h"
#include "provledger/status_macros.h"
#include "provledger/utf8.h"
#include "registry_internal.h"
#include "verdicts.h"

namespace provledger {
namespace {

constexpr size_t kScanPage = 4096;
const std::set<std::string>& Transformations() {
  static const std::set<std::string> t = {"filter", "deduplicate", "mix",
                                          "sample", "annotate",    "other"};
  return t;
}

absl::Status CheckLength(const std::string& v, const char* field, size_t max, bool required) {
  if (required && v.empty()) return absl::InvalidArgumentError(std::string(field) + " is required");
  if (v.size() > max) {
    return absl::InvalidArgumentError(std::string(field) + " is longer than " +
                                      std::to_string(max) + " bytes");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Registry::ForEachDatasetDocument(
    const std::string& dataset_id,
    const std::function<void(const StoredEntry&, const DocumentEntry&)>& fn) {
  std::optional<uint64_t> after;
  while (true) {
    PL_ASSIGN_OR_RETURN(
        std::vector<uint64_t> indices,
        ledger_->ScanIndexPrefix(index_keys::DatasetDocumentsPrefix(dataset_id), after, kScanPage));
    if (indices.empty()) break;
    PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntriesAt(indices));
    for (const StoredEntry& e : entries) {
      PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(e.data));
      PL_ASSIGN_OR_RETURN(DocumentEntry doc, AsDocumentEntry(decoded));
      fn(e, doc);
    }
    after = indices.back();
    if (indices.size() < kScanPage) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<SealInfo> Registry::GetSeal(const std::string& dataset_id) {
  PL_ASSIGN_OR_RETURN(auto index, ledger_->LookupIndex(index_keys::Seal(dataset_id)));
  if (!index.has_value()) {
    return absl::NotFoundError("dataset_id '" + EchoValue(dataset_id) + "' is not sealed");
  }
  PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntries(*index, 1));
  if (entries.empty()) return absl::DataLossError("manifest entry is missing");
  PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(entries[0].data));
  SealInfo info;
  PL_ASSIGN_OR_RETURN(info.manifest, AsSealEntry(decoded));
  info.ledger_index = *index;
  info.already_sealed = true;
  info.checkpoint = ledger_->Latest();
  return info;
}

absl::StatusOr<SealInfo> Registry::SealDataset(const std::string& dataset_id) {
  PL_ASSIGN_OR_RETURN(DatasetDefaults defaults, Defaults(dataset_id));
  if (defaults.sealed) return GetSeal(dataset_id);
  {
    // From here on registrations into the dataset are refused; wait for the
    // ones already queued to become durable (or fail).
    std::unique_lock<std::mutex> lock(mu_);
    if (!sealing_.insert(dataset_id).second) {
      return absl::UnavailableError("dataset_id '" + dataset_id + "' is being sealed; retry");
    }
    in_flight_cv_.wait(lock, [&] { return in_flight_[dataset_id] == 0; });
  }
  auto result = [&]() -> absl::StatusOr<SealInfo> {
    SealEntry m;
    m.dataset_id = dataset_id;
    m.ledger_size = ledger_->Latest()->size;
    // Streamed: memory stays bounded whatever the dataset's size.
    merkle::CompactTree tree;
    PL_RETURN_IF_ERROR(
        ForEachDatasetDocument(dataset_id, [&](const StoredEntry& e, const DocumentEntry& d) {
          m.document_count++;
          m.total_bytes += d.size_bytes;
          uint8_t verdict = d.verdict.has_value() ? d.verdict->verdict : 1;
          m.verdicts[verdict - 1]++;
          // License classes count training data: documents not rejected.
          if (verdict != 3) {
            m.license_classes[d.verdict.has_value() ? d.verdict->license_class : 0]++;
          }
          tree.Append(e.leaf_hash, [](merkle::NodeId, const std::string&) {});
        }));
    m.manifest_root = tree.Root();
    AppendRequest req;
    req.entry = EncodeSealEntry(m, clock_->NowMicros());
    req.dedup_key = index_keys::Seal(dataset_id);
    AppendOutcome out = ledger_->Append({std::move(req)});
    PL_RETURN_IF_ERROR(out.status);
    if (out.results[0].existed) return GetSeal(dataset_id);
    SealInfo info;
    info.manifest = std::move(m);
    info.ledger_index = out.results[0].index;
    info.checkpoint = out.checkpoint;
    return info;
  }();
  std::lock_guard<std::mutex> lock(mu_);
  sealing_.erase(dataset_id);
  if (result.ok()) known_datasets_[dataset_id].sealed = true;
  return result;
}

absl::StatusOr<DatasetRef> Registry::SealedRef(const std::string& dataset_id, SealEntry* manifest) {
  auto seal = GetSeal(dataset_id);
  if (absl::IsNotFound(seal.status())) {
    PL_RETURN_IF_ERROR(GetDataset(dataset_id).status());  // NotFound if it does not exist
    return absl::FailedPreconditionError("dataset_id '" + dataset_id +
                                         "' is not sealed; seal it first");
  }
  PL_RETURN_IF_ERROR(seal.status());
  *manifest = seal->manifest;
  return DatasetRef{dataset_id, seal->manifest.manifest_root};
}

absl::StatusOr<bool> Registry::IsAncestor(const std::string& candidate, const std::string& of) {
  // Depth-first over parent edges from `of`.
  std::vector<std::string> stack = {of};
  std::set<std::string> seen;
  while (!stack.empty()) {
    std::string ds = std::move(stack.back());
    stack.pop_back();
    if (ds == candidate) return true;
    if (!seen.insert(ds).second) continue;
    PL_ASSIGN_OR_RETURN(
        auto edges,
        ledger_->ScanIndexPrefix(index_keys::DerivationParentsPrefix(ds), std::nullopt, kScanPage));
    if (edges.empty()) continue;
    PL_ASSIGN_OR_RETURN(auto entries, ledger_->GetEntriesAt(edges));
    for (const StoredEntry& e : entries) {
      PL_ASSIGN_OR_RETURN(DecodedEntry decoded, DecodeEntry(e.data));
      PL_ASSIGN_OR_RETURN(DerivationEntry d, AsDerivationEntry(decoded));
      for (const DatasetRef& p : d.parents) stack.push_back(p.dataset_id);
    }
  }
  return false;
}

absl::StatusOr<LineageInfo<DerivationEntry>> Registry::DeriveDataset(const DerivationSpec& spec) {
  if (spec.child.empty()) return absl::InvalidArgumentError("child is required");
  if (spec.parents.empty()) return absl::InvalidArgumentError("parents must name at least one");
  if (!Transformations().count(spec.transformation)) {
    return absl::InvalidArgumentError(
        "transformation must be filter, deduplicate, mix, sample, annotate or other");
  }
  PL_RETURN_IF_ERROR(CheckLength(spec.description, "description", 4096, false));
  PL_ASSIGN_OR_RETURN(DatasetDefaults child, Defaults(spec.child));
  DerivationEntry entry;
  entry.dataset_id = spec.child;
  entry.transformation = spec.transformation;
  entry.description = spec.description;
  std::vector<policy::Policy::ParentLicenses> licenses;
  std::set<std::string> unique;
  for (const std::string& parent : spec.parents) {
    if (parent == spec.child) {
      return absl::FailedPreconditionError("a dataset cannot derive from itself");
    }
    if (!unique.insert(parent).second) {
      return absl::InvalidArgumentError("parents names " + parent + " twice");
    }
    SealEntry manifest;
    PL_ASSIGN_OR_RETURN(DatasetRef ref, SealedRef(parent, &manifest));
    PL_ASSIGN_OR_RETURN(bool cycle, IsAncestor(spec.child, parent));
    if (cycle) {
      std::string message = "deriving " + spec.child;
      message += " from " + parent;
      message += " would close a cycle: " + spec.child;
      message += " is already an ancestor of " + parent;
      return absl::FailedPreconditionError(message);
    }
    policy::Policy::ParentLicenses pl{parent, spdx::LicenseClass::kPublicDomain, false};
    for (int c = 1; c <= 8; ++c) {
      if (manifest.license_classes[c] > 0) {
        pl.most_restrictive = static_cast<spdx::LicenseClass>(c);
        pl.has_data = true;
      }
    }
    licenses.push_back(pl);
    entry.parents.push_back(std::move(ref));
  }
  VerdictRecord v = ToVerdictRecord(policy_->EvaluateDerivation(child.source.license, licenses),
                                    policy_->sha256());
  v.license.clear();  // the derivation entry records the verdict only
  entry.verdict = std::move(v);

  std::string digest_input = spec.transformation;
  for (const DatasetRef& p : entry.parents) digest_input += "\n" + p.dataset_id;
  AppendRequest req;
  req.entry = EncodeDerivationEntry(entry, clock_->NowMicros());
  req.dedup_key = index_keys::Derivation(spec.child, Sha256(digest_input));
  req.index_prefixes.push_back(index_keys::DerivationParentsPrefix(spec.child));
  for (const DatasetRef& p : entry.parents) {
    req.index_prefixes.push_back(index_keys::DerivationChildrenPrefix(p.dataset_id));
  }
  return registry_internal::AppendOne<DerivationEntry>(ledger_, std::move(req), std::move(entry),
                                                       &AsDerivationEntry);
}

absl::StatusOr<LineageInfo<TrainingRunEntry>> Registry::RegisterTrainingRun(
    const TrainingRunSpec& spec) {
  PL_RETURN_IF_ERROR(CheckLength(spec.model_name, "model_name", 256, true));
  PL_RETURN_IF_ERROR(CheckLength(spec.model_version, "model_version", 128, false));
  PL_RETURN_IF_ERROR(CheckLength(spec.description, "description", 4096, false));
  if (spec.dataset_ids.empty()) {
    return absl::InvalidArgumentError("dataset_ids must name at least one sealed dataset");
  }
  if (spec.training_start_us != 0 && spec.training_end_us != 0 &&
      spec.training_end_us < spec.training_start_us) {
    return absl::InvalidArgumentError("training_end is before training_start");
  }
  TrainingRunEntry entry;
  entry.model_name = spec.model_name;
  entry.model_version = spec.model_version;
  entry.training_start_us = spec.training_start_us;
  entry.training_end_us = spec.training_end_us;
  entry.deployment = static_cast<uint8_t>((spec.commercial ? 1 : 0) | (spec.public_cn ? 2 : 0) |
                                          (spec.public_eu ? 4 : 0));
  entry.description = spec.description;
  std::vector<policy::Policy::RunDataset> datasets;
  std::set<std::string> unique;
  for (const std::string& ds : spec.dataset_ids) {
    if (!unique.insert(ds).second) {
      return absl::InvalidArgumentError("dataset_ids names " + ds + " twice");
    }
    SealEntry manifest;
    PL_ASSIGN_OR_RETURN(DatasetRef ref, SealedRef(ds, &manifest));
    PL_ASSIGN_OR_RETURN(DatasetDefaults defaults, Defaults(ds));
    datasets.push_back(policy::Policy::RunDataset{
        ds, defaults.intended_use, manifest.verdicts[1],
        manifest.license_classes[static_cast<int>(spdx::LicenseClass::kNonCommercial)],
        manifest.license_classes[static_cast<int>(spdx::LicenseClass::kNoDerivatives)]});
    entry.datasets.push_back(std::move(ref));
  }
  entry.verdict =
      ToVerdictRecord(policy_->EvaluateTrainingRun(spec.commercial, datasets), policy_->sha256());

  AppendRequest req;
  // The run's identity: everything but the timestamp, so a retry is a no-op.
  std::string body = EncodeTrainingRunEntry(entry, 0);
  req.dedup_key = index_keys::TrainingRun(Sha256(body));
  req.entry = EncodeTrainingRunEntry(entry, clock_->NowMicros());
  req.index_prefixes.push_back(index_keys::ModelRunsPrefix(spec.model_name, spec.model_version));
  for (const DatasetRef& r : entry.datasets) {
    req.index_prefixes.push_back(index_keys::DatasetRunsPrefix(r.dataset_id));
  }
  return registry_internal::AppendOne<TrainingRunEntry>(ledger_, std::move(req), std::move(entry),
                                                        &AsTrainingRunEntry);
}

}  // namespace provledger
