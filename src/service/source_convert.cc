#include "source_convert.h"

#include "provledger/spdx.h"

namespace provledger::service {
namespace {

template <typename E>
absl::StatusOr<E> Enum(int value, int max, const std::string& field) {
  if (value < 0 || value > max) {
    return absl::InvalidArgumentError(field + " has the unknown value " + std::to_string(value));
  }
  return static_cast<E>(value);
}

}  // namespace

absl::StatusOr<policy::SourceRecord> FromProto(const v1::SourceRecord& p, const std::string& f) {
  policy::SourceRecord r;
  auto category = Enum<policy::SourceCategory>(p.category(), 6, f + "category");
  if (!category.ok()) return category.status();
  r.category = *category;
  r.license = p.license();
  r.dataset_name = p.dataset_name();
  r.dataset_url = p.dataset_url();
  r.dataset_version = p.dataset_version();
  r.url = p.url();
  r.collected_at_micros = p.collected_at_unix_micros();
  r.crawler_agent = p.crawler_agent();
  r.counterparty = p.counterparty();
  r.contract_ref = p.contract_ref();
  r.licensed_scope = p.licensed_scope();
  r.contract_start_micros = p.contract_start_unix_micros();
  r.contract_end_micros = p.contract_end_unix_micros();
  r.consent_ref = p.consent_ref();
  r.consent_scope = p.consent_scope();
  r.generator_model = p.generator_model();
  r.generator_provenance_ref = p.generator_provenance_ref();
  auto pi = Enum<policy::PersonalInfo>(p.personal_info(), 3, f + "personal_info");
  if (!pi.ok()) return pi.status();
  r.personal_info = *pi;
  r.consent_basis = p.consent_basis();
  const v1::OptOutSignals& s = p.signals();
  const std::string sf = f + "signals.";
  for (auto [value, out, name] :
       {std::tuple{s.robots_txt(), &r.signals.robots_txt, "robots_txt"},
        std::tuple{s.tdm_reservation(), &r.signals.tdm_reservation, "tdm_reservation"},
        std::tuple{s.content_signal_ai_train(), &r.signals.content_signal_ai_train,
                   "content_signal_ai_train"},
        std::tuple{s.ai_txt(), &r.signals.ai_txt, "ai_txt"}}) {
    auto sig = Enum<policy::Signal>(value, 2, sf + name);
    if (!sig.ok()) return sig.status();
    *out = *sig;
  }
  r.signals.robots_txt_sha256 = s.robots_txt_sha256();
  r.signals.x_robots_noai = s.noai();
  r.signals.x_robots_noimageai = s.noimageai();
  r.signals.tdm_policy = s.tdm_policy();
  r.signals.tdmrep_sha256 = s.tdmrep_sha256();
  r.signals.ai_txt_sha256 = s.ai_txt_sha256();
  r.signals.c2pa_training_mining = s.c2pa_training_mining();
  return r;
}

void SetVerdict(const VerdictRecord& v, v1::DocumentReceipt* r) {
  r->set_verdict(static_cast<v1::Verdict>(v.verdict));
  for (const ReasonRecord& reason : v.reasons) {
    v1::VerdictReason* p = r->add_reasons();
    p->set_code(reason.code);
    p->set_message(reason.message);
    p->set_severity(static_cast<v1::Verdict>(reason.severity));
  }
  r->set_license(v.license);
  if (!v.license.empty()) {
    r->set_license_class(
        std::string(spdx::LicenseClassName(static_cast<spdx::LicenseClass>(v.license_class))));
  }
  r->set_policy_sha256(v.policy_sha256);
}

}  // namespace provledger::service
