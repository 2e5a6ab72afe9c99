// Regulatory disclosures filled from a report (docs/reports.md §7):
// California AB 2013 (Civil Code §3111) training-data documentation, and
// the European Commission's template for the public summary of training
// content (AI Act Art. 53(1)(d)), as JSON and Markdown. What the ledger
// cannot know is marked {"status": "TO_COMPLETE"} for a person to fill in.
#include <set>
#include <sstream>

#include "render.h"
#include "render_util.h"

namespace provledger::report::render_internal {
namespace {

using nlohmann::json;

json Filled(json value, const std::string& basis) {
  return {{"status", "FROM_LEDGER"}, {"value", std::move(value)}, {"basis", basis}};
}
json Gap(const std::string& what) { return {{"status", "TO_COMPLETE"}, {"guidance", what}}; }

uint64_t Docs(const json& count) { return count.at("documents").get<uint64_t>(); }

uint64_t CategoryTraining(const json& r, const char* category) {
  const json& c = r.at("volume").at("by_source_category");
  return c.contains(category) ? Training(c[category]) : 0;
}

std::string Period(const json& p) {
  if (p.empty()) return "";
  return Rfc3339(p.at("first_unix_micros").get<int64_t>()) + " to " +
         Rfc3339(p.at("last_unix_micros").get<int64_t>());
}

// The documents' size as the EU template's ranges ask (text: tokens; here
// documents and bytes, the ledger's units).
json SizeRange(uint64_t bytes) {
  const uint64_t gb = 1000ull * 1000 * 1000;
  std::string range = bytes < gb             ? "less than 1 GB"
                      : bytes < 1000 * gb    ? "1 GB to 1 TB"
                      : bytes < 1000000 * gb ? "1 TB to 1 PB"
                                             : "more than 1 PB";
  return {{"bytes", bytes}, {"range", range}};
}

}  // namespace

json Ab2013(const json& r) {
  const json& volume = r.at("volume");
  const json& lic = r.at("licensing");
  json sources = json::array();
  for (const json& d : r.at("datasets")) {
    sources.push_back({{"dataset", d.at("name")},
                       {"version", d.at("version")},
                       {"owner", d.at("owner")},
                       {"documents", d.at("in_force").at("documents")}});
  }
  for (const auto& [name, o] : r.at("sources").at("open_source_datasets").items()) {
    sources.push_back({{"source", name}, {"kind", "open source dataset"}, {"url", o.at("url")}});
  }
  for (const auto& [name, c] : r.at("sources").at("commercial_counterparties").items()) {
    sources.push_back({{"source", name}, {"kind", "commercial licensor"}, {"documents", Docs(c)}});
  }
  json types = json::object();
  for (const auto& [mt, c] : volume.at("by_media_type").items()) types[mt] = Docs(c);
  const json& classes = lic.at("by_class");
  uint64_t public_domain =
      classes.contains("public_domain") ? Training(classes["public_domain"]) : 0;
  uint64_t training = Training(volume.at("total"));
  const json& pi = r.at("personal_information").at("by_kind");
  auto pi_count = [&](const char* k) { return pi.contains(k) ? Training(pi[k]) : 0; };
  json out = {
      {"disclosure", "California Civil Code section 3111 (AB 2013): training data documentation"},
      {"subject", SubjectName(r)},
      {"generated", Rfc3339(r.at("generated_unix_micros").get<int64_t>())},
      {"ledger", {{"origin", r.at("origin")}, {"tree_size", r.at("anchor").at("tree_size")}}},
      {"sources_or_owners_of_datasets", Filled(sources, "dataset versions and source records")},
      {"how_datasets_further_intended_purpose",
       Gap("Describe how the datasets further the intended purpose of the AI system.")},
      {"number_of_data_points",
       Filled({{"documents", training}, {"bytes", volume.at("total").at("bytes")}},
              "training documents (accepted or flagged) counted in the ledger")},
      {"types_of_data_points", Filled(types, "media types of the registered documents")},
      {"includes_ip_protected_data",
       Filled({{"public_domain_documents", public_domain},
               {"other_documents", training - public_domain},
               {"by_license_class", classes}},
              "documents whose license class is not public_domain are treated as protected "
              "by copyright")},
      {"purchased_or_licensed",
       Filled({{"commercially_licensed_documents", CategoryTraining(r, "COMMERCIAL_LICENSED")},
               {"counterparties", r.at("sources").at("commercial_counterparties")}},
              "source category COMMERCIAL_LICENSED")},
      {"includes_personal_information", Filled({{"personal", pi_count("personal")},
                                                {"sensitive", pi_count("sensitive")},
                                                {"none", pi_count("none")},
                                                {"unspecified", pi_count("unspecified")}},
                                               "personal_info recorded per document")},
      {"includes_aggregate_consumer_information",
       Gap("State whether the datasets include aggregate consumer information "
           "(Civil Code 1798.140).")},
      {"cleaning_processing_modification",
       Filled(r.at("derivations"), "derivations recorded between dataset versions")},
      {"collection_period", Filled({{"registered", Period(volume.at("registration_period"))},
                                    {"crawled", Period(r.at("crawled").at("collection_period"))},
                                    {"ongoing", Gap("State whether data collection is ongoing.")}},
                                   "registration and collection times")},
      {"dates_first_used",
       r.at("training_runs").empty()
           ? Gap("Give the dates the datasets were first used in development.")
           : Filled(Rfc3339(r["training_runs"][0].at("training_start_unix_micros").get<int64_t>()),
                    "the first training run's start")},
      {"synthetic_data", Filled({{"used", CategoryTraining(r, "SYNTHETIC") > 0},
                                 {"documents", CategoryTraining(r, "SYNTHETIC")},
                                 {"generators", r.at("sources").at("synthetic_generators")}},
                                "source category SYNTHETIC")}};
  return out;
}

json EuSummary(const json& r) {
  const json& volume = r.at("volume");
  const json& crawled = r.at("crawled");
  const json& opt = r.at("opt_out");
  json modalities = json::array();
  std::set<std::string> seen;
  for (const auto& [mt, c] : volume.at("by_media_type").items()) {
    if (Training(c) > 0 && seen.insert(Modality(mt)).second) modalities.push_back(Modality(mt));
  }
  json languages = json::object();
  for (const auto& [lang, c] : volume.at("by_language").items()) languages[lang] = Training(c);
  json public_datasets = json::array();
  for (const auto& [name, o] : r.at("sources").at("open_source_datasets").items()) {
    public_datasets.push_back({{"name", name},
                               {"url", o.at("url")},
                               {"version", o.at("version")},
                               {"licenses", o.at("licenses")},
                               {"documents", Training(o)}});
  }
  json model = r.at("subject").at("kind") == "model"
                   ? Filled({{"name", r["subject"]["model_name"]},
                             {"version", r["subject"]["model_version"]}},
                            "training runs")
                   : Gap("Name the model and its versions.");
  json crawlers = json::array();
  for (const auto& [agent, n] : crawled.at("crawlers").items()) crawlers.push_back(agent);
  json domains = json::array();
  for (const json& d : crawled.at("top_domains")) domains.push_back(d.at("domain"));
  const bool has_crawl = Docs(crawled.at("total")) > 0;
  json out = {
      {"template",
       "European Commission, Template for the public summary of training content for "
       "general-purpose AI models (AI Act Article 53(1)(d))"},
      {"generated", Rfc3339(r.at("generated_unix_micros").get<int64_t>())},
      {"ledger", {{"origin", r.at("origin")}, {"tree_size", r.at("anchor").at("tree_size")}}},
      {"1_general_information",
       {{"1_1_provider", Gap("Provider name and contact details.")},
        {"1_2_model", model},
        {"1_2_date_placed_on_market", Gap("Date the model was placed on the EU market.")},
        {"1_3_modalities", Filled(modalities, "media types of the training documents")},
        {"1_3_training_data_size", Filled(SizeRange(volume.at("total").at("bytes").get<uint64_t>()),
                                          "bytes of registered documents")},
        {"1_3_languages", Filled(languages, "language recorded per document (und: not declared)")},
        {"1_3_latest_acquisition",
         Filled(Period(volume.at("registration_period")), "registration times")}}},
      {"2_data_sources",
       {{"2_1_public_datasets",
         Filled({{"used", !public_datasets.empty()}, {"datasets", public_datasets}},
                "source category OPEN_SOURCE_DATASET")},
        {"2_2_1_licensed_private_data",
         Filled({{"used", CategoryTraining(r, "COMMERCIAL_LICENSED") > 0},
                 {"documents", CategoryTraining(r, "COMMERCIAL_LICENSED")},
                 {"licensors", r.at("sources").at("commercial_counterparties")}},
                "source category COMMERCIAL_LICENSED")},
        {"2_2_2_other_private_data", Gap("Describe other private datasets from third parties.")},
        {"2_3_crawled_data",
         has_crawl ? Filled({{"used", true},
                             {"crawlers", crawlers},
                             {"collection_period", Period(crawled.at("collection_period"))},
                             {"domains", crawled.at("domains")},
                             {"top_10_percent_domains", domains},
                             {"purposes", Gap("Describe the crawlers' purposes and behaviour.")}},
                            "source category SELF_COLLECTED")
                   : Filled({{"used", false}}, "no SELF_COLLECTED documents")},
        {"2_4_user_data",
         Filled({{"used", CategoryTraining(r, "USER_PROVIDED") > 0},
                 {"documents", CategoryTraining(r, "USER_PROVIDED")},
                 {"with_consent_record", r.at("sources").at("user_provided_with_consent_ref")},
                 {"services", Gap("Name the services the user data comes from.")}},
                "source category USER_PROVIDED")},
        {"2_5_synthetic_data", Filled({{"used", CategoryTraining(r, "SYNTHETIC") > 0},
                                       {"generators", r.at("sources").at("synthetic_generators")}},
                                      "source category SYNTHETIC")},
        {"2_6_other_sources",
         Filled({{"documents", CategoryTraining(r, "OTHER") + CategoryTraining(r, "UNSPECIFIED")}},
                "source category OTHER or not declared")}}},
      {"3_data_processing",
       {{"3_1_tdm_reservations",
         Filled({{"robots_txt_checked", crawled.at("robots_txt_checked")},
                 {"tdm_reservation_checked", crawled.at("tdm_reservation_checked")},
                 {"documents_with_opt_out_signal", opt.at("documents_with_signal")},
                 {"signals", opt.at("signals_observed")},
                 {"opt_out_registry_matches", opt.at("registry_matches")},
                 {"measures", Gap("Describe the measures and protocols honoured.")}},
                "opt-out signals recorded at collection and the policy's verdicts")},
        {"3_2_illegal_content_removal",
         Filled({{"rejected_documents", volume.at("total").at("rejected")},
                 {"audit_sample", r.at("reviews")},
                 {"measures", Gap("Describe the measures taken to remove illegal content.")}},
                "verdicts and the audit sample's reviews")},
        {"3_3_other", Gap("Optional further information.")}}}};
  return out;
}

std::string EuSummaryMarkdown(const json& s) {
  std::ostringstream o;
  o << "# Public summary of training content\n\n_" << s.at("template").get<std::string>()
    << "._ Filled from the ledger `" << s.at("ledger").at("origin").get<std::string>()
    << "` at tree size " << s.at("ledger").at("tree_size").get<uint64_t>() << " on "
    << s.at("generated").get<std::string>() << ". Items marked **TO COMPLETE** need a person.\n";
  for (const auto& [section, items] : s.items()) {
    if (!items.is_object() || section == "ledger") continue;
    o << "\n## " << section << "\n";
    for (const auto& [key, item] : items.items()) {
      o << "\n### " << key << "\n\n";
      if (item.at("status") == "TO_COMPLETE") {
        o << "**TO COMPLETE:** " << item.at("guidance").get<std::string>() << "\n";
        continue;
      }
      o << "```json\n"
        << item.at("value").dump(2) << "\n```\n\n_Source: " << item.at("basis").get<std::string>()
        << "._\n";
      if (item.at("value").is_object()) {
        for (const auto& [k, v] : item.at("value").items()) {
          if (v.is_object() && v.contains("status") && v["status"] == "TO_COMPLETE") {
            o << "\n**TO COMPLETE (" << k << "):** " << v.at("guidance").get<std::string>() << "\n";
          }
        }
      }
    }
  }
  return o.str();
}

}  // namespace provledger::report::render_internal
