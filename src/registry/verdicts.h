// Internal to the registry: a policy decision as the ledger stores it.
#ifndef PROVLEDGER_SRC_REGISTRY_VERDICTS_H_
#define PROVLEDGER_SRC_REGISTRY_VERDICTS_H_

#include <string>
#include <utility>

#include "provledger/entry.h"
#include "provledger/policy.h"

namespace provledger {

inline VerdictRecord ToVerdictRecord(policy::Decision d, const std::string& policy_sha256) {
  VerdictRecord v;
  v.license = std::move(d.license_canonical);
  v.license_class = v.license.empty() ? 0 : static_cast<uint8_t>(d.license_class);
  v.verdict = static_cast<uint8_t>(d.verdict);
  for (policy::Reason& r : d.reasons) {
    v.reasons.push_back(
        ReasonRecord{static_cast<uint8_t>(r.severity), std::move(r.code), std::move(r.message)});
  }
  v.policy_sha256 = policy_sha256;
  return v;
}

}  // namespace provledger

#endif  // PROVLEDGER_SRC_REGISTRY_VERDICTS_H_
