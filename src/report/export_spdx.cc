// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles (docs/reports.md §7):
// the model as an ai_AIPackage, each dataset version as a
// dataset_DatasetPackage, license expressions as
// simplelicensing_LicenseExpression, and Relationships between them.
#include <set>

#include "provledger/spdx.h"
#include "render.h"
#include "render_util.h"

namespace provledger::report::render_internal {
namespace {

using nlohmann::json;

std::string Sensitive(const json& report) {
  const json& kinds = report.at("personal_information").at("by_kind");
  const bool any = (kinds.contains("personal") && Training(kinds["personal"]) > 0) ||
                   (kinds.contains("sensitive") && Training(kinds["sensitive"]) > 0);
  const bool unknown = kinds.contains("unspecified") && Training(kinds["unspecified"]) > 0;
  return any ? "yes" : unknown ? "noAssertion" : "no";
}

}  // namespace

json Spdx(const json& r) {
  const std::string ns = "urn:provledger:" + ReportId(r) + ":";
  const std::string created = Rfc3339(r.at("generated_unix_micros").get<int64_t>());
  json graph = json::array();
  const json ci = "_:creationinfo";
  graph.push_back(
      {{"type", "CreationInfo"},
       {"@id", ci},
       {"specVersion", "3.0.1"},
       {"created", created},
       {"createdBy", {ns + "tool/provledger"}},
       {"comment", "Generated from the provledger ledger " + r.at("origin").get<std::string>() +
                       " at tree size " +
                       std::to_string(r.at("anchor").at("tree_size").get<uint64_t>())}});
  graph.push_back({{"type", "Tool"},
                   {"spdxId", ns + "tool/provledger"},
                   {"creationInfo", ci},
                   {"name", "provledger"}});
  std::vector<std::string> elements = {ns + "tool/provledger"};
  std::vector<std::string> roots;
  int rel = 0;
  auto relationship = [&](const std::string& from, const std::string& type,
                          const std::vector<std::string>& to) {
    std::string id = ns + "relationship/" + std::to_string(rel++);
    graph.push_back({{"type", "Relationship"},
                     {"spdxId", id},
                     {"creationInfo", ci},
                     {"from", from},
                     {"relationshipType", type},
                     {"to", to}});
    elements.push_back(id);
  };
  std::map<std::string, std::string> expression_ids;
  auto license = [&](const std::string& expression) {
    auto [it, fresh] = expression_ids.try_emplace(
        expression, ns + "license/" + std::to_string(expression_ids.size()));
    if (fresh) {
      graph.push_back({{"type", "simplelicensing_LicenseExpression"},
                       {"spdxId", it->second},
                       {"creationInfo", ci},
                       {"simplelicensing_licenseExpression", expression},
                       {"simplelicensing_licenseListVersion", spdx::LicenseListVersion()}});
      elements.push_back(it->second);
    }
    return it->second;
  };

  std::vector<std::string> dataset_ids;
  const std::string sensitive = Sensitive(r);
  for (const json& d : r.at("datasets")) {
    const std::string id = ns + "dataset/" + d.at("dataset_id").get<std::string>();
    std::set<std::string> types;
    for (const auto& [mt, n] : d.at("training_media_types").items()) types.insert(Modality(mt));
    json pkg = {{"type", "dataset_DatasetPackage"},
                {"spdxId", id},
                {"creationInfo", ci},
                {"name", d.at("name")},
                {"software_packageVersion", d.at("version")},
                {"software_primaryPurpose", "data"},
                {"software_downloadLocation", "NOASSERTION"},
                {"dataset_datasetType", types},
                {"dataset_datasetSize", d.at("in_force").at("bytes")},
                {"dataset_hasSensitivePersonalInformation", sensitive},
                {"verifiedUsing",
                 {{{"type", "Hash"},
                   {"creationInfo", ci},
                   {"algorithm", "sha256"},
                   {"hashValue", d.at("manifest_root")},
                   {"comment",
                    "RFC 6962 Merkle root of the sealed dataset version's ledger "
                    "entries (provledger manifest)"}}}},
                {"comment", std::to_string(d.at("in_force").at("documents").get<uint64_t>()) +
                                " documents, " + std::to_string(Training(d.at("in_force"))) +
                                " of them training data (accepted or flagged)"}};
    if (!d.at("description").get<std::string>().empty()) pkg["description"] = d["description"];
    if (!d.at("intended_use").get<std::string>().empty()) {
      pkg["dataset_intendedUse"] = d["intended_use"];
    }
    const json& period = d.at("registration_period");
    if (!period.empty()) pkg["builtTime"] = Rfc3339(period.at("last_unix_micros").get<int64_t>());
    graph.push_back(std::move(pkg));
    elements.push_back(id);
    dataset_ids.push_back(id);
    std::vector<std::string> licenses;
    for (const auto& [expr, n] : d.at("training_licenses").items()) {
      if (expr != "NOASSERTION") licenses.push_back(license(expr));
    }
    if (!licenses.empty()) relationship(id, "hasDeclaredLicense", licenses);
  }
  for (const json& a : r.at("ancestors")) {
    const std::string id = ns + "dataset/" + a.at("dataset_id").get<std::string>();
    graph.push_back({{"type", "dataset_DatasetPackage"},
                     {"spdxId", id},
                     {"creationInfo", ci},
                     {"name", a.at("name")},
                     {"software_packageVersion", a.at("version")},
                     {"software_primaryPurpose", "data"},
                     {"software_downloadLocation", "NOASSERTION"},
                     {"dataset_datasetType", {"other"}}});
    elements.push_back(id);
  }
  for (const json& e : r.at("derivations")) {
    relationship(ns + "dataset/" + e.at("parent").get<std::string>(), "ancestorOf",
                 {ns + "dataset/" + e.at("child").get<std::string>()});
  }
  if (r.at("subject").at("kind") == "model") {
    const json& s = r.at("subject");
    const std::string model = ns + "model";
    const json& run = r.at("training_runs").back();
    json pkg = {{"type", "ai_AIPackage"},
                {"spdxId", model},
                {"creationInfo", ci},
                {"name", s.at("model_name")},
                {"software_packageVersion", s.at("model_version")},
                {"software_primaryPurpose", "model"},
                {"software_downloadLocation", "NOASSERTION"},
                {"ai_typeOfModel", {"NOASSERTION"}}};
    if (!run.at("description").get<std::string>().empty()) pkg["description"] = run["description"];
    if (run.at("training_end_unix_micros").get<int64_t>() != 0) {
      pkg["builtTime"] = Rfc3339(run["training_end_unix_micros"].get<int64_t>());
    }
    graph.push_back(std::move(pkg));
    elements.push_back(model);
    roots.push_back(model);
    relationship(model, "trainedOn", dataset_ids);
  } else {
    roots = dataset_ids;
  }
  const std::string doc = ns + "document";
  graph.push_back({{"type", "SpdxDocument"},
                   {"spdxId", doc},
                   {"creationInfo", ci},
                   {"name", "Training-data provenance: " + SubjectName(r)},
                   {"profileConformance", {"core", "software", "simpleLicensing", "ai", "dataset"}},
                   {"rootElement", roots},
                   {"element", elements}});
  return {{"@context", "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}, {"@graph", graph}};
}

}  // namespace provledger::report::render_internal
