// The server's JSON config file.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "provledger/server.h"

namespace provledger {

absl::Status LoadServerConfigFile(const std::string& path, ServerConfig* config) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError("config file " + path + " cannot be read");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("config file " + path + " is not a JSON object");
  }
  auto bad = [&path](const std::string& key, const std::string& want) {
    return absl::InvalidArgumentError("config file " + path + ": '" + key + "' must be " + want);
  };
  for (auto& [key, value] : j.items()) {
    if (key == "data_dir" || key == "listen" || key == "origin") {
      if (!value.is_string()) return bad(key, "a string");
      std::string v = value.get<std::string>();
      if (key == "data_dir") config->data_dir = v;
      if (key == "listen") config->listen = v;
      if (key == "origin") config->origin = v;
    } else if (key == "signing_keys") {
      if (!value.is_array()) return bad(key, "an array of file names");
      config->signing_key_files.clear();
      for (auto& f : value) {
        if (!f.is_string()) return bad(key, "an array of file names");
        config->signing_key_files.push_back(f.get<std::string>());
      }
    } else if (key == "max_document_bytes" || key == "max_batch_entries" ||
               key == "block_cache_bytes") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() == 0) {
        return bad(key, "a positive integer");
      }
      uint64_t v = value.get<uint64_t>();
      if (key == "max_document_bytes" && v > kMaxDocumentBytesLimit) {
        return bad(key, "at most " + std::to_string(kMaxDocumentBytesLimit) + " (1 GiB)");
      }
      if (key == "max_document_bytes") config->registry.max_document_bytes = v;
      if (key == "max_batch_entries") config->max_batch_entries = v;
      if (key == "block_cache_bytes") config->block_cache_bytes = v;
    } else if (key == "index_near_duplicates") {
      if (!value.is_boolean()) return bad(key, "true or false");
      config->index_near_duplicates = value.get<bool>();
    } else if (key == "policy_file") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return bad(key, "a file name");
      }
      config->policy_file = value.get<std::string>();
    } else if (key == "high_water_mark_file") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return bad(key, "a file name");
      }
      config->high_water_mark_file = value.get<std::string>();
    } else if (key == "check_full") {
      if (!value.is_boolean()) return bad(key, "true or false");
      config->check_full = value.get<bool>();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", path, ": unknown key '", key, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace provledger
