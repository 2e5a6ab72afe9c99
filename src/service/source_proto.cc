#include "source_proto.h"

#include <tuple>

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
  r.language = p.language();
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

void ToProto(const policy::SourceRecord& r, v1::SourceRecord* p) {
  p->set_category(static_cast<v1::SourceCategory>(r.category));
  p->set_license(r.license);
  p->set_dataset_name(r.dataset_name);
  p->set_dataset_url(r.dataset_url);
  p->set_dataset_version(r.dataset_version);
  p->set_url(r.url);
  p->set_collected_at_unix_micros(r.collected_at_micros);
  p->set_crawler_agent(r.crawler_agent);
  p->set_counterparty(r.counterparty);
  p->set_contract_ref(r.contract_ref);
  p->set_licensed_scope(r.licensed_scope);
  p->set_contract_start_unix_micros(r.contract_start_micros);
  p->set_contract_end_unix_micros(r.contract_end_micros);
  p->set_consent_ref(r.consent_ref);
  p->set_consent_scope(r.consent_scope);
  p->set_generator_model(r.generator_model);
  p->set_generator_provenance_ref(r.generator_provenance_ref);
  p->set_personal_info(static_cast<v1::PersonalInfo>(r.personal_info));
  p->set_consent_basis(r.consent_basis);
  p->set_language(r.language);
  v1::OptOutSignals* s = p->mutable_signals();
  s->set_robots_txt(static_cast<v1::Signal>(r.signals.robots_txt));
  s->set_robots_txt_sha256(r.signals.robots_txt_sha256);
  s->set_noai(r.signals.x_robots_noai);
  s->set_noimageai(r.signals.x_robots_noimageai);
  s->set_tdm_reservation(static_cast<v1::Signal>(r.signals.tdm_reservation));
  s->set_tdm_policy(r.signals.tdm_policy);
  s->set_tdmrep_sha256(r.signals.tdmrep_sha256);
  s->set_content_signal_ai_train(static_cast<v1::Signal>(r.signals.content_signal_ai_train));
  s->set_ai_txt(static_cast<v1::Signal>(r.signals.ai_txt));
  s->set_ai_txt_sha256(r.signals.ai_txt_sha256);
  s->set_c2pa_training_mining(r.signals.c2pa_training_mining);
}

}  // namespace provledger::service
