// CycloneDX 1.6 ML-BOM (docs/reports.md §7): the model as a
// machine-learning-model component, each dataset version as a data
// component with its manifest root, licenses and pedigree.
#include "render.h"
#include "render_util.h"

namespace provledger::report::render_internal {
namespace {

using nlohmann::json;

// A v4-shaped UUID derived from the report id, so one report has one
// serial number.
std::string SerialNumber(const std::string& report_id) {
  std::string hex = report_id.substr(0, 32);
  hex.resize(32, '0');
  hex[12] = '4';
  hex[16] = "89ab"[hex[16] % 4];
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

json DataComponent(const json& d, const std::map<std::string, json>& by_id, const json& derivations,
                   int depth) {
  const std::string id = d.at("dataset_id").get<std::string>();
  json c = {{"type", "data"},
            {"name", d.at("name")},
            {"version", d.at("version")},
            {"properties",
             {{{"name", "provledger:dataset_id"}, {"value", id}},
              {{"name", "provledger:ledger_index"},
               {"value", std::to_string(d.at("ledger_index").get<uint64_t>())}}}}};
  if (!d.at("description").get<std::string>().empty()) c["description"] = d["description"];
  if (!d.at("owner").get<std::string>().empty()) {
    c["supplier"] = {{"name", d["owner"]}};
  }
  if (!d.at("manifest_root").get<std::string>().empty()) {
    c["hashes"] = {{{"alg", "SHA-256"}, {"content", d["manifest_root"]}}};
  }
  if (d.contains("in_force")) {
    std::string expression = Conjunction(d.at("training_licenses"));
    if (!expression.empty()) c["licenses"] = {{{"expression", expression}}};
    json contents = {{"properties",
                      {{{"name", "provledger:documents"},
                        {"value", std::to_string(d["in_force"]["documents"].get<uint64_t>())}},
                       {{"name", "provledger:training_documents"},
                        {"value", std::to_string(Training(d["in_force"]))}},
                       {{"name", "provledger:bytes"},
                        {"value", std::to_string(d["in_force"]["bytes"].get<uint64_t>())}}}}};
    json data = {{"type", "dataset"}, {"name", d.at("name")}, {"contents", contents}};
    if (!d.at("owner").get<std::string>().empty()) {
      data["governance"] = {{"owners", {{{"organization", {{"name", d["owner"]}}}}}}};
    }
    if (!d.at("intended_use").get<std::string>().empty()) {
      data["description"] = "Intended use: " + d["intended_use"].get<std::string>();
    }
    c["data"] = {data};
  }
  // Pedigree: the parent versions it was derived from, and how.
  json ancestors = json::array();
  std::string notes;
  for (const json& e : derivations) {
    if (e.at("child").get<std::string>() != id || depth > 8) continue;
    auto parent = by_id.find(e.at("parent").get<std::string>());
    if (parent == by_id.end()) continue;
    ancestors.push_back(DataComponent(parent->second, by_id, derivations, depth + 1));
    notes += (notes.empty() ? "" : "; ") + e.at("transformation").get<std::string>() + " of " +
             e.at("parent").get<std::string>();
  }
  if (!ancestors.empty()) c["pedigree"] = {{"ancestors", ancestors}, {"notes", notes}};
  return c;
}

}  // namespace

json CycloneDx(const json& r) {
  std::map<std::string, json> by_id;
  for (const json& a : r.at("ancestors")) by_id[a.at("dataset_id").get<std::string>()] = a;
  for (const json& d : r.at("datasets")) by_id[d.at("dataset_id").get<std::string>()] = d;
  json components = json::array();
  json refs = json::array();
  for (const json& d : r.at("datasets")) {
    json c = DataComponent(d, by_id, r.at("derivations"), 0);
    const std::string ref = "dataset:" + d.at("dataset_id").get<std::string>();
    c["bom-ref"] = ref;
    refs.push_back(ref);
    components.push_back(std::move(c));
  }
  json bom = {{"bomFormat", "CycloneDX"},
              {"specVersion", "1.6"},
              {"serialNumber", SerialNumber(ReportId(r))},
              {"version", 1}};
  json metadata = {
      {"timestamp", Rfc3339(r.at("generated_unix_micros").get<int64_t>())},
      {"tools", {{"components", {{{"type", "application"}, {"name", "provledger"}}}}}},
      {"properties",
       {{{"name", "provledger:origin"}, {"value", r.at("origin")}},
        {{"name", "provledger:tree_size"},
         {"value", std::to_string(r.at("anchor").at("tree_size").get<uint64_t>())}},
        {{"name", "provledger:root_hash"}, {"value", r.at("anchor").at("root_hash")}}}}};
  json dependencies = json::array();
  if (r.at("subject").at("kind") == "model") {
    const json& s = r.at("subject");
    json datasets = json::array();
    for (const json& ref : refs) datasets.push_back({{"ref", ref}});
    json model = {{"type", "machine-learning-model"},
                  {"bom-ref", "model"},
                  {"name", s.at("model_name")},
                  {"version", s.at("model_version")},
                  {"modelCard", {{"modelParameters", {{"datasets", datasets}}}}}};
    metadata["component"] = model;
    dependencies.push_back({{"ref", "model"}, {"dependsOn", refs}});
  }
  bom["metadata"] = metadata;
  bom["components"] = components;
  if (!dependencies.empty()) bom["dependencies"] = dependencies;
  return bom;
}

}  // namespace provledger::report::render_internal
