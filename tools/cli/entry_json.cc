#include "entry_json.h"

#include "provledger/encoding.h"
#include "provledger/policy.h"
#include "provledger/source_record_codec.h"
#include "provledger/spdx.h"

namespace provledger::cli {
namespace {

// The stored canonical source record as JSON (or the decoding error).
nlohmann::json SourceJson(const std::string& bytes) {
  auto r = policy::DecodeSourceRecord(bytes);
  if (!r.ok()) return std::string(r.status().message());
  return nlohmann::json::parse(policy::SourceRecordToJson(*r));
}

}  // namespace

void AddDocumentFields(const DocumentEntry& d, nlohmann::json* j) {
  (*j)["dataset_id"] = d.dataset_id;
  (*j)["content_id"] = ToHex(d.content_id);
  (*j)["size_bytes"] = d.size_bytes;
  (*j)["client_ref"] = d.client_ref;
  if (!d.media_type.empty()) (*j)["media_type"] = d.media_type;
  if (!d.verdict.has_value()) return;
  const VerdictRecord& v = *d.verdict;
  (*j)["verdict"] = policy::VerdictName(static_cast<policy::Verdict>(v.verdict));
  nlohmann::json reasons = nlohmann::json::array();
  for (const ReasonRecord& r : v.reasons) {
    reasons.push_back({{"code", r.code},
                       {"severity", policy::VerdictName(static_cast<policy::Verdict>(r.severity))},
                       {"message", r.message}});
  }
  (*j)["reasons"] = reasons;
  if (!v.license.empty()) {
    (*j)["license"] = v.license;
    (*j)["license_class"] =
        spdx::LicenseClassName(static_cast<spdx::LicenseClass>(v.license_class));
  }
  (*j)["intended_use"] = v.intended_use;
  (*j)["policy_sha256"] = ToHex(v.policy_sha256);
  (*j)["source"] = SourceJson(v.source);
}

void AddDatasetFields(const DatasetEntry& d, nlohmann::json* j) {
  (*j)["dataset_id"] = d.dataset_id;
  (*j)["name"] = d.name;
  (*j)["version"] = d.version;
  (*j)["description"] = d.description;
  if (!d.owner.empty()) (*j)["owner"] = d.owner;
  if (!d.intended_use.empty()) (*j)["intended_use"] = d.intended_use;
  if (!d.default_source.empty()) (*j)["default_source"] = SourceJson(d.default_source);
}

namespace {

nlohmann::json Refs(const std::vector<DatasetRef>& refs) {
  nlohmann::json out = nlohmann::json::array();
  for (const DatasetRef& r : refs) {
    out.push_back({{"dataset_id", r.dataset_id}, {"manifest_root", ToHex(r.manifest_root)}});
  }
  return out;
}

void AddVerdict(const std::optional<VerdictRecord>& v, nlohmann::json* j) {
  if (!v.has_value()) return;
  (*j)["verdict"] = policy::VerdictName(static_cast<policy::Verdict>(v->verdict));
  nlohmann::json reasons = nlohmann::json::array();
  for (const ReasonRecord& r : v->reasons) {
    reasons.push_back({{"code", r.code}, {"message", r.message}});
  }
  (*j)["reasons"] = reasons;
  (*j)["policy_sha256"] = ToHex(v->policy_sha256);
}

}  // namespace

void AddEntryFields(const DecodedEntry& e, nlohmann::json* j) {
  switch (e.type) {
    case EntryType::kDocumentRegistered:
      if (auto d = AsDocumentEntry(e); d.ok()) {
        (*j)["type"] = "document";
        AddDocumentFields(*d, j);
        return;
      }
      break;
    case EntryType::kDatasetCreated:
      if (auto d = AsDatasetEntry(e); d.ok()) {
        (*j)["type"] = "dataset";
        AddDatasetFields(*d, j);
        return;
      }
      break;
    case EntryType::kDatasetSealed:
      if (auto m = AsSealEntry(e); m.ok()) {
        (*j)["type"] = "manifest";
        (*j)["dataset_id"] = m->dataset_id;
        (*j)["ledger_size"] = m->ledger_size;
        (*j)["document_count"] = m->document_count;
        (*j)["total_bytes"] = m->total_bytes;
        (*j)["accepted"] = m->verdicts[0];
        (*j)["flagged"] = m->verdicts[1];
        (*j)["rejected"] = m->verdicts[2];
        nlohmann::json classes = nlohmann::json::object();
        for (size_t c = 0; c < m->license_classes.size(); ++c) {
          if (m->license_classes[c] == 0) continue;
          std::string name =
              c == 0 ? "none"
                     : std::string(spdx::LicenseClassName(static_cast<spdx::LicenseClass>(c)));
          classes[name] = m->license_classes[c];
        }
        (*j)["license_classes"] = classes;
        (*j)["manifest_root"] = ToHex(m->manifest_root);
        return;
      }
      break;
    case EntryType::kDatasetDerived:
      if (auto d = AsDerivationEntry(e); d.ok()) {
        (*j)["type"] = "derivation";
        (*j)["dataset_id"] = d->dataset_id;
        (*j)["parents"] = Refs(d->parents);
        (*j)["transformation"] = d->transformation;
        (*j)["description"] = d->description;
        AddVerdict(d->verdict, j);
        return;
      }
      break;
    case EntryType::kTrainingRun:
      if (auto r = AsTrainingRunEntry(e); r.ok()) {
        (*j)["type"] = "training_run";
        (*j)["model_name"] = r->model_name;
        (*j)["model_version"] = r->model_version;
        (*j)["datasets"] = Refs(r->datasets);
        (*j)["training_start_us"] = r->training_start_us;
        (*j)["training_end_us"] = r->training_end_us;
        (*j)["commercial"] = (r->deployment & 1) != 0;
        (*j)["public_cn"] = (r->deployment & 2) != 0;
        (*j)["public_eu"] = (r->deployment & 4) != 0;
        (*j)["description"] = r->description;
        AddVerdict(r->verdict, j);
        return;
      }
      break;
    case EntryType::kReviewRecorded:
      if (auto r = AsReviewEntry(e); r.ok()) {
        (*j)["type"] = "review";
        (*j)["document_index"] = r->document_index;
        (*j)["reviewer"] = r->reviewer;
        (*j)["result"] = r->passed ? "pass" : "fail";
        if (!r->notes.empty()) (*j)["notes"] = r->notes;
        if (r->sample_tree_size != 0) (*j)["sample_tree_size"] = r->sample_tree_size;
        return;
      }
      break;
    case EntryType::kSourceAssessed:
      if (auto a = AsAssessmentEntry(e); a.ok()) {
        (*j)["type"] = "source_assessment";
        (*j)[a->kind == SourceKind::kDomain ? "domain" : "dataset_name"] = a->source;
        (*j)["sample_size"] = a->sample_size;
        (*j)["failures"] = a->failures;
        (*j)["assessor"] = a->assessor;
        if (!a->phase.empty()) (*j)["phase"] = a->phase;
        if (!a->notes.empty()) (*j)["notes"] = a->notes;
        (*j)["blacklisted"] = a->blacklisted;
        (*j)["policy_sha256"] = ToHex(a->policy_sha256);
        return;
      }
      break;
    case EntryType::kReevaluated:
      if (auto r = AsReevaluationEntry(e); r.ok()) {
        (*j)["type"] = "reevaluation";
        (*j)["document_index"] = r->document_index;
        (*j)["previous_verdict"] =
            r->previous_verdict == 0
                ? "none"
                : policy::VerdictName(static_cast<policy::Verdict>(r->previous_verdict));
        (*j)["cause"] = r->cause;
        AddVerdict(r->verdict, j);
        return;
      }
      break;
    case EntryType::kOptOutDeclared:
      if (auto o = AsOptOutEntry(e); o.ok()) {
        (*j)["type"] = "opt_out";
        (*j)["declarant"] = o->declarant;
        if (!o->reference.empty()) (*j)["reference"] = o->reference;
        if (o->kind == OptOutKind::kWork) {
          (*j)["content_id"] = ToHex(o->content_id);
          if (o->text.has_value()) (*j)["normalized_hash"] = ToHex(o->text->normalized_hash);
        } else {
          (*j)[o->kind == OptOutKind::kDomain ? "domain" : "url_pattern"] = o->pattern;
        }
        return;
      }
      break;
  }
  (*j)["error"] = "entry of type " + std::to_string(static_cast<int>(e.type)) + " does not decode";
}

}  // namespace provledger::cli
