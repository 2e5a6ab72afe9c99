// Index-key schema of Column::kIndex (docs/ledger-format.md §3): written by the
// registry in the registration batches, read by the registry and the lineage
// queries.
#ifndef PROVLEDGER_INDEX_KEYS_H_
#define PROVLEDGER_INDEX_KEYS_H_

#include <string>

#include "provledger/encoding.h"

namespace provledger::index_keys {

// dataset id -> its dataset entry (single-valued; the CreateDataset dedup key).
inline std::string Dataset(const std::string& dataset_id) { return "ds/" + dataset_id; }
// (dataset, content id) -> the document entry (the registration dedup key).
inline std::string DatasetContent(const std::string& dataset_id, const std::string& content_id) {
  return "dc/" + dataset_id + std::string(1, '\0') + content_id;
}
// Multi-valued prefixes, followed by the 8-byte big-endian ledger index.
inline std::string DatasetDocumentsPrefix(const std::string& dataset_id) {
  return "dd/" + dataset_id + std::string(1, '\0');
}
inline std::string ContentPrefix(const std::string& content_id) { return "cid/" + content_id; }
// The exact normalised-text index, multi-valued like the above (LSH bands and
// winnowing hashes are postings: src/index).
inline std::string NormalizedHashPrefix(const std::string& normalized_hash) {
  return "nh/" + normalized_hash;
}

// Lineage (docs/ledger-format.md): a dataset's manifest (single-valued; the
// seal dedup key), derivation edges both ways, training runs by model and by
// dataset, and the dedup keys of derivations and runs.
inline std::string Seal(const std::string& dataset_id) { return "seal/" + dataset_id; }
inline std::string DerivationParentsPrefix(const std::string& child) {
  return "dvp/" + child + std::string(1, '\0');
}
inline std::string DerivationChildrenPrefix(const std::string& parent) {
  return "dvc/" + parent + std::string(1, '\0');
}
inline std::string Derivation(const std::string& child, const std::string& digest) {
  return "dv/" + child + std::string(1, '\0') + digest;
}
inline std::string ModelRunsPrefix(const std::string& model, const std::string& version) {
  return "mr/" + model + std::string(1, '\0') + version + std::string(1, '\0');
}
inline std::string DatasetRunsPrefix(const std::string& dataset_id) {
  return "dsr/" + dataset_id + std::string(1, '\0');
}
inline std::string TrainingRun(const std::string& digest) { return "run/" + digest; }
// Opt-out declarations: all of them (multi-valued, for loading) and the
// dedup key per declarant and target.
inline std::string OptOutsPrefix() { return "ood/"; }
inline std::string OptOut(const std::string& digest) { return "oo/" + digest; }
// Documents by source: reversed host ("org.example.news") + "\0", and lower
// case dataset name + "\0"; assessments (all, for loading); re-evaluations
// of a document.
inline std::string SourceHostPrefix(const std::string& reversed_host) {
  return "sh/" + reversed_host + std::string(1, '\0');
}
inline std::string SourceDatasetPrefix(const std::string& name) {
  return "sn/" + AsciiLower(name) + std::string(1, '\0');
}
inline std::string AssessmentsPrefix() { return "sas/"; }
inline std::string ReevaluationsPrefix(uint64_t document_index) {
  return "rev/" + U64BE(document_index);
}

// Reviews of a sampled document (docs/reports.md), in ledger order, and the
// dedup key of one review (SHA-256 of the entry encoded with timestamp 0).
inline std::string ReviewsPrefix(uint64_t document_index) { return "rvw/" + U64BE(document_index); }
inline std::string Review(const std::string& digest) { return "rv/" + digest; }

}  // namespace provledger::index_keys

#endif  // PROVLEDGER_INDEX_KEYS_H_
