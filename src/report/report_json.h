// Internal to reports: the JSON pieces the builder writes and the verifier
// and renderings read (docs/reports.md §3).
#ifndef PROVLEDGER_SRC_REPORT_REPORT_JSON_H_
#define PROVLEDGER_SRC_REPORT_REPORT_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provledger/entry.h"

namespace provledger::report_internal {

// {"index", "entry" (base64), "inclusion_proof" [base64]}.
nlohmann::json Citation(uint64_t index, const std::string& entry,
                        const std::vector<std::string>& proof);
// {"verdict", "reasons" [{"code", "message", "severity"}], "policy_sha256"
// (hex), "intended_use"}.
nlohmann::json VerdictJson(const VerdictRecord& v);
// "ACCEPTED", "FLAGGED", "REJECTED" for 1..3 ("ACCEPTED" for 0: no verdict).
std::string VerdictName(uint8_t verdict);
// A training run as the report lists it (ledger_index set by the caller).
nlohmann::json RunJson(const TrainingRunEntry& run);
// A dataset entry's descriptive fields.
nlohmann::json DatasetJson(const DatasetEntry& d);

}  // namespace provledger::report_internal

#endif  // PROVLEDGER_SRC_REPORT_REPORT_JSON_H_
