// Internal to the renderings: small shared conversions.
#ifndef PROVLEDGER_SRC_REPORT_RENDER_UTIL_H_
#define PROVLEDGER_SRC_REPORT_RENDER_UTIL_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace provledger::report::render_internal {

// RFC 3339 UTC with seconds ("2026-11-29T05:06:18Z"); "" for 0.
std::string Rfc3339(int64_t unix_micros);
// "text", "image", "audio", "video" or "other" from a media type.
std::string Modality(const std::string& media_type);
// The licenses of a dataset's training documents as one SPDX expression:
// the AND of its distinct expressions ("NOASSERTION" entries left out);
// empty when none is known.
std::string Conjunction(const nlohmann::json& training_licenses);
// The subject's name for titles: "model m 1" or "datasets a, b".
std::string SubjectName(const nlohmann::json& report);
// A stable identifier for the report: its anchor's root hash in hex.
std::string ReportId(const nlohmann::json& report);
// Sum of the training documents (accepted + flagged) of a Count object.
uint64_t Training(const nlohmann::json& count);

}  // namespace provledger::report::render_internal

#endif  // PROVLEDGER_SRC_REPORT_RENDER_UTIL_H_
