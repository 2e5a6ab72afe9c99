#include "registry_service.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "google/protobuf/unknown_field_set.h"
#include "grpc_status.h"
#include "provledger/spdx.h"
#include "provledger/status_macros.h"
#include "source_convert.h"

namespace provledger::service {

grpc::Status RegistryServiceImpl::CreateDataset(grpc::ServerContext*,
                                                const v1::CreateDatasetRequest* req,
                                                v1::CreateDatasetResponse* resp) {
  DatasetSpec spec{req->name(),  req->version(),      req->description(),
                   req->owner(), req->intended_use(), {}};
  auto source = FromProto(req->default_source(), "default_source.");
  if (!source.ok()) return ToGrpc(source.status());
  spec.default_source = *std::move(source);
  auto info = registry_->CreateDataset(spec);
  if (!info.ok()) return ToGrpc(info.status());
  resp->set_dataset_id(info->dataset_id);
  resp->set_ledger_index(info->ledger_index);
  resp->set_already_existed(info->already_existed);
  if (info->checkpoint) resp->set_checkpoint(info->checkpoint->note);
  return grpc::Status::OK;
}

namespace {

template <typename Response>
void SetLineageVerdict(const std::optional<VerdictRecord>& v, Response* resp) {
  if (!v.has_value()) return;
  resp->set_verdict(static_cast<v1::Verdict>(v->verdict));
  AddReasons(v->reasons, resp->mutable_reasons());
}

}  // namespace

grpc::Status RegistryServiceImpl::SealDataset(grpc::ServerContext*,
                                              const v1::SealDatasetRequest* req,
                                              v1::SealDatasetResponse* resp) {
  if (req->dataset_id().empty())
    return ToGrpc(absl::InvalidArgumentError("dataset_id is required"));
  auto seal = registry_->SealDataset(req->dataset_id());
  if (!seal.ok()) return ToGrpc(seal.status());
  ToProto(seal->manifest, resp->mutable_manifest());
  resp->set_ledger_index(seal->ledger_index);
  resp->set_already_sealed(seal->already_sealed);
  if (seal->checkpoint) resp->set_checkpoint(seal->checkpoint->note);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::DeriveDataset(grpc::ServerContext*,
                                                const v1::DeriveDatasetRequest* req,
                                                v1::DeriveDatasetResponse* resp) {
  DerivationSpec spec{req->dataset_id(),
                      {req->parent_ids().begin(), req->parent_ids().end()},
                      req->transformation(),
                      req->description()};
  auto d = registry_->DeriveDataset(spec);
  if (!d.ok()) return ToGrpc(d.status());
  AddRefs(d->entry.parents, resp->mutable_parents());
  SetLineageVerdict(d->entry.verdict, resp);
  resp->set_ledger_index(d->ledger_index);
  resp->set_already_existed(d->already_existed);
  if (d->checkpoint) resp->set_checkpoint(d->checkpoint->note);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::RegisterTrainingRun(grpc::ServerContext*,
                                                      const v1::RegisterTrainingRunRequest* req,
                                                      v1::RegisterTrainingRunResponse* resp) {
  TrainingRunSpec spec;
  spec.model_name = req->model_name();
  spec.model_version = req->model_version();
  spec.dataset_ids.assign(req->dataset_ids().begin(), req->dataset_ids().end());
  spec.training_start_us = req->training_start_unix_micros();
  spec.training_end_us = req->training_end_unix_micros();
  spec.commercial = req->commercial();
  spec.public_cn = req->public_cn();
  spec.public_eu = req->public_eu();
  spec.description = req->description();
  auto run = registry_->RegisterTrainingRun(spec);
  if (!run.ok()) return ToGrpc(run.status());
  AddRefs(run->entry.datasets, resp->mutable_datasets());
  SetLineageVerdict(run->entry.verdict, resp);
  resp->set_ledger_index(run->ledger_index);
  resp->set_already_existed(run->already_existed);
  if (run->checkpoint) resp->set_checkpoint(run->checkpoint->note);
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::DeclareOptOut(grpc::ServerContext*,
                                                const v1::DeclareOptOutRequest* req,
                                                v1::DeclareOptOutResponse* resp) {
  OptOutSpec spec{req->declarant(), req->reference(), std::nullopt, req->url_pattern(),
                  req->domain()};
  if (req->target_case() == v1::DeclareOptOutRequest::kContent) spec.content = req->content();
  auto o = registry_->DeclareOptOut(spec);
  if (!o.ok()) return ToGrpc(o.status());
  resp->set_ledger_index(o->ledger_index);
  resp->set_already_existed(o->already_existed);
  resp->set_content_id(o->entry.content_id);
  if (o->entry.text.has_value()) resp->set_normalized_hash(o->entry.text->normalized_hash);
  if (o->checkpoint) resp->set_checkpoint(o->checkpoint->note);
  return grpc::Status::OK;
}

namespace {

void SetSummary(const ReevaluationSummary& s, v1::ReevaluationSummary* p) {
  p->set_examined(s.examined);
  p->set_reevaluated(s.reevaluated);
  p->set_accepted(s.verdicts[0]);
  p->set_flagged(s.verdicts[1]);
  p->set_rejected(s.verdicts[2]);
  if (s.checkpoint) p->set_checkpoint(s.checkpoint->note);
}

}  // namespace

grpc::Status RegistryServiceImpl::RecordSourceAssessment(
    grpc::ServerContext*, const v1::RecordSourceAssessmentRequest* req,
    v1::RecordSourceAssessmentResponse* resp) {
  AssessmentSpec spec;
  if (req->source_case() == v1::RecordSourceAssessmentRequest::kDomain) {
    spec.kind = SourceKind::kDomain;
    spec.source = req->domain();
  } else if (req->source_case() == v1::RecordSourceAssessmentRequest::kDatasetName) {
    spec.kind = SourceKind::kDatasetName;
    spec.source = req->dataset_name();
  } else {
    return ToGrpc(absl::InvalidArgumentError("one of domain or dataset_name is required"));
  }
  spec.sample_size = req->sample_size();
  spec.failures = req->failures();
  spec.assessor = req->assessor();
  spec.phase = req->phase();
  spec.notes = req->notes();
  ReevaluationSummary summary;
  auto a = registry_->RecordSourceAssessment(spec, &summary);
  if (!a.ok()) return ToGrpc(a.status());
  resp->set_ledger_index(a->ledger_index);
  resp->set_blacklisted(a->entry.blacklisted);
  SetSummary(summary, resp->mutable_earlier_documents());
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ReevaluateDataset(grpc::ServerContext*,
                                                    const v1::ReevaluateDatasetRequest* req,
                                                    v1::ReevaluateDatasetResponse* resp) {
  if (req->dataset_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("dataset_id is required"));
  }
  auto s = registry_->ReevaluateDataset(req->dataset_id());
  if (!s.ok()) return ToGrpc(s.status());
  SetSummary(*s, resp->mutable_summary());
  resp->set_policy_sha256(registry_->policy().sha256());
  return grpc::Status::OK;
}

namespace {

// Shared between the stream's reader (the handler thread), its writer thread
// and the ledger's committer thread (durability callbacks).
struct StreamState {
  std::mutex mu;
  std::condition_variable cv;
  size_t in_flight = 0;  // submitted, not yet durable or failed
  // Durable, their receipts not yet taken by the client (in `ready` or being
  // written): they count against the stream's bound too, or a client that
  // never reads would have the server buffer receipts without end.
  size_t unsent = 0;
  bool reading_done = false;
  // The reader waits for the next part of a document it holds (a stalled
  // client), since read_started.
  bool waiting_for_part = false;
  std::chrono::steady_clock::time_point read_started;
  absl::Status error;                   // first failure; ends the stream
  v1::RegisterDocumentsResponse ready;  // durable receipts not yet sent
  std::shared_ptr<const SignedCheckpoint> ready_checkpoint;
};

// This stream's share of the bytes of partly received documents that all
// streams hold, given back when the stream ends.
class AssemblyBytes {
 public:
  explicit AssemblyBytes(std::atomic<uint64_t>* total) : total_(total) {}
  ~AssemblyBytes() { Set(0); }
  AssemblyBytes(const AssemblyBytes&) = delete;
  AssemblyBytes& operator=(const AssemblyBytes&) = delete;
  void Set(uint64_t bytes) {
    if (bytes >= held_) {
      total_->fetch_add(bytes - held_);
    } else {
      total_->fetch_sub(held_ - bytes);
    }
    held_ = bytes;
  }

 private:
  std::atomic<uint64_t>* total_;
  uint64_t held_ = 0;
};

void AddReceipts(StreamState* st, size_t documents, RegisterOutcome out) {
  std::lock_guard<std::mutex> lock(st->mu);
  st->in_flight -= documents;
  if (!out.status.ok()) {
    if (st->error.ok()) st->error = out.status;
  } else {
    st->unsent += out.receipts.size();
    for (auto& r : out.receipts) {
      v1::DocumentReceipt* p = st->ready.add_receipts();
      p->set_client_ref(std::move(r.doc.client_ref));
      p->set_content_id(std::move(r.doc.content_id));
      p->set_ledger_index(r.ledger_index);
      p->set_leaf_hash(std::move(r.leaf_hash));
      p->set_size_bytes(r.doc.size_bytes);
      p->set_already_registered(r.already_registered);
      p->set_dataset_id(std::move(r.doc.dataset_id));
      p->set_media_type(std::move(r.doc.media_type));
      if (r.doc.text.has_value()) p->set_normalized_hash(r.doc.text->normalized_hash);
      SetVerdict(r.verdict, p);
    }
    // Checkpoints only grow; the newest covers every receipt collected.
    if (!st->ready_checkpoint || out.checkpoint->size > st->ready_checkpoint->size) {
      st->ready_checkpoint = out.checkpoint;
    }
  }
  st->cv.notify_all();
}

// A document part's own source record, converted and checked; errors name
// `field` + "source.*".
absl::StatusOr<policy::SourceRecord> DocumentSource(const v1::DocumentPart& part,
                                                    const std::string& field,
                                                    const Registry& registry) {
  PL_ASSIGN_OR_RETURN(policy::SourceRecord source, FromProto(part.source(), field + "source."));
  PL_RETURN_IF_ERROR(registry.CheckSource(source, field));
  return source;
}

// The most documents one message may carry in `documents`.
constexpr int kMaxBatchDocuments = 1000;

// A document sent as client-computed fingerprints, checked by the registry.
// `field` names the part in errors ("document." or "documents[i].").
absl::StatusOr<DocumentRegistration> ClientDocument(const std::string& dataset_id,
                                                    const v1::DocumentPart& part,
                                                    const std::string& field, Registry* registry) {
  if (!part.content().empty() || part.more()) {
    return absl::InvalidArgumentError(
        field + "fingerprints replaces the content: send no content and more = false");
  }
  const v1::ClientFingerprints& f = part.fingerprints();
  DocumentRegistration doc;
  doc.dataset_id = dataset_id;
  doc.client_ref = part.client_ref();
  doc.content_id = f.content_id();
  doc.size_bytes = f.size_bytes();
  doc.media_type = f.media_type();
  FingerprintVersions versions;
  if (f.has_text()) {
    const v1::TextFingerprints& t = f.text();
    if (t.minhash_size() != fingerprint::kMinHashSize) {
      return absl::InvalidArgumentError(field + "fingerprints.text.minhash must have " +
                                        std::to_string(fingerprint::kMinHashSize) +
                                        " values, got " + std::to_string(t.minhash_size()));
    }
    versions = {t.normalization_version(), t.minhash_version(), t.winnow_version()};
    fingerprint::TextFingerprints text;
    text.normalized_hash = t.normalized_hash();
    std::copy(t.minhash().begin(), t.minhash().end(), text.minhash.begin());
    // Field 6 held one WinnowFingerprint message per fingerprint before the
    // packed lists; records written then would otherwise read as a text
    // without winnowing fingerprints.
    const google::protobuf::UnknownFieldSet& unknown = t.GetReflection()->GetUnknownFields(t);
    for (int i = 0; i < unknown.field_count(); ++i) {
      if (unknown.field(i).number() == 6) {
        return absl::InvalidArgumentError(
            field +
            "fingerprints.text field 6 (winnows, one message per fingerprint) is no longer "
            "read: send winnow_hashes and winnow_token_indices (provledger fingerprint writes "
            "them; regenerate older --format pb files)");
      }
    }
    if (t.winnow_hashes_size() != t.winnow_token_indices_size()) {
      return absl::InvalidArgumentError(
          field + "fingerprints.text.winnow_token_indices has " +
          std::to_string(t.winnow_token_indices_size()) + " values and winnow_hashes " +
          std::to_string(t.winnow_hashes_size()) + "; one token index per hash");
    }
    text.winnows.resize(t.winnow_hashes_size());
    for (int i = 0; i < t.winnow_hashes_size(); ++i) {
      text.winnows[i] = {t.winnow_hashes(i), t.winnow_token_indices(i)};
    }
    text.token_count = t.token_count();
    doc.text = std::move(text);
  }
  PL_ASSIGN_OR_RETURN(doc.source, DocumentSource(part, field, *registry));
  PL_RETURN_IF_ERROR(registry->CheckClientFingerprints(versions, &doc, field));
  return doc;
}

// A whole document sent with its content in a batch: fingerprinted here.
absl::StatusOr<DocumentRegistration> ContentDocument(const std::string& dataset_id,
                                                     const v1::DocumentPart& part,
                                                     const std::string& field, Registry* registry) {
  if (part.more()) {
    return absl::InvalidArgumentError(field +
                                      "more is set: a document in `documents` is whole; send a "
                                      "document in parts with `document`, one part per message");
  }
  PL_ASSIGN_OR_RETURN(policy::SourceRecord source, DocumentSource(part, field, *registry));
  DocumentAssembler assembler(registry);
  auto done = assembler.AddPart(dataset_id, part.client_ref(), part.content(), /*more=*/false);
  if (!done.ok()) {
    // The assembler names the fields of "document."; name this one's.
    const std::string msg(done.status().message());
    constexpr std::string_view kDocument = "document.";
    std::string named = std::string_view(msg).substr(0, kDocument.size()) == kDocument
                            ? field + msg.substr(kDocument.size())
                            : field.substr(0, field.size() - 1) + ": " + msg;
    return absl::Status(done.status().code(), named);
  }
  (*done)->source = std::move(source);
  return std::move(**done);
}

// Every document of a `documents` message, or the first error: a batch is
// registered whole or not at all.
absl::StatusOr<std::vector<DocumentRegistration>> BatchDocuments(
    const v1::RegisterDocumentsRequest& req, bool assembling, Registry* registry) {
  if (req.has_document()) {
    return absl::InvalidArgumentError(
        "document and documents are both set; a message carries one or the other");
  }
  if (assembling) {
    return absl::InvalidArgumentError(
        "documents sent while a document's content parts are still expected");
  }
  if (req.documents_size() > kMaxBatchDocuments) {
    return absl::InvalidArgumentError("documents holds " + std::to_string(req.documents_size()) +
                                      " documents; at most " + std::to_string(kMaxBatchDocuments) +
                                      " per message");
  }
  std::vector<DocumentRegistration> docs;
  docs.reserve(req.documents_size());
  for (int i = 0; i < req.documents_size(); ++i) {
    const v1::DocumentPart& part = req.documents(i);
    const std::string field = "documents[" + std::to_string(i) + "].";
    auto doc = part.has_fingerprints() ? ClientDocument(req.dataset_id(), part, field, registry)
                                       : ContentDocument(req.dataset_id(), part, field, registry);
    if (!doc.ok()) return doc.status();
    docs.push_back(*std::move(doc));
  }
  return docs;
}

}  // namespace

RegistryServiceImpl::RegistryServiceImpl(Registry* registry, RegistrationLimits limits)
    : registry_(registry), limits_(limits) {
  const std::string service = v1::RegistryService::service_full_name();
  using Self = RegistryServiceImpl;
  MarkMethodStreamed(MethodIndex(service, "CreateDataset"),
                     ParsedUnary(this, &Self::CreateDataset));
  MarkMethodStreamed(MethodIndex(service, "RegisterDocuments"),
                     ParsedStream(this, &Self::RegisterDocumentsParsed));
  MarkMethodStreamed(MethodIndex(service, "SealDataset"), ParsedUnary(this, &Self::SealDataset));
  MarkMethodStreamed(MethodIndex(service, "DeriveDataset"),
                     ParsedUnary(this, &Self::DeriveDataset));
  MarkMethodStreamed(MethodIndex(service, "RegisterTrainingRun"),
                     ParsedUnary(this, &Self::RegisterTrainingRun));
  MarkMethodStreamed(MethodIndex(service, "DeclareOptOut"),
                     ParsedUnary(this, &Self::DeclareOptOut));
  MarkMethodStreamed(MethodIndex(service, "RecordSourceAssessment"),
                     ParsedUnary(this, &Self::RecordSourceAssessment));
  MarkMethodStreamed(MethodIndex(service, "ReevaluateDataset"),
                     ParsedUnary(this, &Self::ReevaluateDataset));
}

grpc::Status RegistryServiceImpl::RegisterDocumentsParsed(grpc::ServerContext* ctx,
                                                          RawStream* stream) {
  auto st = std::make_shared<StreamState>();
  ParsedReader<v1::RegisterDocumentsRequest> reader(stream);

  // Writer: sends receipts as they become durable, merging whatever is
  // ready; and ends a stream whose client stopped in the middle of a
  // document.
  const auto timeout = limits_.partial_document_timeout;
  std::thread writer([st, stream, ctx, timeout] {
    bool client_gone = false;
    std::unique_lock<std::mutex> lock(st->mu);
    while (true) {
      const bool woken = st->cv.wait_for(
          lock, std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(1)), [&] {
            return st->ready.receipts_size() > 0 || (st->reading_done && st->in_flight == 0);
          });
      if (!woken) {
        if (st->waiting_for_part && std::chrono::steady_clock::now() - st->read_started > timeout &&
            st->error.ok()) {
          st->error = absl::DeadlineExceededError(
              "no part of the document being sent came within " + std::to_string(timeout.count()) +
              " ms; the stream was ended");
          ctx->TryCancel();
          st->cv.notify_all();
        }
        continue;
      }
      if (st->ready.receipts_size() == 0) return;  // done and drained
      v1::RegisterDocumentsResponse resp;
      resp.Swap(&st->ready);
      // Every receipt is covered by the newest checkpoint collected, sent with it.
      for (auto& r : *resp.mutable_receipts()) r.set_tree_size(st->ready_checkpoint->size);
      resp.set_checkpoint(st->ready_checkpoint->note);
      lock.unlock();
      if (!client_gone && !WriteMessage(stream, resp)) client_gone = true;
      lock.lock();
      st->unsent -= static_cast<size_t>(resp.receipts_size());
      st->cv.notify_all();
    }
  });

  // Submits whole documents; their receipts come back through the writer.
  auto submit = [this, &st](std::vector<DocumentRegistration> docs) {
    size_t n = docs.size();
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->in_flight += n;
    }
    registry_->RegisterAsync(std::move(docs), [st, n](RegisterOutcome out) {
      AddReceipts(st.get(), n, std::move(out));
    });
  };

  DocumentAssembler assembler(registry_);
  AssemblyBytes held(&assembling_bytes_);
  policy::SourceRecord pending_source;  // of the document being assembled
  std::string first_source_bytes;
  absl::Status read_error;
  v1::RegisterDocumentsRequest req;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(st->mu);
      st->cv.wait(lock, [&] {
        return st->in_flight + st->unsent < limits_.max_in_flight || !st->error.ok();
      });
      if (!st->error.ok()) break;
    }
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->waiting_for_part = assembler.in_progress();
      st->read_started = std::chrono::steady_clock::now();
    }
    const bool got = reader.Read(&req);
    {
      std::lock_guard<std::mutex> lock(st->mu);
      st->waiting_for_part = false;
    }
    if (!got) {
      read_error = reader.status();
      break;
    }
    if (req.documents_size() > 0) {
      auto docs = BatchDocuments(req, assembler.in_progress(), registry_);
      if (!docs.ok()) {
        read_error = docs.status();
        break;
      }
      submit(*std::move(docs));
      continue;
    }
    if (req.document().has_fingerprints()) {
      if (assembler.in_progress()) {
        read_error = absl::InvalidArgumentError(
            "document.fingerprints sent while a document's content parts are still expected");
        break;
      }
      auto doc = ClientDocument(req.dataset_id(), req.document(), "document.", registry_);
      if (!doc.ok()) {
        read_error = doc.status();
        break;
      }
      std::vector<DocumentRegistration> docs;
      docs.push_back(*std::move(doc));
      submit(std::move(docs));
      continue;
    }
    if (!assembler.in_progress()) {
      auto source = DocumentSource(req.document(), "document.", *registry_);
      if (!source.ok()) {
        read_error = source.status();
        break;
      }
      pending_source = *std::move(source);
      first_source_bytes = req.document().source().SerializeAsString();
    } else if (req.document().has_source() &&
               req.document().source().SerializeAsString() != first_source_bytes) {
      read_error = absl::InvalidArgumentError(
          "document.source changed in the middle of document '" + assembler.current_ref() + "'");
      break;
    }
    if (assembling_bytes_.load() + req.document().content().size() > limits_.max_assembling_bytes) {
      read_error = absl::ResourceExhaustedError(
          "the server holds its limit of " + std::to_string(limits_.max_assembling_bytes) +
          " bytes of partly sent documents; retry later, or send client fingerprints");
      break;
    }
    auto done = assembler.AddPart(req.dataset_id(), req.document().client_ref(),
                                  req.document().content(), req.document().more());
    held.Set(assembler.buffered_bytes());
    if (!done.ok()) {
      read_error = done.status();
      break;
    }
    if (!done->has_value()) continue;
    (*done)->source = std::exchange(pending_source, policy::SourceRecord{});
    std::vector<DocumentRegistration> docs;
    docs.push_back(std::move(**done));
    submit(std::move(docs));
  }
  if (read_error.ok() && assembler.in_progress() && !ctx->IsCancelled()) {
    read_error = absl::InvalidArgumentError(
        "stream ended in the middle of document '" + assembler.current_ref() +
        "' (document.more was set on its last part); it was not registered");
  }
  {
    std::lock_guard<std::mutex> lock(st->mu);
    st->reading_done = true;
  }
  st->cv.notify_all();
  writer.join();
  if (!read_error.ok()) return ToGrpc(read_error);
  std::lock_guard<std::mutex> lock(st->mu);
  return ToGrpc(st->error);
}

}  // namespace provledger::service
