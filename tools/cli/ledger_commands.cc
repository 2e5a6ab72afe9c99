// Online commands that read the ledger: checkpoint, vkey, entries, proof,
// consistency; and dataset creation.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "client.h"
#include "commands.h"
#include "entry_json.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/note.h"
#include "provledger/v1/ledger.grpc.pb.h"
#include "provledger/v1/registry.grpc.pb.h"
#include "source_args.h"

namespace provledger::cli {
namespace {

// Writes a command's output; exit code 1 with a message if it cannot.
int WriteOrFail(const std::string& out, const std::string& data) {
  absl::Status w = WriteOutput(out, data);
  if (w.ok()) return 0;
  std::cerr << "provledger: " << w.message() << "\n";
  return 1;
}

}  // namespace

int CreateDataset(const DatasetArgs& args) {
  v1::CreateDatasetRequest req;
  req.set_name(args.name);
  req.set_version(args.version);
  req.set_description(args.description);
  req.set_owner(args.owner);
  req.set_intended_use(args.intended_use);
  if (!args.source_file.empty()) {
    auto source = LoadSourceFile(args.source_file);
    if (!source.ok()) {
      std::cerr << "provledger: " << source.status().message() << "\n";
      return 2;
    }
    *req.mutable_default_source() = ToProto(*source);
  }
  v1::CreateDatasetResponse resp;
  if (int rc = CallUnary(&v1::RegistryService::Stub::CreateDataset, args.server, "create dataset",
                         req, &resp);
      rc != 0) {
    return rc;
  }
  std::cout << resp.dataset_id() << "\n";
  std::cerr << (resp.already_existed() ? "dataset already existed" : "dataset created")
            << " at ledger index " << resp.ledger_index() << "\n";
  return 0;
}

int GetCheckpoint(const std::string& server, uint64_t size, const std::string& out) {
  v1::GetCheckpointRequest req;
  req.set_tree_size(size);
  v1::GetCheckpointResponse resp;
  if (int rc =
          CallUnary(&v1::LedgerService::Stub::GetCheckpoint, server, "get checkpoint", req, &resp);
      rc != 0) {
    return rc;
  }
  return WriteOrFail(out, resp.note());
}

int ShowVerifierKeys(const std::string& server) {
  v1::GetCheckpointResponse resp;
  if (int rc = CallUnary(&v1::LedgerService::Stub::GetCheckpoint, server, "get checkpoint",
                         v1::GetCheckpointRequest(), &resp);
      rc != 0) {
    return rc;
  }
  for (const auto& k : resp.verifier_keys()) std::cout << k << "\n";
  return 0;
}

namespace {

nlohmann::json EntryJson(const v1::LedgerEntry& e) {
  nlohmann::json j;
  j["index"] = e.index();
  j["leaf_hash"] = ToHex(e.leaf_hash());
  auto decoded = DecodeEntry(e.data());
  if (!decoded.ok()) {
    j["error"] = std::string(decoded.status().message());
    return j;
  }
  j["timestamp_us"] = decoded->timestamp_us;
  AddEntryFields(*decoded, &j);
  return j;
}

}  // namespace

int Entries(const std::string& server, uint64_t start, uint32_t count) {
  // The server answers at most ~3 MiB of entries a call: ask until done.
  while (count > 0) {
    v1::GetEntriesRequest req;
    req.set_start(start);
    req.set_count(count);
    v1::GetEntriesResponse resp;
    if (int rc = CallUnary(&v1::LedgerService::Stub::GetEntries, server, "get entries", req, &resp);
        rc != 0) {
      return rc;
    }
    if (resp.entries_size() == 0) break;  // the end of the ledger
    for (const auto& e : resp.entries()) std::cout << EntryJson(e).dump() << "\n";
    start += static_cast<uint64_t>(resp.entries_size());
    count -= static_cast<uint32_t>(std::min<uint64_t>(count, resp.entries_size()));
  }
  return 0;
}

int Proof(const std::string& server, uint64_t index, uint64_t size, const std::string& out) {
  v1::GetInclusionProofRequest req;
  req.set_index(index);
  req.set_tree_size(size);
  v1::GetInclusionProofResponse resp;
  if (int rc = CallUnary(&v1::LedgerService::Stub::GetInclusionProof, server, "get inclusion proof",
                         req, &resp);
      rc != 0) {
    return rc;
  }
  if (resp.checkpoint().empty()) {
    std::cerr << "provledger: no checkpoint was signed at tree size " << resp.tree_size()
              << "; ask for a size that has one (0 = latest)\n";
    return 1;
  }
  TlogProof p;
  p.has_extra = true;
  p.extra = resp.entry_data();
  p.index = resp.index();
  p.hashes.assign(resp.hashes().begin(), resp.hashes().end());
  p.checkpoint = resp.checkpoint();
  return WriteOrFail(out, FormatTlogProof(p));
}

int Consistency(const std::string& server, uint64_t from, uint64_t to, const std::string& out) {
  v1::GetConsistencyProofRequest req;
  req.set_from_size(from);
  req.set_to_size(to);
  v1::GetConsistencyProofResponse resp;
  if (int rc = CallUnary(&v1::LedgerService::Stub::GetConsistencyProof, server,
                         "get consistency proof", req, &resp);
      rc != 0) {
    return rc;
  }
  std::string text = "provledger-consistency-proof v1\nfrom " + std::to_string(resp.from_size()) +
                     "\nto " + std::to_string(resp.to_size()) + "\n";
  for (const auto& h : resp.hashes()) text += Base64Encode(h) + "\n";
  return WriteOrFail(out, text);
}

}  // namespace provledger::cli
