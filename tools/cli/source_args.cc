#include "source_args.h"

#include <fstream>
#include <sstream>

#include "provledger/source_record_codec.h"

namespace provledger::cli {

absl::StatusOr<policy::SourceRecord> LoadSourceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = policy::SourceRecordFromJson(ss.str(), path + ": ");
  if (!r.ok()) return r.status();
  absl::Status s = policy::ValidateSourceRecord(*r, path + ": ");
  if (!s.ok()) return s;
  return r;
}

v1::SourceRecord ToProto(const policy::SourceRecord& r) {
  v1::SourceRecord p;
  p.set_category(static_cast<v1::SourceCategory>(r.category));
  p.set_license(r.license);
  p.set_dataset_name(r.dataset_name);
  p.set_dataset_url(r.dataset_url);
  p.set_dataset_version(r.dataset_version);
  p.set_url(r.url);
  p.set_collected_at_unix_micros(r.collected_at_micros);
  p.set_crawler_agent(r.crawler_agent);
  p.set_counterparty(r.counterparty);
  p.set_contract_ref(r.contract_ref);
  p.set_licensed_scope(r.licensed_scope);
  p.set_contract_start_unix_micros(r.contract_start_micros);
  p.set_contract_end_unix_micros(r.contract_end_micros);
  p.set_consent_ref(r.consent_ref);
  p.set_consent_scope(r.consent_scope);
  p.set_generator_model(r.generator_model);
  p.set_generator_provenance_ref(r.generator_provenance_ref);
  p.set_personal_info(static_cast<v1::PersonalInfo>(r.personal_info));
  p.set_consent_basis(r.consent_basis);
  v1::OptOutSignals* s = p.mutable_signals();
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
  return p;
}

}  // namespace provledger::cli
