#include "tally.h"

#include <algorithm>

#include "absl/time/time.h"
#include "provledger/encoding.h"
#include "provledger/spdx.h"

namespace provledger::report_internal {
namespace {

using nlohmann::json;

constexpr size_t kExamplesPerReason = 5;

// Reasons that mean the evidence the policy requires is not all there.
bool IsMissingEvidence(const std::string& code) {
  return code == "MISSING_EVIDENCE" || code == "MISSING_LICENSE" ||
         code == "MISSING_SOURCE_CATEGORY";
}

std::string Month(int64_t us) {
  return absl::FormatTime("%Y-%m", absl::FromUnixMicros(us), absl::UTCTimeZone());
}

void Span(int64_t t, int64_t* first, int64_t* last) {
  if (t == 0) return;
  if (*first == 0 || t < *first) *first = t;
  if (t > *last) *last = t;
}

json Period(int64_t first, int64_t last) {
  if (first == 0) return json::object();
  return {{"first_unix_micros", first}, {"last_unix_micros", last}};
}

template <typename Map>
json CountMap(const Map& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v.ToJson();
  return out;
}

// The opt-out signals a source record says were observed (as forbidding).
std::vector<const char*> ObservedSignals(const policy::OptOutSignals& s) {
  std::vector<const char*> out;
  if (s.robots_txt == policy::Signal::kForbidden) out.push_back("robots_txt");
  if (s.x_robots_noai) out.push_back("noai");
  if (s.x_robots_noimageai) out.push_back("noimageai");
  if (s.tdm_reservation == policy::Signal::kForbidden) out.push_back("tdm_reservation");
  if (s.content_signal_ai_train == policy::Signal::kForbidden) {
    out.push_back("content_signal_ai_train");
  }
  if (s.ai_txt == policy::Signal::kForbidden) out.push_back("ai_txt");
  if (s.c2pa_training_mining == "notAllowed" || s.c2pa_training_mining == "constrained") {
    out.push_back("c2pa_training_mining");
  }
  return out;
}

const char* PersonalInfoName(policy::PersonalInfo p) {
  switch (p) {
    case policy::PersonalInfo::kNone:
      return "none";
    case policy::PersonalInfo::kPersonal:
      return "personal";
    case policy::PersonalInfo::kSensitive:
      return "sensitive";
    case policy::PersonalInfo::kUnspecified:
      break;
  }
  return "unspecified";
}

}  // namespace

json Count::ToJson() const {
  return {{"documents", documents},
          {"bytes", bytes},
          {"accepted", verdicts[0]},
          {"flagged", verdicts[1]},
          {"rejected", verdicts[2]}};
}

void Tally::Add(uint64_t ledger_index, int64_t registered_us, const DocumentEntry& doc,
                const policy::SourceRecord& source, const VerdictRecord& v) {
  const uint8_t verdict = v.verdict;
  const uint64_t size = doc.size_bytes;
  total_.Add(size, verdict);
  const std::string category(policy::SourceCategoryName(source.category));
  by_category_[category].Add(size, verdict);
  by_media_type_[doc.media_type.empty() ? "unspecified" : doc.media_type].Add(size, verdict);
  by_language_[source.language.empty() ? "und" : source.language].Add(size, verdict);
  // Formatting a time per document is costly; documents arrive in runs of
  // the same day.
  const int64_t day = registered_us / 86400000000;
  if (day != month_day_ || month_.empty()) {
    month_day_ = day;
    month_ = Month(registered_us);
  }
  by_month_[month_].Add(size, verdict);
  Span(registered_us, &registered_first_, &registered_last_);

  // Licensing: classes and expressions count every document (with its
  // verdict), so the training data is the accepted and flagged columns.
  const std::string cls =
      v.license.empty()
          ? std::string("none")
          : std::string(spdx::LicenseClassName(static_cast<spdx::LicenseClass>(v.license_class)));
  by_class_[cls].Add(size, verdict);
  if (!v.license.empty()) {
    by_expression_[v.license].Add(size, verdict);
    auto [it, fresh] = expression_ids_.try_emplace(v.license);
    if (fresh) {
      auto parsed = spdx::ParseExpression(v.license);
      if (parsed.ok()) it->second = parsed->ids;
    }
    for (const std::string& id : it->second) ++by_spdx_id_[id];
  }

  bool complete = true, registry_match = false;
  for (const ReasonRecord& r : v.reasons) {
    ReasonCount& rc = by_reason_[r.code];
    ++rc.verdicts[verdict - 1];
    if (rc.examples.size() < kExamplesPerReason &&
        (rc.examples.empty() || rc.examples.back() != ledger_index)) {
      rc.examples.push_back(ledger_index);
    }
    if (IsMissingEvidence(r.code)) complete = false;
    if (r.code == "OPT_OUT_REGISTRY") registry_match = true;
  }
  auto& cov = coverage_[category];
  ++cov.first;
  cov.second += complete ? 1 : 0;
  ++policies_[v.policy_sha256];

  std::vector<const char*> signals = ObservedSignals(source.signals);
  for (const char* s : signals) signals_[s].Add(size, verdict);
  if (!signals.empty()) with_signal_.Add(size, verdict);
  if (registry_match) registry_matches_.Add(size, verdict);

  switch (source.category) {
    case policy::SourceCategory::kSelfCollected: {
      crawled_.Add(size, verdict);
      std::string host = policy::UrlHost(source.url);
      domains_[host.empty() ? "(no host)" : host].Add(size, verdict);
      ++crawlers_[source.crawler_agent.empty() ? "(not recorded)" : source.crawler_agent];
      Span(source.collected_at_micros, &collected_first_, &collected_last_);
      robots_checked_ += source.signals.robots_txt != policy::Signal::kNotObserved;
      tdmrep_checked_ += source.signals.tdm_reservation != policy::Signal::kNotObserved;
      break;
    }
    case policy::SourceCategory::kOpenSourceDataset: {
      OpenDataset& d =
          open_datasets_[source.dataset_name.empty() ? "(not named)" : source.dataset_name];
      d.count.Add(size, verdict);
      if (d.url.empty()) d.url = source.dataset_url;
      if (d.version.empty()) d.version = source.dataset_version;
      if (!v.license.empty() && d.licenses.size() < 16) d.licenses.insert(v.license);
      break;
    }
    case policy::SourceCategory::kCommercialLicensed:
      counterparties_[source.counterparty.empty() ? "(not recorded)" : source.counterparty].Add(
          size, verdict);
      contracts_with_term_ += source.contract_start_micros != 0 && source.contract_end_micros != 0;
      break;
    case policy::SourceCategory::kUserProvided:
      user_with_consent_ += !source.consent_ref.empty();
      break;
    case policy::SourceCategory::kSynthetic:
      generators_[source.generator_model.empty() ? "(not recorded)" : source.generator_model].Add(
          size, verdict);
      break;
    default:
      break;
  }
  personal_info_[PersonalInfoName(source.personal_info)].Add(size, verdict);
  personal_with_basis_ +=
      source.personal_info >= policy::PersonalInfo::kPersonal && !source.consent_basis.empty();
}

void Tally::WriteTo(json* report) const {
  json& r = *report;
  r["volume"] = {{"total", total_.ToJson()},
                 {"by_source_category", CountMap(by_category_)},
                 {"by_media_type", CountMap(by_media_type_)},
                 {"by_language", CountMap(by_language_)},
                 {"registration_period", Period(registered_first_, registered_last_)}};
  json spdx_ids = json::object();
  for (const auto& [id, n] : by_spdx_id_) spdx_ids[id] = n;
  r["licensing"] = {{"by_class", CountMap(by_class_)},
                    {"by_expression", CountMap(by_expression_)},
                    {"by_spdx_id", spdx_ids},
                    {"spdx_license_list", spdx::LicenseListVersion()}};

  json coverage = json::object();
  for (const auto& [cat, c] : coverage_) {
    coverage[cat] = {{"documents", c.first}, {"with_required_evidence", c.second}};
  }
  json policies = json::object();
  for (const auto& [sha, n] : policies_) policies[sha.empty() ? "none" : ToHex(sha)] = n;
  r["evidence"] = {{"coverage", coverage}, {"policies", policies}};

  r["opt_out"] = {{"signals_observed", CountMap(signals_)},
                  {"documents_with_signal", with_signal_.ToJson()},
                  {"registry_matches", registry_matches_.ToJson()}};

  json reasons = json::object();
  for (const auto& [code, rc] : by_reason_) {
    reasons[code] = {{"accepted", rc.verdicts[0]},
                     {"flagged", rc.verdicts[1]},
                     {"rejected", rc.verdicts[2]},
                     {"examples", rc.examples}};
  }
  r["verdicts"] = {{"by_reason", reasons}, {"by_month", CountMap(by_month_)}};

  // Crawled data: the top 10% of domains by bytes (the EU template's ask),
  // at least one when there are any.
  std::vector<std::pair<std::string, Count>> domains(domains_.begin(), domains_.end());
  std::sort(domains.begin(), domains.end(), [](const auto& a, const auto& b) {
    return a.second.bytes != b.second.bytes ? a.second.bytes > b.second.bytes : a.first < b.first;
  });
  const size_t top = (domains.size() + 9) / 10;
  json top_domains = json::array();
  for (size_t i = 0; i < top; ++i) {
    json d = domains[i].second.ToJson();
    d["domain"] = domains[i].first;
    top_domains.push_back(std::move(d));
  }
  json crawlers = json::object();
  for (const auto& [agent, n] : crawlers_) crawlers[agent] = n;
  r["crawled"] = {{"total", crawled_.ToJson()},
                  {"domains", domains_.size()},
                  {"top_domains", top_domains},
                  {"top_domains_percent", 10},
                  {"crawlers", crawlers},
                  {"collection_period", Period(collected_first_, collected_last_)},
                  {"robots_txt_checked", robots_checked_},
                  {"tdm_reservation_checked", tdmrep_checked_}};

  json open = json::object();
  for (const auto& [name, d] : open_datasets_) {
    json o = d.count.ToJson();
    o["url"] = d.url;
    o["version"] = d.version;
    o["licenses"] = d.licenses;
    open[name] = std::move(o);
  }
  auto user = by_category_.find("USER_PROVIDED");
  r["sources"] = {
      {"open_source_datasets", open},
      {"commercial_counterparties", CountMap(counterparties_)},
      {"commercial_with_contract_term", contracts_with_term_},
      {"user_provided_with_consent_ref", user_with_consent_},
      {"user_provided", user == by_category_.end() ? Count{}.ToJson() : user->second.ToJson()},
      {"synthetic_generators", CountMap(generators_)}};
  r["personal_information"] = {{"by_kind", CountMap(personal_info_)},
                               {"with_consent_basis", personal_with_basis_}};
}

}  // namespace provledger::report_internal
