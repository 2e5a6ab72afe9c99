// Policy rules over derivations and training runs (docs/policy.md §6).
#include "provledger/policy.h"

namespace provledger::policy {

Decision Policy::EvaluateDerivation(const std::string& child_license,
                                    const std::vector<ParentLicenses>& parents) const {
  Decision d;
  if (child_license.empty()) return d;  // inherits the parents' terms
  auto parsed = spdx::ParseExpression(child_license, license_refs_);
  if (!parsed.ok()) {
    Add(&d, Action::kReject, "LICENSE_MALFORMED", std::string(parsed.status().message()));
    return d;
  }
  d.license_canonical = parsed->canonical;
  d.license_class = parsed->license_class;
  for (const ParentLicenses& p : parents) {
    if (p.has_data && p.most_restrictive > parsed->license_class) {
      Add(&d, Action::kFlag, "LICENSE_INHERITANCE",
          "declared " + parsed->canonical + " (" +
              std::string(spdx::LicenseClassName(parsed->license_class)) + ") but parent " +
              p.dataset_id + " holds " + std::string(spdx::LicenseClassName(p.most_restrictive)) +
              " data");
    }
  }
  return d;
}

Decision Policy::EvaluateTrainingRun(bool commercial,
                                     const std::vector<RunDataset>& datasets) const {
  Decision d;
  for (const RunDataset& ds : datasets) {
    if (commercial && ds.intended_use != "commercial") {
      Add(&d, Action::kFlag, "DATASET_INTENDED_USE",
          "commercially deployed model trained on " + ds.dataset_id + ", intended for " +
              ds.intended_use + " use");
    }
    if (commercial && ds.non_commercial > 0) {
      Add(&d, Action::kFlag, "LICENSE_CLASS_IN_RUN",
          std::to_string(ds.non_commercial) + " non-commercial documents of " + ds.dataset_id +
              " in a commercially deployed model");
    }
    if (commercial && ds.no_derivatives > 0) {
      Add(&d, Action::kFlag, "LICENSE_CLASS_IN_RUN",
          std::to_string(ds.no_derivatives) + " no-derivatives documents of " + ds.dataset_id +
              " in a commercially deployed model");
    }
    if (ds.flagged > 0) {
      Add(&d, Action::kFlag, "FLAGGED_DOCUMENTS",
          std::to_string(ds.flagged) + " documents of " + ds.dataset_id +
              " are FLAGGED and await review");
    }
  }
  return d;
}

}  // namespace provledger::policy
