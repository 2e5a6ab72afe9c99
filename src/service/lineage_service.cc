#include "lineage_service.h"

#include <algorithm>
#include <string>

#include "grpc_status.h"
#include "provledger/encoding.h"
#include "provledger/source_record_codec.h"
#include "provledger/status_macros.h"
#include "source_convert.h"

namespace provledger::service {
namespace {

// The shared conversions (source_convert.h) beside this file's overloads.
using ::provledger::service::ToProto;

// A page token: "v1.<tree size>.<position>", the anchor of the first page
// and where the next page starts (a ledger index or an offset).
struct PageToken {
  uint64_t tree_size = 0;
  uint64_t position = 0;
};

std::string FormatToken(uint64_t tree_size, uint64_t position) {
  return "v1." + std::to_string(tree_size) + "." + std::to_string(position);
}

absl::StatusOr<std::optional<PageToken>> ParseToken(const std::string& token) {
  if (token.empty()) return std::optional<PageToken>();
  auto bad = absl::InvalidArgumentError("page_token is malformed; pass next_page_token unchanged");
  if (token.rfind("v1.", 0) != 0) return bad;
  size_t dot = token.find('.', 3);
  if (dot == std::string::npos) return bad;
  auto size = ParseDecimalU64(std::string_view(token).substr(3, dot - 3));
  auto pos = ParseDecimalU64(std::string_view(token).substr(dot + 1));
  if (!size.ok() || !pos.ok()) return bad;
  PageToken t{*size, *pos};
  return std::optional<PageToken>(t);
}

AsOfSpec FromProto(const v1::AsOf& a) {
  AsOfSpec s;
  if (a.point_case() == v1::AsOf::kTreeSize) s.tree_size = a.tree_size();
  if (a.point_case() == v1::AsOf::kTimeUnixMicros) s.time_us = a.time_unix_micros();
  return s;
}

// The as-of of a request, pinned by its page token when there is one.
absl::StatusOr<std::pair<AsOfSpec, std::optional<PageToken>>> Pin(const v1::AsOf& as_of,
                                                                  const std::string& token) {
  PL_ASSIGN_OR_RETURN(std::optional<PageToken> t, ParseToken(token));
  AsOfSpec spec = FromProto(as_of);
  if (t.has_value()) spec = AsOfSpec{t->tree_size, std::nullopt};
  return std::make_pair(spec, t);
}

size_t PageSize(uint32_t asked, size_t def, size_t max) {
  return asked == 0 ? def : std::min<size_t>(asked, max);
}

void ToProto(const SignedCheckpoint& cp, v1::Anchor* a) {
  a->set_tree_size(cp.size);
  a->set_root_hash(cp.root_hash);
  a->set_checkpoint(cp.note);
}

void ToProto(const ModelUseInfo& m, v1::ModelUse* p) {
  p->set_model_name(m.model_name);
  p->set_model_version(m.model_version);
  p->set_run_ledger_index(m.run_index);
  p->set_dataset_id(m.dataset_id);
  for (const auto& d : m.derivation_path) p->add_derivation_path(d);
  p->set_run_verdict(static_cast<v1::Verdict>(m.run_verdict));
}

absl::Status ToProto(const RegistrationInfo& r, v1::Registration* p) {
  p->set_ledger_index(r.ledger_index);
  p->set_leaf_hash(r.leaf_hash);
  p->set_registered_unix_micros(r.registered_us);
  p->set_dataset_id(r.document.dataset_id);
  p->set_dataset_name(r.dataset.name);
  p->set_dataset_version(r.dataset.version);
  p->set_dataset_owner(r.dataset.owner);
  p->set_content_id(r.document.content_id);
  p->set_size_bytes(r.document.size_bytes);
  p->set_media_type(r.document.media_type);
  p->set_client_ref(r.document.client_ref);
  if (r.document.text.has_value()) p->set_normalized_hash(r.document.text->normalized_hash);
  if (!r.verdict.source.empty()) {
    auto source = policy::DecodeSourceRecord(r.verdict.source);
    if (!source.ok()) {
      return absl::DataLossError(
          "entry " + std::to_string(r.ledger_index) +
          ": stored source record: " + std::string(source.status().message()));
    }
    ToProto(*source, p->mutable_source());
  }
  SetVerdict(r.verdict, p);
  p->set_verdict_ledger_index(r.verdict_index);
  for (const ModelUseInfo& m : r.models) ToProto(m, p->add_models());
  for (const std::string& h : r.inclusion_proof) p->add_inclusion_proof(h);
  return absl::OkStatus();
}

absl::Status ToProto(const DatasetView& v, v1::DatasetSummary* p) {
  p->set_dataset_id(v.entry.dataset_id);
  p->set_name(v.entry.name);
  p->set_version(v.entry.version);
  p->set_description(v.entry.description);
  p->set_owner(v.entry.owner);
  p->set_intended_use(v.entry.intended_use);
  if (!v.entry.default_source.empty()) {
    PL_ASSIGN_OR_RETURN(policy::SourceRecord source,
                        policy::DecodeSourceRecord(v.entry.default_source));
    ToProto(source, p->mutable_default_source());
  }
  p->set_ledger_index(v.ledger_index);
  p->set_created_unix_micros(v.created_us);
  p->set_sealed(v.seal.has_value());
  if (v.seal.has_value()) {
    ToProto(*v.seal, p->mutable_manifest());
    p->set_seal_ledger_index(v.seal_index);
  }
  return absl::OkStatus();
}

void ToProto(const DerivationEdgeInfo& e, v1::DerivationEdge* p) {
  p->set_parent_id(e.parent_id);
  p->set_child_id(e.entry.dataset_id);
  p->set_transformation(e.entry.transformation);
  p->set_description(e.entry.description);
  p->set_ledger_index(e.ledger_index);
  if (e.entry.verdict.has_value()) {
    p->set_verdict(static_cast<v1::Verdict>(e.entry.verdict->verdict));
    AddReasons(e.entry.verdict->reasons, p->mutable_reasons());
  }
}

}  // namespace

grpc::Status LineageServiceImpl::LookupContent(grpc::ServerContext*,
                                               const v1::LookupContentRequest* req,
                                               v1::LookupContentResponse* resp) {
  std::string key;
  if (req->key_case() == v1::LookupContentRequest::kContentId) {
    if (req->content_id().size() != 32) {
      return ToGrpc(absl::InvalidArgumentError("content_id must be 32 bytes (SHA-256)"));
    }
    key = req->content_id();
  } else if (req->key_case() == v1::LookupContentRequest::kNormalizedHash) {
    if (req->normalized_hash().size() != 16) {
      return ToGrpc(absl::InvalidArgumentError("normalized_hash must be 16 bytes (XXH3-128)"));
    }
    key = req->normalized_hash();
  } else {
    return ToGrpc(absl::InvalidArgumentError("content_id or normalized_hash is required"));
  }
  auto pinned = Pin(req->as_of(), req->page_token());
  if (!pinned.ok()) return ToGrpc(pinned.status());
  auto& [as_of, token] = *pinned;
  std::optional<uint64_t> after;
  if (token.has_value() && token->position > 0) after = token->position - 1;
  auto result = queries_->LookupContent(key, as_of, PageSize(req->page_size(), 100, 1000), after);
  if (!result.ok()) return ToGrpc(result.status());
  ToProto(result->anchor, resp->mutable_anchor());
  for (const RegistrationInfo& r : result->registrations) {
    if (absl::Status s = ToProto(r, resp->add_registrations()); !s.ok()) return ToGrpc(s);
  }
  if (result->next_after.has_value()) {
    resp->set_next_page_token(FormatToken(result->anchor.size, *result->next_after + 1));
  }
  return grpc::Status::OK;
}

LineageServiceImpl::LineageServiceImpl(LineageQueries* queries, uint64_t max_query_bytes,
                                       uint64_t max_fingerprint_bytes)
    : queries_(queries),
      max_query_bytes_(max_query_bytes),
      max_fingerprint_bytes_(max_fingerprint_bytes) {
  const std::string service = v1::LineageService::service_full_name();
  using Self = LineageServiceImpl;
  MarkMethodStreamed(MethodIndex(service, "LookupContent"),
                     ParsedUnary(this, &Self::LookupContent));
  MarkMethodStreamed(MethodIndex(service, "MatchContent"),
                     ParsedStream(this, &Self::MatchContentParsed));
  MarkMethodStreamed(MethodIndex(service, "GetDataset"), ParsedUnary(this, &Self::GetDataset));
  MarkMethodStreamed(MethodIndex(service, "ListDatasetDocuments"),
                     ParsedUnary(this, &Self::ListDatasetDocuments));
  MarkMethodStreamed(MethodIndex(service, "GetDatasetLineage"),
                     ParsedUnary(this, &Self::GetDatasetLineage));
  MarkMethodStreamed(MethodIndex(service, "GetModelLineage"),
                     ParsedUnary(this, &Self::GetModelLineage));
}

grpc::Status LineageServiceImpl::MatchContentParsed(grpc::ServerContext* ctx, RawStream* stream) {
  v1::MatchContentResponse response;
  grpc::Status status = MatchContentOf(ctx, stream, &response);
  if (status.ok()) WriteMessage(stream, response);
  return status;
}

grpc::Status LineageServiceImpl::MatchContentOf(grpc::ServerContext*, RawStream* stream,
                                                v1::MatchContentResponse* resp) {
  ParsedReader<v1::MatchContentRequest> parsed(stream);
  ParsedReader<v1::MatchContentRequest>* reader = &parsed;
  v1::MatchContentRequest msg;
  v1::MatchOptions options;
  std::string content;
  bool first = true;
  while (reader->Read(&msg)) {
    if (first) options = msg.options();
    first = false;
    if (content.size() + msg.content().size() > max_query_bytes_) {
      return ToGrpc(absl::ResourceExhaustedError("content exceeds the limit of " +
                                                 std::to_string(max_query_bytes_) + " bytes"));
    }
    content += msg.content();
  }
  if (!reader->status().ok()) return ToGrpc(reader->status());
  if (first) return ToGrpc(absl::InvalidArgumentError("no request message was sent"));
  MatchSpec spec;
  spec.min_jaccard = options.min_jaccard();
  if (!(spec.min_jaccard >= 0 && spec.min_jaccard <= 1)) {  // also NaN
    return ToGrpc(absl::InvalidArgumentError("options.min_jaccard must be between 0 and 1"));
  }
  for (int k : options.kinds()) {
    if (k < 1 || k > 4) {
      return ToGrpc(
          absl::InvalidArgumentError("options.kinds has the unknown value " + std::to_string(k)));
    }
    spec.kinds.insert(static_cast<MatchKind>(k));
  }
  auto pinned = Pin(options.as_of(), options.page_token());
  if (!pinned.ok()) return ToGrpc(pinned.status());
  spec.as_of = pinned->first;
  if (pinned->second.has_value()) spec.offset = pinned->second->position;
  spec.page_size = PageSize(options.page_size(), 50, 500);
  spec.receipt = options.receipt();

  MatchQuery query = MatchQuery::FromContent(content, max_fingerprint_bytes_);
  std::string().swap(content);  // the work is not kept
  auto result = queries_->Match(query, spec);
  if (!result.ok()) return ToGrpc(result.status());
  ToProto(result->anchor, resp->mutable_anchor());
  resp->set_query_content_id(query.content_id);
  resp->set_query_size_bytes(query.size_bytes);
  resp->set_query_media_type(query.media_type);
  if (query.text.has_value()) resp->set_query_token_count(query.text->token_count);
  resp->set_query_fingerprints(result->query_fingerprints);
  for (const MatchInfo& m : result->matches) {
    v1::Match* p = resp->add_matches();
    p->set_kind(static_cast<v1::MatchKind>(m.kind));
    if (absl::Status s = ToProto(m.registration, p->mutable_registration()); !s.ok()) {
      return ToGrpc(s);
    }
    p->set_estimated_jaccard(m.estimated_jaccard);
    p->set_contained_share(m.contained_share);
    p->set_longest_run_tokens(m.longest_run_tokens);
    for (const SpanInfo& s : m.spans) {
      v1::MatchedSpan* span = p->add_spans();
      span->set_query_token_begin(s.query_token_begin);
      span->set_query_token_end(s.query_token_end);
      span->set_query_byte_begin(s.query_byte_begin);
      span->set_query_byte_end(s.query_byte_end);
      span->set_document_token_begin(s.document_token_begin);
      span->set_fingerprints(s.fingerprints);
      span->set_query_excerpt(s.query_excerpt);
    }
  }
  if (result->next_offset.has_value()) {
    resp->set_next_page_token(FormatToken(result->anchor.size, *result->next_offset));
  }
  resp->set_total_matches(result->total);
  for (MatchKind k : result->searched) resp->add_searched(static_cast<v1::MatchKind>(k));
  resp->set_common_fingerprints_skipped(result->common_fingerprints_skipped);
  resp->set_candidates_truncated(result->candidates_truncated);
  resp->set_receipt(result->receipt);
  resp->set_candidates_checked(result->candidates_checked);
  return grpc::Status::OK;
}

grpc::Status LineageServiceImpl::GetDataset(grpc::ServerContext*, const v1::GetDatasetRequest* req,
                                            v1::GetDatasetResponse* resp) {
  if (req->dataset_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("dataset_id is required"));
  }
  auto anchor = queries_->Resolve(FromProto(req->as_of()));
  if (!anchor.ok()) return ToGrpc(anchor.status());
  auto view = queries_->GetDataset(req->dataset_id(), *anchor);
  if (!view.ok()) return ToGrpc(view.status());
  if (absl::Status s = ToProto(*view, resp->mutable_dataset()); !s.ok()) return ToGrpc(s);
  auto proof = queries_->DatasetProof(*view, *anchor);
  if (!proof.ok()) return ToGrpc(proof.status());
  for (const std::string& h : *proof) resp->add_inclusion_proof(h);
  ToProto(*anchor, resp->mutable_anchor());
  return grpc::Status::OK;
}

grpc::Status LineageServiceImpl::ListDatasetDocuments(grpc::ServerContext*,
                                                      const v1::ListDatasetDocumentsRequest* req,
                                                      v1::ListDatasetDocumentsResponse* resp) {
  if (req->dataset_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("dataset_id is required"));
  }
  auto pinned = Pin(req->as_of(), req->page_token());
  if (!pinned.ok()) return ToGrpc(pinned.status());
  auto anchor = queries_->Resolve(pinned->first);
  if (!anchor.ok()) return ToGrpc(anchor.status());
  std::optional<uint64_t> after;
  if (pinned->second.has_value() && pinned->second->position > 0) {
    after = pinned->second->position - 1;
  }
  bool more = false;
  auto docs = queries_->ListDatasetDocuments(req->dataset_id(), *anchor,
                                             PageSize(req->page_size(), 1000, 10000), after, &more);
  if (!docs.ok()) return ToGrpc(docs.status());
  for (const auto& [index, d] : *docs) {
    v1::DocumentSummary* p = resp->add_documents();
    p->set_ledger_index(index);
    p->set_content_id(d.content_id);
    p->set_size_bytes(d.size_bytes);
    p->set_media_type(d.media_type);
    p->set_client_ref(d.client_ref);
    if (d.verdict.has_value()) {
      p->set_verdict(static_cast<v1::Verdict>(d.verdict->verdict));
      p->set_license(d.verdict->license);
    }
  }
  if (more && !docs->empty()) {
    resp->set_next_page_token(FormatToken(anchor->size, docs->back().first + 1));
  }
  ToProto(*anchor, resp->mutable_anchor());
  return grpc::Status::OK;
}

grpc::Status LineageServiceImpl::GetDatasetLineage(grpc::ServerContext*,
                                                   const v1::GetDatasetLineageRequest* req,
                                                   v1::GetDatasetLineageResponse* resp) {
  if (req->dataset_id().empty()) {
    return ToGrpc(absl::InvalidArgumentError("dataset_id is required"));
  }
  auto lineage = queries_->GetDatasetLineage(req->dataset_id(), FromProto(req->as_of()));
  if (!lineage.ok()) return ToGrpc(lineage.status());
  ToProto(lineage->anchor, resp->mutable_anchor());
  for (const DatasetView& v : lineage->ancestors) {
    if (absl::Status s = ToProto(v, resp->add_ancestors()); !s.ok()) return ToGrpc(s);
  }
  for (const DatasetView& v : lineage->descendants) {
    if (absl::Status s = ToProto(v, resp->add_descendants()); !s.ok()) return ToGrpc(s);
  }
  for (const DerivationEdgeInfo& e : lineage->edges) ToProto(e, resp->add_edges());
  for (const ModelUseInfo& m : lineage->models) ToProto(m, resp->add_models());
  return grpc::Status::OK;
}

grpc::Status LineageServiceImpl::GetModelLineage(grpc::ServerContext*,
                                                 const v1::GetModelLineageRequest* req,
                                                 v1::GetModelLineageResponse* resp) {
  if (req->model_name().empty()) {
    return ToGrpc(absl::InvalidArgumentError("model_name is required"));
  }
  auto lineage =
      queries_->GetModelLineage(req->model_name(), req->model_version(), FromProto(req->as_of()));
  if (!lineage.ok()) return ToGrpc(lineage.status());
  ToProto(lineage->anchor, resp->mutable_anchor());
  for (const auto& [index, run] : lineage->runs) {
    v1::TrainingRunSummary* p = resp->add_runs();
    p->set_ledger_index(index);
    AddRefs(run.datasets, p->mutable_datasets());
    p->set_training_start_unix_micros(run.training_start_us);
    p->set_training_end_unix_micros(run.training_end_us);
    p->set_commercial(run.deployment & 1);
    p->set_public_cn(run.deployment & 2);
    p->set_public_eu(run.deployment & 4);
    p->set_description(run.description);
    if (run.verdict.has_value()) {
      p->set_verdict(static_cast<v1::Verdict>(run.verdict->verdict));
      AddReasons(run.verdict->reasons, p->mutable_reasons());
    }
  }
  for (const DatasetView& v : lineage->datasets) {
    if (absl::Status s = ToProto(v, resp->add_datasets()); !s.ok()) return ToGrpc(s);
  }
  for (const DerivationEdgeInfo& e : lineage->edges) ToProto(e, resp->add_edges());
  const LineageCountsInfo& c = lineage->counts;
  v1::LineageCounts* pc = resp->mutable_counts();
  pc->set_documents(c.documents);
  pc->set_bytes(c.bytes);
  for (const auto& [k, v] : c.by_source_category) (*pc->mutable_by_source_category())[k] = v;
  for (const auto& [k, v] : c.by_license_class) (*pc->mutable_by_license_class())[k] = v;
  for (const auto& [k, v] : c.by_verdict) (*pc->mutable_by_verdict())[k] = v;
  return grpc::Status::OK;
}

}  // namespace provledger::service
