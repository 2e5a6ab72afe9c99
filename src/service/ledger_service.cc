#include "ledger_service.h"

#include <string>

#include "grpc_status.h"

namespace provledger::service {

LedgerServiceImpl::LedgerServiceImpl(Ledger* ledger) : ledger_(ledger) {
  const std::string service = v1::LedgerService::service_full_name();
  using Self = LedgerServiceImpl;
  MarkMethodStreamed(MethodIndex(service, "GetCheckpoint"),
                     ParsedUnary(this, &Self::GetCheckpoint));
  MarkMethodStreamed(MethodIndex(service, "GetEntries"), ParsedUnary(this, &Self::GetEntries));
  MarkMethodStreamed(MethodIndex(service, "GetInclusionProof"),
                     ParsedUnary(this, &Self::GetInclusionProof));
  MarkMethodStreamed(MethodIndex(service, "GetConsistencyProof"),
                     ParsedUnary(this, &Self::GetConsistencyProof));
}

grpc::Status LedgerServiceImpl::GetCheckpoint(grpc::ServerContext*,
                                              const v1::GetCheckpointRequest* req,
                                              v1::GetCheckpointResponse* resp) {
  auto latest = ledger_->Latest();
  std::string note = latest->note;
  uint64_t size = latest->size;
  if (req->tree_size() != 0 && req->tree_size() != latest->size) {
    auto stored = ledger_->CheckpointNote(req->tree_size());
    if (!stored.ok()) return ToGrpc(stored.status());
    note = *std::move(stored);
    size = req->tree_size();
  }
  auto parsed = ParseNote(note);
  if (!parsed.ok()) return ToGrpc(parsed.status());
  auto cp = ParseCheckpointText(parsed->text);
  if (!cp.ok()) return ToGrpc(cp.status());
  resp->set_note(note);
  resp->set_tree_size(size);
  resp->set_root_hash(cp->root_hash);
  resp->set_origin(ledger_->origin());
  auto keys = ledger_->VerifierKeys();
  resp->set_verifier_key(keys.front());
  for (auto& k : keys) resp->add_verifier_keys(k);
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetEntries(grpc::ServerContext*, const v1::GetEntriesRequest* req,
                                           v1::GetEntriesResponse* resp) {
  if (req->count() == 0 || req->count() > kMaxEntriesPerCall) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "count must be between 1 and " + std::to_string(kMaxEntriesPerCall));
  }
  auto entries = ledger_->GetEntries(req->start(), req->count());
  if (!entries.ok()) return ToGrpc(entries.status());
  size_t bytes = 0;
  for (auto& e : *entries) {
    // Within a default client's 4 MiB: fewer entries than asked for when
    // they are large (the client asks again from the next index).
    bytes += e.data.size() + 64;
    if (resp->entries_size() > 0 && bytes > kMaxEntriesBytesPerCall) break;
    v1::LedgerEntry* out = resp->add_entries();
    out->set_index(e.index);
    out->set_data(std::move(e.data));
    out->set_leaf_hash(std::move(e.leaf_hash));
  }
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetInclusionProof(grpc::ServerContext*,
                                                  const v1::GetInclusionProofRequest* req,
                                                  v1::GetInclusionProofResponse* resp) {
  auto latest = ledger_->Latest();
  uint64_t size = req->tree_size() == 0 ? latest->size : req->tree_size();
  if (req->index() >= size) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "index " + std::to_string(req->index()) + " must be below tree_size " +
                            std::to_string(size));
  }
  auto path = ledger_->InclusionProof(req->index(), size);
  if (!path.ok()) return ToGrpc(path.status());
  auto entry = ledger_->GetEntries(req->index(), 1);
  if (!entry.ok()) return ToGrpc(entry.status());
  if (entry->empty()) return grpc::Status(grpc::StatusCode::DATA_LOSS, "entry missing");
  resp->set_index(req->index());
  resp->set_tree_size(size);
  for (auto& h : *path) resp->add_hashes(std::move(h));
  resp->set_leaf_hash((*entry)[0].leaf_hash);
  resp->set_entry_data((*entry)[0].data);
  if (size == latest->size) {
    resp->set_checkpoint(latest->note);
  } else if (auto note = ledger_->CheckpointNote(size); note.ok()) {
    resp->set_checkpoint(*std::move(note));
  }
  return grpc::Status::OK;
}

grpc::Status LedgerServiceImpl::GetConsistencyProof(grpc::ServerContext*,
                                                    const v1::GetConsistencyProofRequest* req,
                                                    v1::GetConsistencyProofResponse* resp) {
  uint64_t to = req->to_size() == 0 ? ledger_->Latest()->size : req->to_size();
  if (req->from_size() > to) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "from_size " + std::to_string(req->from_size()) +
                            " must not exceed to_size " + std::to_string(to));
  }
  auto proof = ledger_->ConsistencyProof(req->from_size(), to);
  if (!proof.ok()) return ToGrpc(proof.status());
  for (auto& h : *proof) resp->add_hashes(std::move(h));
  resp->set_from_size(req->from_size());
  resp->set_to_size(to);
  return grpc::Status::OK;
}

}  // namespace provledger::service
