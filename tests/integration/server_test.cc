// The real server on loopback: RocksDB in a temp dir, real gRPC, real keys.
#include <google/protobuf/unknown_field_set.h>
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "grpc_test_util.h"
#include "provledger/encoding.h"
#include "provledger/entry.h"
#include "provledger/fingerprint.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/server.h"
#include "provledger/sha256.h"
#include "provledger/v1/lineage.grpc.pb.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::RegisterAll;
using testing::TempDir;
using testing::TestDoc;
using testing::ValueOrDie;

struct DocumentPartFields {
  int minhash_values = fingerprint::kMinHashSize;
};

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(uint64_t max_document_bytes = 64ull << 20,
                   const std::function<void(ServerConfig*)>& adjust = nullptr) {
    server_.reset();
    ServerConfig config;
    config.data_dir = dir_.Sub("data");
    config.listen = "127.0.0.1:0";
    config.origin = "test.example/provledger";
    config.registry.max_document_bytes = max_document_bytes;
    if (adjust) adjust(&config);
    server_ = ValueOrDie(Server::Start(config));
    channel_ = testing::Channel("127.0.0.1:" + std::to_string(server_->port()));
    ledger_ = v1::LedgerService::NewStub(channel_);
    registry_ = v1::RegistryService::NewStub(channel_);
  }
  void SetUp() override { StartServer(); }

  std::string CreateDataset(const std::string& name) {
    return testing::CreateDataset(registry_.get(), name);
  }

  v1::GetCheckpointResponse GetCheckpoint(uint64_t size = 0) {
    grpc::ClientContext ctx;
    v1::GetCheckpointRequest req;
    req.set_tree_size(size);
    v1::GetCheckpointResponse resp;
    EXPECT_TRUE(ledger_->GetCheckpoint(&ctx, req, &resp).ok());
    return resp;
  }

  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LedgerService::Stub> ledger_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
};

TEST_F(ServerTest, CreateDatasetIsIdempotentAndValidated) {
  grpc::ClientContext c1, c2, c3, c4;
  v1::CreateDatasetRequest req;
  req.set_name("news");
  req.set_version("2026-11");
  req.set_description("crawl");
  v1::CreateDatasetResponse r1, r2, r3, r4;
  ASSERT_TRUE(registry_->CreateDataset(&c1, req, &r1).ok());
  ASSERT_TRUE(registry_->CreateDataset(&c2, req, &r2).ok());
  EXPECT_EQ(r1.dataset_id(), r2.dataset_id());
  EXPECT_EQ(r1.ledger_index(), r2.ledger_index());
  EXPECT_FALSE(r1.already_existed());
  EXPECT_TRUE(r2.already_existed());
  req.set_description("other");
  EXPECT_EQ(registry_->CreateDataset(&c3, req, &r3).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  req.set_name("");
  grpc::Status s = registry_->CreateDataset(&c4, req, &r4);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("name"), std::string::npos);
  EXPECT_EQ(GetCheckpoint().tree_size(), 1u);
}

TEST_F(ServerTest, RegisteredDocumentsAreDurableAndProvable) {
  std::string ds = CreateDataset("corpus");
  std::vector<TestDoc> docs;
  for (int i = 0; i < 300; ++i) {
    docs.push_back({ds, "doc-" + std::to_string(i), "content of document " + std::to_string(i)});
  }
  std::vector<v1::DocumentReceipt> receipts;
  std::vector<std::string> notes;
  grpc::Status s = RegisterAll(registry_.get(), docs, &receipts, &notes);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(receipts.size(), docs.size());

  v1::GetCheckpointResponse cp = GetCheckpoint();
  NoteVerifierKey key = ValueOrDie(ParseVerifierKey(cp.verifier_key()));
  provledger::Checkpoint verified = ValueOrDie(VerifyCheckpoint(cp.note(), key));
  EXPECT_EQ(verified.size, 301u);
  // Every response's checkpoint is signed and covers its receipts.
  for (const auto& n : notes) PL_EXPECT_OK(VerifyCheckpoint(n, key));

  for (size_t i = 0; i < docs.size(); ++i) {
    const auto& r = receipts[i];
    EXPECT_EQ(r.client_ref(), docs[i].ref);
    EXPECT_EQ(r.content_id(), Sha256(docs[i].content));
    EXPECT_FALSE(r.already_registered());
    EXPECT_LT(r.ledger_index(), r.tree_size());
    grpc::ClientContext ctx;
    v1::GetInclusionProofRequest req;
    req.set_index(r.ledger_index());
    v1::GetInclusionProofResponse proof;
    ASSERT_TRUE(ledger_->GetInclusionProof(&ctx, req, &proof).ok());
    EXPECT_EQ(merkle::HashLeaf(proof.entry_data()), r.leaf_hash());
    std::vector<std::string> path(proof.hashes().begin(), proof.hashes().end());
    PL_EXPECT_OK(merkle::VerifyInclusion(r.ledger_index(), verified.size, r.leaf_hash(), path,
                                         verified.root_hash));
    DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(proof.entry_data()))));
    EXPECT_EQ(e.dataset_id, ds);
    EXPECT_EQ(e.size_bytes, docs[i].content.size());
  }
}

TEST_F(ServerTest, SameContentTwiceReturnsTheExistingReceipt) {
  std::string ds = CreateDataset("dups");
  std::vector<v1::DocumentReceipt> first, second;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "a", "same"}, {ds, "b", "same"}}, &first).ok());
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "c", "same"}}, &second).ok());
  ASSERT_EQ(first.size(), 2u);
  EXPECT_FALSE(first[0].already_registered());
  EXPECT_TRUE(first[1].already_registered());
  EXPECT_EQ(first[1].ledger_index(), first[0].ledger_index());
  EXPECT_TRUE(second[0].already_registered());
  EXPECT_EQ(second[0].leaf_hash(), first[0].leaf_hash());
  EXPECT_EQ(GetCheckpoint().tree_size(), 2u);  // dataset + one document
  // The same content in another dataset is a new registration.
  std::string other = CreateDataset("other");
  std::vector<v1::DocumentReceipt> third;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{other, "d", "same"}}, &third).ok());
  EXPECT_FALSE(third[0].already_registered());
}

TEST_F(ServerTest, TextIsFingerprintedAndReformattedCopiesShareTheNormalisedHash) {
  std::string ds = CreateDataset("fingerprints");
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(RegisterAll(registry_.get(),
                          {{ds, "orig", "The Licensee may copy, modify and distribute the Work."},
                           {ds, "copy", "THE LICENSEE\nmay copy -- modify and distribute the work"},
                           {ds, "png", std::string("\x89PNG\r\n\x1a\n\0\0\0", 11)}},
                          &r)
                  .ok());
  ASSERT_EQ(r.size(), 3u);
  EXPECT_NE(r[0].content_id(), r[1].content_id());
  EXPECT_EQ(r[0].normalized_hash().size(), 16u);
  EXPECT_EQ(r[0].normalized_hash(), r[1].normalized_hash());
  EXPECT_EQ(r[0].media_type(), "text/plain; charset=utf-8");
  EXPECT_EQ(r[2].media_type(), "image/png");
  EXPECT_TRUE(r[2].normalized_hash().empty());
  grpc::ClientContext ctx;
  v1::GetEntriesRequest req;
  req.set_start(r[1].ledger_index());
  req.set_count(1);
  v1::GetEntriesResponse resp;
  ASSERT_TRUE(ledger_->GetEntries(&ctx, req, &resp).ok());
  DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(resp.entries(0).data()))));
  ASSERT_TRUE(e.text.has_value());
  EXPECT_EQ(e.text->origin, FingerprintOrigin::kServer);
  EXPECT_EQ(e.text->normalized_hash, r[1].normalized_hash());
}

// A document as a pipeline worker sends it: its fingerprints, not its text
// (with only the first `minhash_values` MinHash values, to make it invalid).
void SetFingerprints(const std::string& text, const std::string& ref, DocumentPartFields fields,
                     v1::DocumentPart* part) {
  fingerprint::TextFingerprints f = ValueOrDie(fingerprint::FingerprintText(text));
  part->set_client_ref(ref);
  v1::ClientFingerprints* cf = part->mutable_fingerprints();
  cf->set_content_id(Sha256(text));
  cf->set_size_bytes(text.size());
  cf->set_media_type("text/plain; charset=utf-8");
  v1::TextFingerprints* t = cf->mutable_text();
  t->set_normalization_version(fingerprint::kNormalizationVersion);
  t->set_minhash_version(fingerprint::kMinHashVersion);
  t->set_winnow_version(fingerprint::kWinnowVersion);
  t->set_normalized_hash(f.normalized_hash);
  for (int i = 0; i < fields.minhash_values; ++i) t->add_minhash(f.minhash[i]);
  for (const auto& w : f.winnows) {
    t->add_winnow_hashes(w.hash);
    t->add_winnow_token_indices(w.token_index);
  }
  t->set_token_count(f.token_count);
}

// Sends one stream of `reqs`; collects every response into `resp`.
grpc::Status SendStream(v1::RegistryService::Stub* registry,
                        const std::vector<v1::RegisterDocumentsRequest>& reqs,
                        std::vector<v1::DocumentReceipt>* receipts) {
  grpc::ClientContext ctx;
  auto stream = registry->RegisterDocuments(&ctx);
  for (const auto& req : reqs) {
    if (!stream->Write(req)) break;
  }
  stream->WritesDone();
  v1::RegisterDocumentsResponse resp;
  while (stream->Read(&resp)) {
    for (const auto& r : resp.receipts()) receipts->push_back(r);
  }
  return stream->Finish();
}

// The pipeline's fingerprints in place of the content: a receipt like any
// other, the entry marked client-computed; malformed ones are refused with
// the field named and nothing written.
TEST_F(ServerTest, ClientComputedFingerprintsRegisterWithoutContent) {
  std::string ds = CreateDataset("client-fingerprints");
  const std::string text = "Text that stays on the pipeline worker; only its fingerprints travel.";
  fingerprint::TextFingerprints f = ValueOrDie(fingerprint::FingerprintText(text));
  auto request = [&](int minhash_values) {
    v1::RegisterDocumentsRequest req;
    req.set_dataset_id(ds);
    SetFingerprints(text, "worker-7/doc-1", {minhash_values}, req.mutable_document());
    return req;
  };
  auto send = [&](const v1::RegisterDocumentsRequest& req, v1::RegisterDocumentsResponse* resp) {
    std::vector<v1::DocumentReceipt> receipts;
    grpc::Status s = SendStream(registry_.get(), {req}, &receipts);
    for (const auto& r : receipts) *resp->add_receipts() = r;
    return s;
  };

  v1::RegisterDocumentsResponse bad;
  grpc::Status s = send(request(3), &bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("document.fingerprints.text.minhash"), std::string::npos)
      << s.error_message();
  EXPECT_EQ(bad.receipts_size(), 0);

  v1::RegisterDocumentsResponse good;
  ASSERT_TRUE(send(request(fingerprint::kMinHashSize), &good).ok());
  ASSERT_EQ(good.receipts_size(), 1);
  const v1::DocumentReceipt& r = good.receipts(0);
  EXPECT_EQ(r.content_id(), Sha256(text));
  EXPECT_EQ(r.size_bytes(), text.size());
  EXPECT_EQ(r.normalized_hash(), f.normalized_hash);
  grpc::ClientContext ctx;
  v1::GetEntriesRequest req;
  req.set_start(r.ledger_index());
  req.set_count(1);
  v1::GetEntriesResponse resp;
  ASSERT_TRUE(ledger_->GetEntries(&ctx, req, &resp).ok());
  DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(resp.entries(0).data()))));
  ASSERT_TRUE(e.text.has_value());
  EXPECT_EQ(e.text->origin, FingerprintOrigin::kClient);
  // The rejected attempt wrote nothing: the dataset entry, then this one.
  EXPECT_EQ(r.ledger_index(), r.tree_size() - 1);

  // The same content sent in full later is the same registration.
  std::vector<v1::DocumentReceipt> full;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "full", text}}, &full).ok());
  EXPECT_TRUE(full[0].already_registered());
  EXPECT_EQ(full[0].ledger_index(), r.ledger_index());
}

// Several whole documents in one message: registered together, receipts in
// order; one bad document refuses the whole message, naming it, and writes
// nothing; resending is idempotent.
TEST_F(ServerTest, ABatchMessageIsRegisteredWholeOrNotAtAll) {
  std::string ds = CreateDataset("batches");
  auto text = [](int i) {
    return "Document " + std::to_string(i) +
           " of a batch sent by a pipeline worker in one message.";
  };
  v1::RegisterDocumentsRequest batch;
  batch.set_dataset_id(ds);
  SetFingerprints(text(0), "b/0", {}, batch.add_documents());
  v1::DocumentPart* content = batch.add_documents();
  content->set_client_ref("b/1");
  content->set_content(text(1));
  content->mutable_source()->set_url("https://example.org/b/1");
  SetFingerprints(text(2), "b/2", {}, batch.add_documents());

  uint64_t before = GetCheckpoint().tree_size();
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(SendStream(registry_.get(), {batch}, &r).ok());
  ASSERT_EQ(r.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].client_ref(), "b/" + std::to_string(i));
    EXPECT_EQ(r[i].content_id(), Sha256(text(i)));
    EXPECT_EQ(r[i].ledger_index(), before + i);
    EXPECT_FALSE(r[i].already_registered());
  }
  grpc::ClientContext ctx;
  v1::GetEntriesRequest ereq;
  ereq.set_start(before);
  ereq.set_count(3);
  v1::GetEntriesResponse eresp;
  ASSERT_TRUE(ledger_->GetEntries(&ctx, ereq, &eresp).ok());
  ASSERT_EQ(eresp.entries_size(), 3);
  std::vector<FingerprintOrigin> origins;
  for (const auto& e : eresp.entries()) {
    DocumentEntry d = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(e.data()))));
    ASSERT_TRUE(d.text.has_value());
    origins.push_back(d.text->origin);
  }
  EXPECT_EQ(origins,
            (std::vector<FingerprintOrigin>{FingerprintOrigin::kClient, FingerprintOrigin::kServer,
                                            FingerprintOrigin::kClient}));

  // The same message again: the same registrations, nothing appended.
  std::vector<v1::DocumentReceipt> again;
  ASSERT_TRUE(SendStream(registry_.get(), {batch}, &again).ok());
  ASSERT_EQ(again.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(again[i].already_registered());
    EXPECT_EQ(again[i].ledger_index(), r[i].ledger_index());
  }
  uint64_t size = GetCheckpoint().tree_size();
  EXPECT_EQ(size, before + 3);

  // A bad document anywhere refuses the message and names it.
  struct Bad {
    std::function<void(v1::RegisterDocumentsRequest*)> spoil;
    const char* field;
  };
  std::vector<Bad> bad = {
      {[&](v1::RegisterDocumentsRequest* m) {
         SetFingerprints(text(7), "b/7", {3}, m->add_documents());
       },
       "documents[1].fingerprints.text.minhash"},
      {[&](v1::RegisterDocumentsRequest* m) {
         v1::DocumentPart* p = m->add_documents();
         SetFingerprints(text(7), "b/7", {}, p);
         p->mutable_fingerprints()->mutable_text()->mutable_winnow_token_indices()->RemoveLast();
       },
       "documents[1].fingerprints.text.winnow_token_indices"},
      {[&](v1::RegisterDocumentsRequest* m) {
         // As a --format pb file written before the packed lists holds it.
         v1::DocumentPart* p = m->add_documents();
         SetFingerprints(text(7), "b/7", {}, p);
         v1::TextFingerprints* t = p->mutable_fingerprints()->mutable_text();
         t->clear_winnow_hashes();
         t->clear_winnow_token_indices();
         t->GetReflection()->MutableUnknownFields(t)->AddLengthDelimited(
             6, std::string("\x09\x01\x02\x03\x04\x05\x06\x07\x08\x10\x00", 11));
       },
       "documents[1].fingerprints.text field 6 (winnows"},
      {[&](v1::RegisterDocumentsRequest* m) {
         m->add_documents()->mutable_source()->set_license("not an SPDX ((expression");
       },
       "documents[1].source.license"},
      {[&](v1::RegisterDocumentsRequest* m) {
         v1::DocumentPart* p = m->add_documents();
         p->set_content("part one");
         p->set_more(true);
       },
       "documents[1].more"},
      {[&](v1::RegisterDocumentsRequest* m) {
         m->add_documents()->set_client_ref(std::string(5000, 'r'));
       },
       "documents[1].client_ref"},
      {[&](v1::RegisterDocumentsRequest* m) { m->mutable_document()->set_content("x"); },
       "document and documents"},
  };
  for (const Bad& b : bad) {
    v1::RegisterDocumentsRequest m;
    m.set_dataset_id(ds);
    SetFingerprints(text(6), "b/6", {}, m.add_documents());  // valid on its own
    b.spoil(&m);
    std::vector<v1::DocumentReceipt> none;
    grpc::Status s = SendStream(registry_.get(), {m}, &none);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_NE(s.error_message().find(b.field), std::string::npos) << s.error_message();
    EXPECT_TRUE(none.empty()) << b.field;
  }
  EXPECT_EQ(GetCheckpoint().tree_size(), size);
}

// Source records and verdicts over the wire: a dataset default, a document
// override, the verdict and its reasons in the receipt; malformed source
// fields are INVALID_ARGUMENT naming the field, with nothing written.
TEST_F(ServerTest, SourceRecordsAreJudgedAndTheVerdictIsInTheReceipt) {
  grpc::ClientContext ctx;
  v1::CreateDatasetRequest creq;
  creq.set_name("licensed-news");
  creq.set_owner("data-team");
  creq.set_intended_use("commercial");
  v1::SourceRecord* def = creq.mutable_default_source();
  def->set_category(v1::OPEN_SOURCE_DATASET);
  def->set_dataset_name("news-corpus");
  def->set_dataset_url("https://example.org/news");
  def->set_license("cc-by-4.0");
  def->set_personal_info(v1::PERSONAL_INFO_NONE);
  v1::CreateDatasetResponse cresp;
  ASSERT_TRUE(registry_->CreateDataset(&ctx, creq, &cresp).ok());
  const std::string ds = cresp.dataset_id();

  auto send = [&](const std::vector<v1::RegisterDocumentsRequest>& reqs,
                  std::vector<v1::DocumentReceipt>* receipts) {
    grpc::ClientContext c;
    auto stream = registry_->RegisterDocuments(&c);
    for (const auto& r : reqs) EXPECT_TRUE(stream->Write(r));
    stream->WritesDone();
    v1::RegisterDocumentsResponse resp;
    while (stream->Read(&resp)) {
      for (const auto& r : resp.receipts()) receipts->push_back(r);
    }
    return stream->Finish();
  };
  auto doc = [&](const std::string& ref, const std::string& content) {
    v1::RegisterDocumentsRequest r;
    r.set_dataset_id(ds);
    r.mutable_document()->set_client_ref(ref);
    r.mutable_document()->set_content(content);
    return r;
  };
  v1::RegisterDocumentsRequest ok = doc("ok", "an accepted document");
  v1::RegisterDocumentsRequest nc = doc("nc", "a non-commercial document");
  nc.mutable_document()->mutable_source()->set_license("CC-BY-NC-SA-4.0");
  std::vector<v1::DocumentReceipt> receipts;
  ASSERT_TRUE(send({ok, nc}, &receipts).ok());
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0].verdict(), v1::ACCEPTED);
  EXPECT_EQ(receipts[0].license(), "CC-BY-4.0");
  EXPECT_EQ(receipts[0].license_class(), "permissive");
  EXPECT_EQ(receipts[0].policy_sha256().size(), 32u);
  EXPECT_EQ(receipts[1].verdict(), v1::REJECTED);
  ASSERT_EQ(receipts[1].reasons_size(), 1);
  EXPECT_EQ(receipts[1].reasons(0).code(), "LICENSE_CLASS");
  EXPECT_EQ(receipts[1].reasons(0).severity(), v1::REJECTED);
  EXPECT_EQ(receipts[1].license_class(), "non_commercial");
  uint64_t size_after = GetCheckpoint().tree_size();

  struct Bad {
    std::function<void(v1::SourceRecord*)> set;
    std::string field;
  };
  for (const Bad& b : std::vector<Bad>{
           {[](v1::SourceRecord* s) { s->set_license("MIT or"); }, "document.source.license"},
           {[](v1::SourceRecord* s) { s->set_category(static_cast<v1::SourceCategory>(42)); },
            "document.source.category"},
           {[](v1::SourceRecord* s) { s->mutable_signals()->set_robots_txt_sha256("short"); },
            "document.source.signals.robots_txt_sha256"},
       }) {
    v1::RegisterDocumentsRequest r = doc("bad", "bad source " + b.field);
    b.set(r.mutable_document()->mutable_source());
    std::vector<v1::DocumentReceipt> none;
    grpc::Status s = send({r}, &none);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << b.field;
    EXPECT_NE(s.error_message().find(b.field), std::string::npos) << s.error_message();
    EXPECT_TRUE(none.empty());
  }
  EXPECT_EQ(GetCheckpoint().tree_size(), size_after);
}

// Seal, derive and training runs over gRPC, with their error codes.
TEST_F(ServerTest, SealDeriveAndTrainingRunOverTheWire) {
  std::string parent = CreateDataset("parent");
  std::string child = CreateDataset("child");
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{parent, "p1", "parent text"}}, &r).ok());
  ASSERT_TRUE(RegisterAll(registry_.get(), {{child, "c1", "child text"}}, &r).ok());

  auto seal = [&](const std::string& ds, v1::SealDatasetResponse* resp) {
    grpc::ClientContext ctx;
    v1::SealDatasetRequest req;
    req.set_dataset_id(ds);
    return registry_->SealDataset(&ctx, req, resp);
  };
  auto derive = [&](v1::DeriveDatasetResponse* resp) {
    grpc::ClientContext ctx;
    v1::DeriveDatasetRequest req;
    req.set_dataset_id(child);
    req.add_parent_ids(parent);
    req.set_transformation("filter");
    return registry_->DeriveDataset(&ctx, req, resp);
  };
  v1::DeriveDatasetResponse dresp;
  EXPECT_EQ(derive(&dresp).error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // unsealed
  v1::SealDatasetResponse sresp;
  ASSERT_TRUE(seal(parent, &sresp).ok());
  EXPECT_EQ(sresp.manifest().document_count(), 1u);
  EXPECT_EQ(sresp.manifest().manifest_root().size(), 32u);
  ASSERT_TRUE(derive(&dresp).ok());
  EXPECT_EQ(dresp.parents(0).manifest_root(), sresp.manifest().manifest_root());

  // The sealed parent takes no more documents.
  grpc::Status late = RegisterAll(registry_.get(), {{parent, "p2", "too late"}}, &r);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(late.error_message().find("sealed"), std::string::npos);

  grpc::ClientContext ctx;
  v1::RegisterTrainingRunRequest run;
  run.set_model_name("demo-lm");
  run.set_model_version("1");
  run.add_dataset_ids(parent);
  run.set_commercial(true);
  v1::RegisterTrainingRunResponse rresp;
  ASSERT_TRUE(registry_->RegisterTrainingRun(&ctx, run, &rresp).ok());
  EXPECT_EQ(rresp.datasets(0).manifest_root(), sresp.manifest().manifest_root());
  EXPECT_NE(rresp.verdict(), v1::VERDICT_UNSPECIFIED);
  grpc::ClientContext ctx2;
  run.clear_model_name();
  EXPECT_EQ(registry_->RegisterTrainingRun(&ctx2, run, &rresp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The opt-out registry over the wire: a declared work, sent again later in
// another form, comes back REJECTED with the declaration named.
TEST_F(ServerTest, OptOutDeclarationsRejectMatchingRegistrations) {
  const std::string work =
      "All happy families are alike; each unhappy family is unhappy in its own way. Everything "
      "was in confusion in the Oblonskys' house.";
  grpc::ClientContext ctx;
  v1::DeclareOptOutRequest req;
  req.set_declarant("Example Estate");
  req.set_content(work);
  v1::DeclareOptOutResponse resp;
  ASSERT_TRUE(registry_->DeclareOptOut(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.content_id(), Sha256(work));
  EXPECT_EQ(resp.normalized_hash().size(), 16u);
  grpc::ClientContext bad_ctx;
  v1::DeclareOptOutRequest bad;
  bad.set_content(work);
  EXPECT_EQ(registry_->DeclareOptOut(&bad_ctx, bad, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  std::string ds = CreateDataset("optout-check");
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(RegisterAll(registry_.get(),
                          {{ds, "copy",
                            "ALL HAPPY FAMILIES ARE ALIKE;\neach unhappy family is "
                            "unhappy in its own way.  Everything was in confusion "
                            "in the Oblonskys' house!"}},
                          &r)
                  .ok());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].verdict(), v1::REJECTED);
  bool found = false;
  for (const auto& reason : r[0].reasons()) found |= reason.code() == "OPT_OUT_REGISTRY";
  EXPECT_TRUE(found);
}

TEST_F(ServerTest, FiftyMegabyteDocumentStreamsInParts) {
  std::string ds = CreateDataset("big");
  std::string big(50u << 20, '\0');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>(i / 4096);
  std::vector<v1::DocumentReceipt> receipts;
  grpc::Status s = RegisterAll(registry_.get(), {{ds, "big.bin", big}}, &receipts);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].content_id(), Sha256(big));
  EXPECT_EQ(receipts[0].size_bytes(), big.size());
}

TEST_F(ServerTest, BadStreamsGetClearErrorsAndWriteNothing) {
  std::string ds = CreateDataset("errors");
  uint64_t before = GetCheckpoint().tree_size();
  std::vector<v1::DocumentReceipt> r;

  grpc::Status s = RegisterAll(registry_.get(), {{"ds_missing", "x", "y"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("dataset_id"), std::string::npos);

  s = RegisterAll(registry_.get(), {{"", "x", "y"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("dataset_id"), std::string::npos);

  // A stream that ends while a document says more parts follow.
  {
    grpc::ClientContext ctx;
    auto stream = registry_->RegisterDocuments(&ctx);
    v1::RegisterDocumentsRequest req;
    req.set_dataset_id(ds);
    req.mutable_document()->set_client_ref("torn");
    req.mutable_document()->set_content("first half");
    req.mutable_document()->set_more(true);
    ASSERT_TRUE(stream->Write(req));
    stream->WritesDone();
    v1::RegisterDocumentsResponse resp;
    EXPECT_FALSE(stream->Read(&resp));
    s = stream->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(s.error_message().find("torn"), std::string::npos);
  }
  EXPECT_EQ(GetCheckpoint().tree_size(), before);
}

TEST_F(ServerTest, DocumentsBeforeABadOneAreStillAcknowledged) {
  std::string ds = CreateDataset("partial");
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s =
      RegisterAll(registry_.get(), {{ds, "good", "ok"}, {"ds_missing", "bad", "no"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  // "good" was durable before the error; whether its receipt arrived before
  // the stream closed, the ledger holds exactly it.
  EXPECT_EQ(GetCheckpoint().tree_size(), 2u);
  for (const auto& rec : r) EXPECT_EQ(rec.client_ref(), "good");
}

TEST(ServerLimitTest, OversizedDocumentIsResourceExhausted) {
  TempDir dir;
  ServerConfig config;
  config.data_dir = dir.Sub("data");
  config.listen = "127.0.0.1:0";
  config.registry.max_document_bytes = 1000;
  auto server = ValueOrDie(Server::Start(config));
  auto channel = testing::Channel("127.0.0.1:" + std::to_string(server->port()));
  auto registry = v1::RegistryService::NewStub(channel);
  std::string dataset_id = testing::CreateDataset(registry.get(), "limits");
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s =
      RegisterAll(registry.get(), {{dataset_id, "huge", std::string(1500, 'x')}}, &r, nullptr, 600);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(s.error_message().find("document.content"), std::string::npos);
  EXPECT_EQ(server->ledger()->Latest()->size, 1u);
}

TEST_F(ServerTest, ConsistencyBetweenCheckpointsAndPastSizes) {
  std::string ds = CreateDataset("grow");
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "1", "1"}, {ds, "2", "2"}}, &r).ok());
  v1::GetCheckpointResponse old_cp = GetCheckpoint();
  ASSERT_TRUE(
      RegisterAll(registry_.get(), {{ds, "3", "3"}, {ds, "4", "4"}, {ds, "5", "5"}}, &r).ok());
  v1::GetCheckpointResponse new_cp = GetCheckpoint();
  grpc::ClientContext ctx;
  v1::GetConsistencyProofRequest req;
  req.set_from_size(old_cp.tree_size());
  v1::GetConsistencyProofResponse proof;
  ASSERT_TRUE(ledger_->GetConsistencyProof(&ctx, req, &proof).ok());
  EXPECT_EQ(proof.to_size(), new_cp.tree_size());
  std::vector<std::string> path(proof.hashes().begin(), proof.hashes().end());
  PL_EXPECT_OK(merkle::VerifyConsistency(old_cp.tree_size(), new_cp.tree_size(), old_cp.root_hash(),
                                         new_cp.root_hash(), path));
  // The old checkpoint is still served by size.
  EXPECT_EQ(GetCheckpoint(old_cp.tree_size()).note(), old_cp.note());

  grpc::ClientContext c2, c3, c4;
  v1::GetCheckpointRequest beyond;
  beyond.set_tree_size(new_cp.tree_size() + 5);
  v1::GetCheckpointResponse ignored;
  EXPECT_EQ(ledger_->GetCheckpoint(&c2, beyond, &ignored).error_code(),
            grpc::StatusCode::OUT_OF_RANGE);
  v1::GetEntriesRequest too_many;
  too_many.set_count(5000);
  v1::GetEntriesResponse entries;
  EXPECT_EQ(ledger_->GetEntries(&c3, too_many, &entries).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetInclusionProofRequest bad_index;
  bad_index.set_index(new_cp.tree_size());
  v1::GetInclusionProofResponse ip;
  EXPECT_EQ(ledger_->GetInclusionProof(&c4, bad_index, &ip).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServerTest, HealthAndReflectionAreServed) {
  std::string resp;
  grpc::Status s = testing::RawUnary(channel_.get(), "/grpc.health.v1.Health/Check", "", &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp, std::string("\x08\x01", 2));  // status: SERVING
  // ServerReflectionRequest{list_services: ""} is field 7, empty string.
  s = testing::RawBidiOnce(channel_.get(),
                           "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                           std::string("\x3a\x00", 2), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NE(resp.find("provledger.v1.LedgerService"), std::string::npos);
  EXPECT_NE(resp.find("provledger.v1.RegistryService"), std::string::npos);
}

TEST_F(ServerTest, RestartKeepsTheLogAndItsKey) {
  std::string ds = CreateDataset("restart");
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "1", "one"}}, &r).ok());
  v1::GetCheckpointResponse before = GetCheckpoint();
  server_.reset();
  StartServer();
  v1::GetCheckpointResponse after = GetCheckpoint();
  EXPECT_EQ(after.note(), before.note());
  EXPECT_EQ(after.verifier_key(), before.verifier_key());  // the key was kept
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// References that would display as something else are refused, naming the
// field; values echoed in errors are bounded, so a huge id is a NOT_FOUND
// and not a failure of the error's own metadata.
TEST_F(ServerTest, UnsafeReferencesAreRefusedAndEchoesAreBounded) {
  std::string ds = CreateDataset("echo");
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s = RegisterAll(registry_.get(), {{ds, "invoice\xe2\x80\xaetxt.exe", "x"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("client_ref"), std::string::npos) << s.error_message();
  EXPECT_NE(s.error_message().find("\\u{202e}"), std::string::npos) << s.error_message();
  EXPECT_TRUE(r.empty());

  std::string huge(3 << 20, 'd');
  s = RegisterAll(registry_.get(), {{huge, "ref", "x"}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message().substr(0, 200);
  EXPECT_LT(s.error_message().size(), 1024u);
  EXPECT_NE(s.error_message().find("(3145728 bytes)"), std::string::npos);

  v1::CreateDatasetRequest create;
  create.set_name(
      "evil\xe2\x80\xae"
      "name");
  v1::CreateDatasetResponse created;
  grpc::ClientContext ctx;
  s = registry_->CreateDataset(&ctx, create, &created);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("name"), std::string::npos);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// A message the server cannot parse (here a string field holding invalid
// UTF-8) ends the stream INVALID_ARGUMENT naming the message and the field,
// after the receipts of what came before it; nothing after it is read.
TEST_F(ServerTest, AMalformedMessageEndsTheStreamWithAnError) {
  std::string ds = CreateDataset("malformed");
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s = RegisterAll(registry_.get(),
                               {{ds, "first", "the first document"},
                                {ds, "bad-\xff\xfe-ref", "the second document"},
                                {ds, "third", "the third document"}},
                               &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("message 2 of the stream"), std::string::npos)
      << s.error_message();
  EXPECT_NE(s.error_message().find("document.client_ref is not valid UTF-8"), std::string::npos)
      << s.error_message();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].client_ref(), "first");

  // In a batch the path names the document.
  grpc::ClientContext ctx;
  auto stream = registry_->RegisterDocuments(&ctx);
  v1::RegisterDocumentsRequest batch;
  batch.set_dataset_id(ds);
  for (int i = 0; i < 3; ++i) {
    auto* d = batch.add_documents();
    d->set_client_ref(i == 2 ? "\xc0\xaf" : "b" + std::to_string(i));
    d->set_content("batch document " + std::to_string(i));
  }
  stream->Write(batch);
  stream->WritesDone();
  v1::RegisterDocumentsResponse resp;
  while (stream->Read(&resp)) {
  }
  s = stream->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("documents[2].client_ref"), std::string::npos)
      << s.error_message();
}

TEST_F(ServerTest, AMalformedMatchQueryIsAnErrorNotAPartialAnswer) {
  auto lineage = v1::LineageService::NewStub(channel_);
  grpc::ClientContext ctx;
  v1::MatchContentResponse resp;
  auto writer = lineage->MatchContent(&ctx, &resp);
  v1::MatchContentRequest part;
  part.set_content("the first part of the work ");
  writer->Write(part);
  v1::MatchContentRequest bad;
  bad.mutable_options()->set_page_token("\xff\xfe");
  bad.set_content("the rest of the work");
  writer->Write(bad);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("message 2 of the stream"), std::string::npos)
      << s.error_message();
}

// A unary request that cannot be parsed is INVALID_ARGUMENT with a message,
// not INTERNAL with none.
TEST_F(ServerTest, AnUnparsableUnaryRequestIsInvalidArgument) {
  std::string resp;
  grpc::Status s = testing::RawUnary(channel_.get(), "/provledger.v1.RegistryService/CreateDataset",
                                     "\xff\xff\xff\xff", &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("not a valid provledger.v1.CreateDatasetRequest"),
            std::string::npos)
      << s.error_message();
  // CreateDatasetRequest.name (field 1) holding invalid UTF-8.
  s = testing::RawUnary(channel_.get(), "/provledger.v1.RegistryService/CreateDataset",
                        std::string("\x0a\x02\xff\xfe", 4), &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("name is not valid UTF-8"), std::string::npos)
      << s.error_message();
  // The same method still answers a good request.
  EXPECT_FALSE(CreateDataset("after-garbage").empty());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// A client that stops in the middle of a document is cut off after the
// timeout, and what it held is given back.
TEST_F(ServerTest, AHalfSentDocumentTimesOut) {
  StartServer(64ull << 20, [](ServerConfig* c) {
    c->partial_document_timeout = std::chrono::milliseconds(1500);
  });
  std::string ds = CreateDataset("stalled");
  grpc::ClientContext ctx;
  auto stream = registry_->RegisterDocuments(&ctx);
  v1::RegisterDocumentsRequest part;
  part.set_dataset_id(ds);
  part.mutable_document()->set_client_ref("half");
  part.mutable_document()->set_content(std::string(100000, 'h'));
  part.mutable_document()->set_more(true);
  ASSERT_TRUE(stream->Write(part));
  const auto start = std::chrono::steady_clock::now();
  v1::RegisterDocumentsResponse resp;
  while (stream->Read(&resp)) {
  }
  grpc::Status s = stream->Finish();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(s.ok());
  EXPECT_GE(waited, 1.4);
  EXPECT_LT(waited, 10.0);
  // A stream that keeps sending its parts in time is not cut off.
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(
      RegisterAll(registry_.get(), {{ds, "whole", std::string(300000, 'w')}}, &r, nullptr, 100000)
          .ok());
  EXPECT_EQ(r.size(), 1u);
}

// Partly sent documents of all streams share one memory budget.
TEST_F(ServerTest, PartlySentDocumentsShareABoundedBudget) {
  StartServer(64ull << 20, [](ServerConfig* c) { c->max_assembling_bytes = 3u << 20; });
  std::string ds = CreateDataset("budget");
  grpc::ClientContext first_ctx;
  auto first = registry_->RegisterDocuments(&first_ctx);
  v1::RegisterDocumentsRequest part;
  part.set_dataset_id(ds);
  part.mutable_document()->set_client_ref("big");
  part.mutable_document()->set_more(true);
  for (int i = 0; i < 2; ++i) {
    part.mutable_document()->set_content(std::string(1 << 20, static_cast<char>('a' + i)));
    ASSERT_TRUE(first->Write(part));
    part.clear_dataset_id();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // A second stream's 2 MiB would pass the 3 MiB budget.
  std::vector<v1::DocumentReceipt> r;
  grpc::Status s = RegisterAll(registry_.get(), {{ds, "second", std::string(2 << 20, 's')}}, &r,
                               nullptr, 1 << 20);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  EXPECT_NE(s.error_message().find("partly sent documents"), std::string::npos);
  // The first finishes its document; its bytes are given back.
  part.mutable_document()->set_content("end");
  part.mutable_document()->set_more(false);
  ASSERT_TRUE(first->Write(part));
  first->WritesDone();
  v1::RegisterDocumentsResponse resp;
  int receipts = 0;
  while (first->Read(&resp)) receipts += resp.receipts_size();
  ASSERT_TRUE(first->Finish().ok());
  EXPECT_EQ(receipts, 1);
  r.clear();
  s = RegisterAll(registry_.get(), {{ds, "third", std::string(2 << 20, 't')}}, &r, nullptr,
                  1 << 20);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.size(), 1u);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// A 16 MiB document of one repeated word had a 100 MB entry that no client
// with gRPC's default limits could fetch. Every entry is now fetchable.
TEST_F(ServerTest, AHugeRepetitiveDocumentsEntryIsFetchableWithADefaultClient) {
  std::string ds = CreateDataset("huge");
  std::string text;
  text.reserve(16 << 20);
  while (text.size() < (16u << 20)) text += "a ";
  std::vector<v1::DocumentReceipt> r;
  ASSERT_TRUE(
      RegisterAll(registry_.get(), {{ds, "aaaa", text}, {ds, "aaab", text + "b"}}, &r).ok());
  ASSERT_EQ(r.size(), 2u);
  // A plain channel: gRPC's default 4 MiB receive limit.
  auto plain = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
  auto ledger = v1::LedgerService::NewStub(plain);
  grpc::ClientContext ctx;
  v1::GetEntriesRequest req;
  req.set_start(r[0].ledger_index());
  req.set_count(2);
  v1::GetEntriesResponse resp;
  grpc::Status s = ledger->GetEntries(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_GE(resp.entries_size(), 1);
  EXPECT_LT(resp.entries(0).data().size(), 1700000u);
  DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(resp.entries(0).data()))));
  ASSERT_TRUE(e.text.has_value());
  EXPECT_EQ(e.text->winnows.size(), kMaxStoredWinnows);
  EXPECT_GT(e.text->winnows_total, kMaxStoredWinnows);
  grpc::ClientContext pctx;
  v1::GetInclusionProofRequest preq;
  preq.set_index(r[1].ledger_index());
  v1::GetInclusionProofResponse presp;
  s = ledger->GetInclusionProof(&pctx, preq, &presp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(merkle::HashLeaf(presp.entry_data()), r[1].leaf_hash());
}

}  // namespace
}  // namespace provledger
