// MLCommons Croissant 1.0 JSON-LD with the Responsible-AI vocabulary
// (docs/reports.md §7): the report's training data as one sc:Dataset, its
// dataset versions as parts, collection facts from the ledger.
#include <set>

#include "render.h"
#include "render_util.h"

namespace provledger::report::render_internal {
namespace {

using nlohmann::json;

json Context() {
  return {{"@language", "en"},
          {"@vocab", "https://schema.org/"},
          {"sc", "https://schema.org/"},
          {"cr", "http://mlcommons.org/croissant/"},
          {"rai", "http://mlcommons.org/croissant/RAI/"},
          {"prov", "http://www.w3.org/ns/prov#"},
          {"dct", "http://purl.org/dc/terms/"},
          {"conformsTo", "dct:conformsTo"},
          {"citeAs", "cr:citeAs"},
          {"data", {{"@id", "cr:data"}, {"@type", "@json"}}},
          {"dataType", {{"@id", "cr:dataType"}, {"@type", "@vocab"}}},
          {"examples", {{"@id", "cr:examples"}, {"@type", "@json"}}},
          {"field", "cr:field"},
          {"fileObject", "cr:fileObject"},
          {"fileSet", "cr:fileSet"},
          {"isLiveDataset", "cr:isLiveDataset"},
          {"recordSet", "cr:recordSet"},
          {"source", "cr:source"}};
}

// rai:dataCollectionType values (the Croissant RAI vocabulary's suggested
// terms) for the source categories present.
std::vector<std::string> CollectionTypes(const json& by_category) {
  static const std::map<std::string, std::string> kTypes = {
      {"OPEN_SOURCE_DATASET", "Secondary Data Analysis"},
      {"SELF_COLLECTED", "Web Scraping"},
      {"COMMERCIAL_LICENSED", "Secondary Data Analysis"},
      {"USER_PROVIDED", "Direct Measurement"},
      {"SYNTHETIC", "Software Collection"},
      {"OTHER", "Others"},
      {"UNSPECIFIED", "Others"}};
  std::set<std::string> out;
  for (const auto& [cat, c] : by_category.items()) {
    auto it = kTypes.find(cat);
    if (Training(c) > 0) out.insert(it == kTypes.end() ? "Others" : it->second);
  }
  return {out.begin(), out.end()};
}

}  // namespace

json Croissant(const json& r) {
  const std::string base = "urn:provledger:" + ReportId(r);
  const json& volume = r.at("volume");
  std::string collection;
  for (const auto& [cat, c] : volume.at("by_source_category").items()) {
    collection += (collection.empty() ? "" : "; ") + cat + ": " +
                  std::to_string(c.at("documents").get<uint64_t>()) + " documents";
  }
  const json& crawled = r.at("crawled");
  if (crawled.at("total").at("documents").get<uint64_t>() > 0) {
    collection += ". Crawled with ";
    bool first = true;
    for (const auto& [agent, n] : crawled.at("crawlers").items()) {
      collection += (first ? "" : ", ") + agent;
      first = false;
    }
    collection += " from " + std::to_string(crawled.at("domains").get<uint64_t>()) +
                  " domains; robots.txt checked for " +
                  std::to_string(crawled.at("robots_txt_checked").get<uint64_t>()) + " documents";
  }
  json timeframe = json::array();
  const json& period = volume.at("registration_period");
  const json& collected = crawled.at("collection_period");
  const json& span = collected.empty() ? period : collected;
  if (!span.empty()) {
    timeframe = {Rfc3339(span.at("first_unix_micros").get<int64_t>()),
                 Rfc3339(span.at("last_unix_micros").get<int64_t>())};
  }
  json licenses = json::array();
  for (const auto& [id, n] : r.at("licensing").at("by_spdx_id").items()) {
    licenses.push_back("https://spdx.org/licenses/" + id + ".html");
  }
  json derived = json::array();
  json parts = json::array();
  for (const json& d : r.at("datasets")) {
    const std::string id = base + ":dataset:" + d.at("dataset_id").get<std::string>();
    derived.push_back({{"@id", id}});
    json part = {
        {"@type", "sc:Dataset"},
        {"@id", id},
        {"name", d.at("name")},
        {"version", d.at("version")},
        {"description", d.at("description").get<std::string>().empty()
                            ? "Dataset version " + d["dataset_id"].get<std::string>()
                            : d["description"].get<std::string>()},
        {"identifier", {d.at("dataset_id"), "sha256:" + d.at("manifest_root").get<std::string>()}}};
    json parent_ids = json::array();
    for (const json& e : r.at("derivations")) {
      if (e.at("child") == d.at("dataset_id")) {
        parent_ids.push_back({{"@id", base + ":dataset:" + e.at("parent").get<std::string>()}});
      }
    }
    if (!parent_ids.empty()) part["prov:wasDerivedFrom"] = parent_ids;
    parts.push_back(std::move(part));
  }
  const json& pi = r.at("personal_information").at("by_kind");
  std::string personal;
  for (const auto& [kind, c] : pi.items()) {
    personal += (personal.empty() ? "" : "; ") + kind + ": " +
                std::to_string(c.at("documents").get<uint64_t>()) + " documents";
  }
  const json& reviews = r.at("reviews");
  json out = {{"@context", Context()},
              {"@type", "sc:Dataset"},
              {"@id", base},
              {"conformsTo", "http://mlcommons.org/croissant/1.0"},
              {"name", "Training data of " + SubjectName(r)},
              {"description",
               "The training data of " + SubjectName(r) + " as recorded in the provledger ledger " +
                   r.at("origin").get<std::string>() + " up to tree size " +
                   std::to_string(r.at("anchor").at("tree_size").get<uint64_t>()) + ": " +
                   std::to_string(Training(volume.at("total"))) + " training documents."},
              {"url", base},
              {"license", licenses},
              {"creator", {{"@type", "sc:Organization"}, {"name", r.at("origin")}}},
              {"datePublished", Rfc3339(r.at("generated_unix_micros").get<int64_t>())},
              {"hasPart", parts},
              {"prov:wasDerivedFrom", derived},
              {"rai:dataCollection", collection},
              {"rai:dataCollectionType", CollectionTypes(volume.at("by_source_category"))},
              {"rai:dataCollectionTimeframe", timeframe},
              {"rai:personalSensitiveInformation", personal},
              {"rai:dataAnnotationProtocol",
               "Audit sample of " + std::to_string(reviews.at("sampled").get<uint64_t>()) +
                   " documents (procedure provledger-sample/v1); review status " +
                   reviews.at("status").get<std::string>()}};
  return out;
}

}  // namespace provledger::report::render_internal
