#include "render_util.h"

#include "absl/time/time.h"
#include "provledger/encoding.h"

namespace provledger::report::render_internal {

using nlohmann::json;

std::string Rfc3339(int64_t unix_micros) {
  if (unix_micros == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(unix_micros),
                          absl::UTCTimeZone());
}

std::string Modality(const std::string& media_type) {
  for (const char* m : {"text", "image", "audio", "video"}) {
    if (media_type.rfind(std::string(m) + "/", 0) == 0) return m;
  }
  return "other";
}

std::string Conjunction(const json& training_licenses) {
  std::vector<std::string> parts;
  for (const auto& [expr, n] : training_licenses.items()) {
    if (expr == "NOASSERTION") continue;
    parts.push_back(expr);
  }
  if (parts.size() == 1) return parts[0];
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += " AND ";
    out += p.find(' ') == std::string::npos ? p : "(" + p + ")";
  }
  return out;
}

std::string SubjectName(const json& report) {
  const json& s = report.at("subject");
  if (s.at("kind") == "model") {
    return "model " + s.at("model_name").get<std::string>() + " " +
           s.at("model_version").get<std::string>();
  }
  std::string out = "datasets ";
  for (const json& id : s.at("dataset_ids")) {
    if (out.size() > 9) out += ", ";
    out += id.get<std::string>();
  }
  return out;
}

std::string ReportId(const json& report) {
  auto root = Base64Decode(report.at("anchor").at("root_hash").get<std::string>());
  return ToHex(root.ok() ? *root : std::string()) + "-" +
         std::to_string(report.at("anchor").at("tree_size").get<uint64_t>());
}

uint64_t Training(const json& count) {
  return count.at("accepted").get<uint64_t>() + count.at("flagged").get<uint64_t>();
}

}  // namespace provledger::report::render_internal
