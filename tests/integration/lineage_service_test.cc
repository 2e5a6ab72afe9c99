// LineageService on the real server over loopback gRPC: what an IP holder
// and an auditor see, checked with the verifier key alone.
#include <gtest/gtest.h>

#include "grpc_test_util.h"
#include "provledger/merkle.h"
#include "provledger/note.h"
#include "provledger/server.h"
#include "provledger/sha256.h"
#include "provledger/v1/lineage.grpc.pb.h"
#include "test_text.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::RegisterAll;
using testing::SyntheticProse;
using testing::TempDir;
using testing::TestDoc;
using testing::ValueOrDie;

class LineageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.data_dir = dir_.Sub("data");
    config.listen = "127.0.0.1:0";
    config.origin = "lineage.example/provledger";
    server_ = ValueOrDie(Server::Start(config));
    channel_ = testing::Channel("127.0.0.1:" + std::to_string(server_->port()));
    registry_ = v1::RegistryService::NewStub(channel_);
    lineage_ = v1::LineageService::NewStub(channel_);
    key_ = ValueOrDie(ParseVerifierKey(server_->ledger()->VerifierKeys()[0]));
  }

  grpc::Status Match(const std::string& work, const v1::MatchOptions& options,
                     v1::MatchContentResponse* resp, size_t part = 1000) {
    grpc::ClientContext ctx;
    auto writer = lineage_->MatchContent(&ctx, resp);
    v1::MatchContentRequest first;
    *first.mutable_options() = options;
    first.set_content(work.substr(0, part));
    writer->Write(first);
    for (size_t off = part; off < work.size(); off += part) {
      v1::MatchContentRequest more;
      more.set_content(work.substr(off, part));
      writer->Write(more);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // The anchor's checkpoint is signed by the server key, and the
  // registration's proof puts its leaf in that tree.
  void ExpectVerifiable(const v1::Anchor& anchor, const v1::Registration& r) {
    Checkpoint cp = ValueOrDie(VerifyCheckpoint(anchor.checkpoint(), key_));
    EXPECT_EQ(cp.size, anchor.tree_size());
    EXPECT_EQ(cp.root_hash, anchor.root_hash());
    std::vector<std::string> path(r.inclusion_proof().begin(), r.inclusion_proof().end());
    PL_EXPECT_OK(
        merkle::VerifyInclusion(r.ledger_index(), cp.size, r.leaf_hash(), path, cp.root_hash));
  }

  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::LineageService::Stub> lineage_;
  NoteVerifierKey key_;
};

TEST_F(LineageServiceTest, AnIpHolderFindsCopiesAndExcerptsOfTheirWork) {
  std::string ds = testing::CreateDataset(registry_.get(), "web");
  std::string work = SyntheticProse(1, 400);
  size_t from = 0;
  for (int w = 0; w < 200; ++w) from = work.find(' ', from) + 1;
  std::string excerpt = work.substr(from, 400);  // ~60 words
  std::vector<v1::DocumentReceipt> receipts;
  ASSERT_TRUE(RegisterAll(registry_.get(),
                          {{ds, "copy", work},
                           {ds, "quote", SyntheticProse(2, 100) + excerpt + SyntheticProse(3, 100)},
                           {ds, "other", SyntheticProse(4, 300)}},
                          &receipts)
                  .ok());
  ASSERT_EQ(receipts.size(), 3u);

  v1::MatchContentResponse m;
  grpc::Status s = Match(work, {}, &m);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(m.query_content_id(), Sha256(work));
  EXPECT_EQ(m.searched_size(), 4);
  ASSERT_EQ(m.total_matches(), 2u);
  ASSERT_EQ(m.matches_size(), 2);
  EXPECT_EQ(m.matches(0).kind(), v1::EXACT);
  EXPECT_EQ(m.matches(0).registration().client_ref(), "copy");
  EXPECT_EQ(m.matches(1).kind(), v1::CONTAINED);
  EXPECT_EQ(m.matches(1).registration().client_ref(), "quote");
  ASSERT_GT(m.matches(1).spans_size(), 0);
  EXPECT_FALSE(m.matches(1).spans(0).query_excerpt().empty());
  for (const auto& match : m.matches()) ExpectVerifiable(m.anchor(), match.registration());

  // Lookup by content id, and paging through a pinned anchor.
  v1::LookupContentRequest lreq;
  lreq.set_content_id(Sha256(work));
  v1::LookupContentResponse lresp;
  grpc::ClientContext c1;
  ASSERT_TRUE(lineage_->LookupContent(&c1, lreq, &lresp).ok());
  ASSERT_EQ(lresp.registrations_size(), 1);
  EXPECT_EQ(lresp.registrations(0).dataset_name(), "web");
  ExpectVerifiable(lresp.anchor(), lresp.registrations(0));

  v1::MatchOptions paged;
  paged.set_page_size(1);
  v1::MatchContentResponse p1, p2;
  ASSERT_TRUE(Match(work, paged, &p1).ok());
  ASSERT_FALSE(p1.next_page_token().empty());
  // Registrations after the first page do not move the second page's anchor.
  ASSERT_TRUE(RegisterAll(registry_.get(), {{ds, "late", work + " coda"}}, &receipts).ok());
  paged.set_page_token(p1.next_page_token());
  ASSERT_TRUE(Match(work, paged, &p2).ok());
  EXPECT_EQ(p2.anchor().tree_size(), p1.anchor().tree_size());
  ASSERT_EQ(p2.matches_size(), 1);
  EXPECT_EQ(p2.matches(0).registration().client_ref(), "quote");
  EXPECT_TRUE(p2.next_page_token().empty());
}

TEST_F(LineageServiceTest, BadRequestsNameTheField) {
  auto lookup = [&](const v1::LookupContentRequest& req) {
    grpc::ClientContext ctx;
    v1::LookupContentResponse resp;
    return lineage_->LookupContent(&ctx, req, &resp);
  };
  v1::LookupContentRequest none;
  EXPECT_EQ(lookup(none).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::LookupContentRequest short_id;
  short_id.set_content_id("abc");
  grpc::Status s = lookup(short_id);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("content_id"), std::string::npos);
  v1::LookupContentRequest bad_token;
  bad_token.set_content_id(std::string(32, 'x'));
  bad_token.set_page_token("v1.x.2");
  s = lookup(bad_token);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("page_token"), std::string::npos);
  v1::LookupContentRequest future;
  future.set_content_id(std::string(32, 'x'));
  future.mutable_as_of()->set_tree_size(1000);
  EXPECT_EQ(lookup(future).error_code(), grpc::StatusCode::OUT_OF_RANGE);

  v1::MatchOptions kinds;
  kinds.add_kinds(static_cast<v1::MatchKind>(9));
  v1::MatchContentResponse m;
  s = Match("some words", kinds, &m);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("options.kinds"), std::string::npos);
  v1::MatchOptions jaccard;
  jaccard.set_min_jaccard(2);
  s = Match("some words", jaccard, &m);
  EXPECT_NE(s.error_message().find("min_jaccard"), std::string::npos);

  grpc::ClientContext c2;
  v1::GetModelLineageRequest model;
  model.set_model_name("nobody");
  v1::GetModelLineageResponse mresp;
  EXPECT_EQ(lineage_->GetModelLineage(&c2, model, &mresp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c3;
  v1::GetDatasetRequest ds;
  v1::GetDatasetResponse dresp;
  EXPECT_EQ(lineage_->GetDataset(&c3, ds, &dresp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(LineageServiceTest, DatasetsAndTheirDocumentsAreListedWithProofs) {
  std::string ds = testing::CreateDataset(registry_.get(), "listed");
  std::vector<TestDoc> docs;
  for (int i = 0; i < 5; ++i) docs.push_back({ds, "d" + std::to_string(i), SyntheticProse(i, 40)});
  std::vector<v1::DocumentReceipt> receipts;
  ASSERT_TRUE(RegisterAll(registry_.get(), docs, &receipts).ok());

  grpc::ClientContext c1;
  v1::GetDatasetRequest greq;
  greq.set_dataset_id(ds);
  v1::GetDatasetResponse g;
  ASSERT_TRUE(lineage_->GetDataset(&c1, greq, &g).ok());
  EXPECT_EQ(g.dataset().name(), "listed");
  EXPECT_FALSE(g.dataset().sealed());
  EXPECT_GT(g.inclusion_proof_size(), 0);

  std::vector<std::string> refs;
  std::string token;
  do {
    grpc::ClientContext ctx;
    v1::ListDatasetDocumentsRequest req;
    req.set_dataset_id(ds);
    req.set_page_size(2);
    req.set_page_token(token);
    v1::ListDatasetDocumentsResponse resp;
    ASSERT_TRUE(lineage_->ListDatasetDocuments(&ctx, req, &resp).ok());
    for (const auto& d : resp.documents()) refs.push_back(d.client_ref());
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(refs, (std::vector<std::string>{"d0", "d1", "d2", "d3", "d4"}));
}

}  // namespace
}  // namespace provledger
