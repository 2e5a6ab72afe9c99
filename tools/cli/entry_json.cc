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

}  // namespace provledger::cli
