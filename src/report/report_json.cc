#include "report_json.h"

#include "provledger/encoding.h"
#include "provledger/policy.h"

namespace provledger::report_internal {

using nlohmann::json;

json Citation(uint64_t index, const std::string& entry, const std::vector<std::string>& proof) {
  json p = json::array();
  for (const std::string& h : proof) p.push_back(Base64Encode(h));
  return {{"index", index}, {"entry", Base64Encode(entry)}, {"inclusion_proof", p}};
}

std::string VerdictName(uint8_t verdict) {
  return std::string(policy::VerdictName(static_cast<policy::Verdict>(verdict == 0 ? 1 : verdict)));
}

json VerdictJson(const VerdictRecord& v) {
  json reasons = json::array();
  for (const ReasonRecord& r : v.reasons) {
    reasons.push_back(
        {{"code", r.code}, {"message", r.message}, {"severity", VerdictName(r.severity)}});
  }
  return {{"verdict", VerdictName(v.verdict)},
          {"reasons", reasons},
          {"policy_sha256", ToHex(v.policy_sha256)},
          {"intended_use", v.intended_use}};
}

json RunJson(const TrainingRunEntry& run) {
  json datasets = json::array();
  for (const DatasetRef& d : run.datasets) {
    datasets.push_back({{"dataset_id", d.dataset_id}, {"manifest_root", ToHex(d.manifest_root)}});
  }
  json out = {{"model_name", run.model_name},
              {"model_version", run.model_version},
              {"training_start_unix_micros", run.training_start_us},
              {"training_end_unix_micros", run.training_end_us},
              {"deployment",
               {{"commercial", (run.deployment & 1) != 0},
                {"public_cn", (run.deployment & 2) != 0},
                {"public_eu", (run.deployment & 4) != 0}}},
              {"description", run.description},
              {"datasets", datasets}};
  out["verdict"] = run.verdict.has_value() ? VerdictJson(*run.verdict) : json(nullptr);
  return out;
}

json DatasetJson(const DatasetEntry& d) {
  return {{"dataset_id", d.dataset_id},   {"name", d.name},   {"version", d.version},
          {"description", d.description}, {"owner", d.owner}, {"intended_use", d.intended_use}};
}

}  // namespace provledger::report_internal
