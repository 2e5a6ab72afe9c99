// ReportService on the real server over loopback gRPC: a filing team's
// signed report, checked with the verifier key alone; the audit sample
// re-derived independently; reviews; tampering; bad input; and the
// renderings, written to a fixture folder for the schema and browser tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "grpc_test_util.h"
#include "provledger/encoding.h"
#include "provledger/note.h"
#include "provledger/report.h"
#include "provledger/server.h"
#include "provledger/spdx.h"
#include "provledger/v1/report.grpc.pb.h"
#include "test_text.h"
#include "test_util.h"

namespace provledger {
namespace {

using nlohmann::json;
using testing::RegisterAll;
using testing::SyntheticProse;
using testing::TempDir;
using testing::TestDoc;
using testing::ValueOrDie;

class ReportServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.data_dir = dir_.Sub("data");
    config.listen = "127.0.0.1:0";
    config.origin = "reports.example/provledger";
    server_ = ValueOrDie(Server::Start(config));
    channel_ = testing::Channel("127.0.0.1:" + std::to_string(server_->port()));
    registry_ = v1::RegistryService::NewStub(channel_);
    reports_ = v1::ReportService::NewStub(channel_);
    key_ = ValueOrDie(ParseVerifierKey(server_->ledger()->VerifierKeys()[0]));
  }

  std::string CreateDataset(const std::string& name, const v1::SourceRecord& source,
                            const std::string& owner) {
    grpc::ClientContext ctx;
    v1::CreateDatasetRequest req;
    req.set_name(name);
    req.set_version("2026-11");
    req.set_owner(owner);
    req.set_intended_use("commercial");
    *req.mutable_default_source() = source;
    v1::CreateDatasetResponse resp;
    grpc::Status s = registry_->CreateDataset(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.dataset_id();
  }

  void Seal(const std::string& id) {
    grpc::ClientContext ctx;
    v1::SealDatasetRequest req;
    req.set_dataset_id(id);
    v1::SealDatasetResponse resp;
    grpc::Status s = registry_->SealDataset(&ctx, req, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // A web crawl (40 documents over 10 domains, some opted out or
  // non-commercial) and a licensed book corpus (20 documents, Chinese),
  // sealed, and model lm 1 trained on both.
  void Populate() {
    v1::SourceRecord web;
    web.set_category(v1::SELF_COLLECTED);
    web.set_crawler_agent("testbot/1.0");
    web.set_collected_at_unix_micros(1790000000000000);
    web.set_license("CC-BY-4.0");
    web.set_language("en");
    web.set_personal_info(v1::PERSONAL_INFO_NONE);
    web.mutable_signals()->set_robots_txt(v1::SIGNAL_ALLOWED);
    web.mutable_signals()->set_robots_txt_sha256(std::string(32, 'r'));
    web_ = CreateDataset("web", web, "crawl team");
    v1::SourceRecord books;
    books.set_category(v1::COMMERCIAL_LICENSED);
    books.set_counterparty("Book House");
    books.set_contract_ref("BH-2026-7");
    books.set_contract_start_unix_micros(1700000000000000);
    books.set_contract_end_unix_micros(1900000000000000);
    books.set_licensed_scope("model training");
    books.set_license("LicenseRef-BookHouse");
    books.set_language("zh-Hans");
    books.set_personal_info(v1::PERSONAL_INFO_NONE);
    books_ = CreateDataset("books", books, "licensing team");
    std::vector<TestDoc> docs;
    for (int i = 0; i < 40; ++i) {
      TestDoc d{web_, "web-" + std::to_string(i), SyntheticProse(100 + i, 120), {}};
      d.source.set_url("https://site" + std::to_string(i % 10) + ".example/p" + std::to_string(i));
      if (i % 10 == 3) d.source.mutable_signals()->set_tdm_reservation(v1::SIGNAL_FORBIDDEN);
      if (i % 10 == 7) d.source.set_license("CC-BY-NC-4.0");
      docs.push_back(std::move(d));
    }
    for (int i = 0; i < 20; ++i) {
      docs.push_back({books_, "book-" + std::to_string(i), SyntheticProse(500 + i, 200), {}});
    }
    std::vector<v1::DocumentReceipt> receipts;
    ASSERT_TRUE(RegisterAll(registry_.get(), docs, &receipts).ok());
    ASSERT_EQ(receipts.size(), 60u);
    for (const auto& r : receipts) {
      verdicts_[r.ledger_index()] = r.verdict();
      dataset_of_[r.ledger_index()] = r.dataset_id();
    }
    Seal(web_);
    Seal(books_);
    grpc::ClientContext ctx;
    v1::RegisterTrainingRunRequest run;
    run.set_model_name("lm");
    run.set_model_version("1");
    run.add_dataset_ids(web_);
    run.add_dataset_ids(books_);
    run.set_commercial(true);
    run.set_public_eu(true);
    run.set_training_start_unix_micros(1790100000000000);
    run.set_training_end_unix_micros(1790200000000000);
    v1::RegisterTrainingRunResponse resp;
    grpc::Status s = registry_->RegisterTrainingRun(&ctx, run, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  grpc::Status Generate(const v1::GenerateFilingReportRequest& req, std::string* report,
                        v1::ReportSummary* summary = nullptr) {
    grpc::ClientContext ctx;
    auto reader = reports_->GenerateFilingReport(&ctx, req);
    v1::ReportChunk chunk;
    report->clear();
    while (reader->Read(&chunk)) {
      if (chunk.has_summary() && summary != nullptr) *summary = chunk.summary();
      *report += chunk.data();
    }
    return reader->Finish();
  }

  v1::GenerateFilingReportRequest ModelRequest(uint32_t sample_size) {
    v1::GenerateFilingReportRequest req;
    req.mutable_model()->set_name("lm");
    req.mutable_model()->set_version("1");
    req.set_sample_size(sample_size);
    return req;
  }

  grpc::Status Review(uint64_t index, bool pass, v1::RecordReviewResponse* resp,
                      const std::string& reviewer = "auditor a") {
    grpc::ClientContext ctx;
    v1::RecordReviewRequest req;
    req.set_document_index(index);
    req.set_reviewer(reviewer);
    req.set_result(pass ? v1::PASS : v1::FAIL);
    return reports_->RecordReview(&ctx, req, resp);
  }

  // Re-signs an edited body with the log's own key: what a dishonest
  // operator holding the key could produce. The verifier must still refuse.
  std::string Resign(const json& body) {
    return ValueOrDie(server_->ledger()->SignText(body.dump() + "\n"));
  }

  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::ReportService::Stub> reports_;
  NoteVerifierKey key_;
  std::string web_, books_;
  std::map<uint64_t, v1::Verdict> verdicts_;
  std::map<uint64_t, std::string> dataset_of_;
};

TEST_F(ReportServiceTest, AModelReportCountsWhatTheLedgerHoldsAndVerifiesOffline) {
  Populate();
  std::string signed_report;
  v1::ReportSummary summary;
  grpc::Status s = Generate(ModelRequest(12), &signed_report, &summary);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(summary.report_bytes(), signed_report.size());
  EXPECT_EQ(summary.documents(), 60u);
  report::ReportCheck check = ValueOrDie(report::VerifyReport(signed_report, key_));
  json r = json::parse(check.body);

  uint64_t rejected = 0;
  for (const auto& [index, v] : verdicts_) rejected += v == v1::REJECTED;
  ASSERT_GT(rejected, 0u);
  const json& total = r["volume"]["total"];
  EXPECT_EQ(total["documents"], 60);
  EXPECT_EQ(total["rejected"], rejected);
  EXPECT_EQ(r["volume"]["by_source_category"]["SELF_COLLECTED"]["documents"], 40);
  EXPECT_EQ(r["volume"]["by_source_category"]["COMMERCIAL_LICENSED"]["documents"], 20);
  EXPECT_EQ(r["volume"]["by_language"]["en"]["documents"], 40);
  EXPECT_EQ(r["volume"]["by_language"]["zh-Hans"]["documents"], 20);
  EXPECT_EQ(r["licensing"]["by_spdx_id"]["CC-BY-NC-4.0"], 4);
  EXPECT_EQ(r["licensing"]["by_spdx_id"]["LicenseRef-BookHouse"], 20);
  EXPECT_EQ(r["opt_out"]["signals_observed"]["tdm_reservation"]["documents"], 4);
  EXPECT_EQ(r["opt_out"]["signals_observed"]["tdm_reservation"]["rejected"], 4);
  EXPECT_EQ(r["crawled"]["domains"], 10);
  EXPECT_EQ(r["crawled"]["top_domains"].size(), 1u);  // the top 10% of 10
  EXPECT_EQ(r["crawled"]["crawlers"]["testbot/1.0"], 40);
  EXPECT_EQ(r["evidence"]["coverage"]["COMMERCIAL_LICENSED"]["with_required_evidence"], 20);
  EXPECT_EQ(r["sources"]["commercial_counterparties"]["Book House"]["documents"], 20);
  ASSERT_EQ(r["training_runs"].size(), 1u);
  EXPECT_TRUE(r["training_runs"][0]["deployment"]["public_eu"].get<bool>());
  ASSERT_EQ(r["datasets"].size(), 2u);
  EXPECT_EQ(check.anchor.size, r["anchor"]["tree_size"].get<uint64_t>());
  EXPECT_GT(check.entries_proven, 12u);

  // The sample, re-derived here from the procedure's definition: positions
  // over the datasets in id order, documents in ledger order within each,
  // the first 12 that are not rejected.
  std::vector<std::string> ids = {web_, books_};
  std::sort(ids.begin(), ids.end());
  std::vector<uint64_t> population;
  for (const std::string& id : ids) {
    for (const auto& [index, ds] : dataset_of_) {
      if (ds == id) population.push_back(index);
    }
  }
  Checkpoint seed =
      ValueOrDie(VerifyCheckpoint(r["audit_sample"]["seed_checkpoint"].get<std::string>(), key_));
  std::vector<uint64_t> draws = report::DrawSample(seed.root_hash, population.size(), 24);
  std::vector<uint64_t> expected;
  for (size_t j = 0; j < draws.size() && expected.size() < 12; ++j) {
    if (verdicts_[population[draws[j]]] != v1::REJECTED) expected.push_back(population[draws[j]]);
  }
  std::vector<uint64_t> listed;
  for (const json& d : r["audit_sample"]["documents"]) {
    if (!d["excluded"].get<bool>()) listed.push_back(d["document"]["index"].get<uint64_t>());
  }
  EXPECT_EQ(listed, expected);
  EXPECT_EQ(check.sampled, 12u);
  EXPECT_EQ(r["reviews"]["status"], "NOT_REVIEWED");

  // Generated again at the same tree size: the same sample.
  v1::GenerateFilingReportRequest again = ModelRequest(12);
  again.mutable_as_of()->set_tree_size(check.anchor.size);
  std::string second;
  ASSERT_TRUE(Generate(again, &second).ok());
  json r2 = json::parse(ValueOrDie(report::VerifyReport(second, key_)).body);
  EXPECT_EQ(r2["audit_sample"]["documents"], r["audit_sample"]["documents"]);
  EXPECT_EQ(r2["volume"], r["volume"]);
}

TEST_F(ReportServiceTest, ReviewsOfTheSampleAreCountedAgainstTheBar) {
  Populate();
  std::string first;
  ASSERT_TRUE(Generate(ModelRequest(10), &first).ok());
  json r1 = json::parse(ValueOrDie(report::VerifyReport(first, key_)).body);
  const uint64_t seed_size = r1["anchor"]["tree_size"].get<uint64_t>();
  std::vector<uint64_t> sampled;
  for (const json& d : r1["audit_sample"]["documents"]) {
    if (!d["excluded"].get<bool>()) sampled.push_back(d["document"]["index"].get<uint64_t>());
  }
  ASSERT_EQ(sampled.size(), 10u);
  // Nine pass, one fails: 90% is below TC260-003's 96%.
  for (size_t i = 0; i < sampled.size(); ++i) {
    v1::RecordReviewResponse resp;
    grpc::Status s = Review(sampled[i], i != 4, &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(resp.already_recorded());
  }
  v1::RecordReviewResponse again;
  ASSERT_TRUE(Review(sampled[0], true, &again).ok());
  EXPECT_TRUE(again.already_recorded());

  v1::GenerateFilingReportRequest req = ModelRequest(10);
  req.set_sample_tree_size(seed_size);
  std::string second;
  grpc::Status s = Generate(req, &second);
  ASSERT_TRUE(s.ok()) << s.error_message();
  report::ReportCheck check = ValueOrDie(report::VerifyReport(second, key_));
  json r2 = json::parse(check.body);
  EXPECT_GT(r2["anchor"]["tree_size"].get<uint64_t>(), seed_size);
  EXPECT_EQ(r2["audit_sample"]["documents"].size(), r1["audit_sample"]["documents"].size());
  EXPECT_EQ(check.reviewed, 10u);
  EXPECT_EQ(check.passed, 9u);
  EXPECT_EQ(r2["reviews"]["status"], "BELOW_BAR");
  EXPECT_EQ(r2["reviews"]["pass_permille"], 900);

  // The failed one is reviewed again and passes: the latest review counts.
  v1::RecordReviewResponse fixed;
  ASSERT_TRUE(Review(sampled[4], true, &fixed, "auditor b").ok());
  std::string third;
  ASSERT_TRUE(Generate(req, &third).ok());
  json r3 = json::parse(ValueOrDie(report::VerifyReport(third, key_)).body);
  EXPECT_EQ(r3["reviews"]["status"], "MEETS_BAR");
  EXPECT_EQ(r3["reviews"]["passed"], 10);
}

TEST_F(ReportServiceTest, AnEditedReportIsRefusedEvenWhenSignedByTheLogKey) {
  Populate();
  std::string signed_report;
  ASSERT_TRUE(Generate(ModelRequest(8), &signed_report).ok());
  const json r = json::parse(ValueOrDie(report::ReportBody(signed_report)));
  // Untouched and re-signed: still valid (the edits below are what fail).
  PL_ASSERT_OK(report::VerifyReport(Resign(r), key_));

  // A flipped byte breaks the signature.
  std::string flipped = signed_report;
  flipped[flipped.find("\"documents\"") + 2] ^= 1;
  EXPECT_FALSE(report::VerifyReport(flipped, key_).ok());
  // Another key.
  NoteVerifierKey other = key_;
  other.public_key[0] ^= 1;
  EXPECT_EQ(report::VerifyReport(signed_report, other).status().code(),
            absl::StatusCode::kPermissionDenied);

  auto expect_refused = [&](const std::string& what, const std::function<void(json*)>& edit) {
    json edited = r;
    edit(&edited);
    auto check = report::VerifyReport(Resign(edited), key_);
    EXPECT_EQ(check.status().code(), absl::StatusCode::kDataLoss) << what << ": " << check.status();
  };
  expect_refused("a document more", [](json* j) {
    (*j)["volume"]["total"]["documents"] = (*j)["volume"]["total"]["documents"].get<int>() + 1;
  });
  expect_refused("a hand-picked sample", [](json* j) {
    json& docs = (*j)["audit_sample"]["documents"];
    std::swap(docs[0], docs[1]);
  });
  expect_refused("a sample cut short", [](json* j) {
    (*j)["audit_sample"]["documents"].erase((*j)["audit_sample"]["documents"].size() - 1);
  });
  expect_refused("a verdict softened", [](json* j) {
    for (json& d : (*j)["audit_sample"]["documents"]) d["verdict"]["verdict"] = "ACCEPTED";
    for (json& d : (*j)["audit_sample"]["documents"]) d["excluded"] = false;
  });
  expect_refused("a dataset's manifest counts", [](json* j) {
    json& sealed = (*j)["datasets"][0]["as_sealed"];
    sealed["rejected"] = sealed["rejected"].get<uint64_t>() + 1;
  });
  expect_refused("a review invented", [](json* j) {
    (*j)["reviews"]["reviewed"] = 8;
    (*j)["reviews"]["passed"] = 8;
    (*j)["reviews"]["status"] = "MEETS_BAR";
  });
  expect_refused("a training run's deployment",
                 [](json* j) { (*j)["training_runs"][0]["deployment"]["commercial"] = false; });
  expect_refused("a proof hash", [](json* j) {
    json& proof = (*j)["cited_entries"][0]["inclusion_proof"];
    proof[0] = Base64Encode(std::string(32, 'x'));
  });
  // Not canonical: the same content with other whitespace.
  std::string pretty = ValueOrDie(server_->ledger()->SignText(r.dump() + " \n"));
  EXPECT_EQ(report::VerifyReport(pretty, key_).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ReportServiceTest, ReevaluatedDocumentsAreReportedWithTheVerdictInForce) {
  Populate();
  // site4.example (four accepted documents) fails its assessment: its
  // earlier documents get re-evaluation entries (FLAGGED by default).
  grpc::ClientContext ctx;
  v1::RecordSourceAssessmentRequest assess;
  assess.set_domain("site4.example");
  assess.set_sample_size(100);
  assess.set_failures(30);
  assess.set_assessor("qa");
  v1::RecordSourceAssessmentResponse aresp;
  grpc::Status s = registry_->RecordSourceAssessment(&ctx, assess, &aresp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(aresp.blacklisted());

  std::string signed_report;
  ASSERT_TRUE(Generate(ModelRequest(60), &signed_report).ok());  // every document drawn
  report::ReportCheck check = ValueOrDie(report::VerifyReport(signed_report, key_));
  json r = json::parse(check.body);
  int reevaluated = 0;
  for (const json& d : r["audit_sample"]["documents"]) {
    const bool site4 = d["source"].value("url", "").find("site4.example") != std::string::npos;
    EXPECT_EQ(d.contains("verdict_entry"), site4) << d["source"].dump();
    if (d.contains("verdict_entry")) {
      ++reevaluated;
      EXPECT_EQ(d["verdict"]["verdict"], "FLAGGED");
      EXPECT_EQ(d["verdict"]["reasons"][0]["code"], "SOURCE_BLACKLISTED");
    }
  }
  EXPECT_EQ(reevaluated, static_cast<int>(aresp.earlier_documents().reevaluated()));
  EXPECT_EQ(reevaluated, 4);
  EXPECT_EQ(r["verdicts"]["by_reason"]["SOURCE_BLACKLISTED"]["flagged"], reevaluated);
  // As of before the assessment, the same documents carry their own verdicts.
  v1::GenerateFilingReportRequest before = ModelRequest(60);
  before.mutable_as_of()->set_tree_size(check.anchor.size - 1 - reevaluated);
  ASSERT_TRUE(Generate(before, &signed_report).ok());
  json old = json::parse(ValueOrDie(report::VerifyReport(signed_report, key_)).body);
  EXPECT_FALSE(old["verdicts"]["by_reason"].contains("SOURCE_BLACKLISTED"));
}

TEST_F(ReportServiceTest, AnEmptyDatasetGivesAnEmptyShortSample) {
  v1::SourceRecord src;
  src.set_category(v1::SYNTHETIC);
  std::string empty = CreateDataset("empty", src, "");
  Seal(empty);
  v1::GenerateFilingReportRequest req;
  req.mutable_datasets()->add_dataset_ids(empty);
  std::string signed_report;
  grpc::Status s = Generate(req, &signed_report);
  ASSERT_TRUE(s.ok()) << s.error_message();
  report::ReportCheck check = ValueOrDie(report::VerifyReport(signed_report, key_));
  json r = json::parse(check.body);
  EXPECT_EQ(r["volume"]["total"]["documents"], 0);
  EXPECT_TRUE(r["audit_sample"]["documents"].empty());
  EXPECT_TRUE(r["audit_sample"]["short"].get<bool>());
  EXPECT_EQ(r["reviews"]["status"], "NOT_REVIEWED");
  for (const char* f : {"html", "spdx", "cyclonedx", "croissant", "ab2013", "eu-summary-md"}) {
    PL_EXPECT_OK(report::Render(check.body, ValueOrDie(report::ParseRendering(f))));
  }
}

TEST_F(ReportServiceTest, BadRequestsAreRefusedNamingTheField) {
  Populate();
  std::string out;
  v1::GenerateFilingReportRequest none;
  grpc::Status s = Generate(none, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("subject"), std::string::npos);

  v1::GenerateFilingReportRequest unknown;
  unknown.mutable_model()->set_name("nope");
  EXPECT_EQ(Generate(unknown, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  v1::SourceRecord src;
  src.set_category(v1::SYNTHETIC);
  std::string open = CreateDataset("open", src, "");
  v1::GenerateFilingReportRequest unsealed;
  unsealed.mutable_datasets()->add_dataset_ids(open);
  s = Generate(unsealed, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(s.error_message().find(open), std::string::npos);

  v1::GenerateFilingReportRequest early = ModelRequest(5);
  early.set_sample_tree_size(3);  // before the datasets were sealed
  s = Generate(early, &out);
  EXPECT_TRUE(s.error_code() == grpc::StatusCode::FAILED_PRECONDITION ||
              s.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      << s.error_message();
  EXPECT_NE(s.error_message().find("sample"), std::string::npos);
  v1::GenerateFilingReportRequest future = ModelRequest(5);
  future.set_sample_tree_size(1u << 30);
  EXPECT_EQ(Generate(future, &out).error_code(), grpc::StatusCode::OUT_OF_RANGE);

  v1::RecordReviewResponse resp;
  grpc::ClientContext c1;
  v1::RecordReviewRequest no_result;
  no_result.set_document_index(1);
  no_result.set_reviewer("x");
  s = reports_->RecordReview(&c1, no_result, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("result"), std::string::npos);
  s = Review(1u << 30, true, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  s = Review(0, true, &resp);  // entry 0 is the web dataset's entry
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("document_index"), std::string::npos);
  s = Review(dataset_of_.begin()->first, true, &resp, "");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("reviewer"), std::string::npos);
}

// Structural checks of the SPDX 3.0.1 JSON-LD graph (no JSON schema for
// SPDX 3 is reachable from this build's registries; tests/scripts checks
// CycloneDX against its published schema).
void ExpectSpdxGraph(const json& doc) {
  EXPECT_EQ(doc["@context"], "https://spdx.org/rdf/3.0.1/spdx-context.jsonld");
  std::set<std::string> ids;
  std::map<std::string, std::string> types;
  for (const json& e : doc["@graph"]) {
    ASSERT_TRUE(e.contains("type"));
    if (e["type"] == "CreationInfo") {
      EXPECT_EQ(e["specVersion"], "3.0.1");
      continue;
    }
    ASSERT_TRUE(e.contains("spdxId")) << e.dump();
    EXPECT_EQ(e["creationInfo"], "_:creationinfo");
    EXPECT_TRUE(ids.insert(e["spdxId"].get<std::string>()).second) << "duplicate spdxId";
    types[e["spdxId"]] = e["type"];
  }
  int trained_on = 0, licenses = 0;
  for (const json& e : doc["@graph"]) {
    if (e["type"] == "Relationship") {
      ASSERT_TRUE(ids.count(e["from"].get<std::string>())) << e.dump();
      for (const json& to : e["to"]) ASSERT_TRUE(ids.count(to.get<std::string>())) << e.dump();
      if (e["relationshipType"] == "trainedOn") {
        EXPECT_EQ(types[e["from"]], "ai_AIPackage");
        for (const json& to : e["to"]) EXPECT_EQ(types[to], "dataset_DatasetPackage");
        trained_on += static_cast<int>(e["to"].size());
      }
    }
    if (e["type"] == "simplelicensing_LicenseExpression") {
      PL_EXPECT_OK(
          spdx::ParseExpression(e["simplelicensing_licenseExpression"].get<std::string>()));
      ++licenses;
    }
    if (e["type"] == "SpdxDocument") {
      for (const json& el : e["element"]) EXPECT_TRUE(ids.count(el.get<std::string>()));
      for (const json& el : e["rootElement"]) EXPECT_TRUE(ids.count(el.get<std::string>()));
    }
  }
  EXPECT_EQ(trained_on, 2);
  EXPECT_GE(licenses, 2);
}

TEST_F(ReportServiceTest, RenderingsCarryTheReportInEachFormat) {
  Populate();
  std::string signed_report;
  ASSERT_TRUE(Generate(ModelRequest(10), &signed_report).ok());
  std::string body = ValueOrDie(report::VerifyReport(signed_report, key_)).body;
  // For the schema and browser tests (tests/CMakeLists.txt fixtures).
  const std::string out_dir = PROVLEDGER_REPORT_FIXTURE_DIR;
  std::filesystem::create_directories(out_dir);
  std::ofstream(out_dir + "/report.signed") << signed_report;
  std::map<std::string, std::string> outputs;
  for (const char* name :
       {"html", "spdx", "cyclonedx", "croissant", "ab2013", "eu-summary-json", "eu-summary-md"}) {
    report::Rendering rendering = ValueOrDie(report::ParseRendering(name));
    outputs[name] = ValueOrDie(report::Render(body, rendering));
    std::ofstream(out_dir + "/report." + name) << outputs[name];
  }
  EXPECT_FALSE(report::ParseRendering("pdf").ok());
  EXPECT_FALSE(report::Render("{}", report::Rendering::kHtml).ok());

  const std::string& html = outputs["html"];
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("model lm 1"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);  // no external assets
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);

  ExpectSpdxGraph(json::parse(outputs["spdx"]));

  json cdx = json::parse(outputs["cyclonedx"]);
  EXPECT_EQ(cdx["specVersion"], "1.6");
  EXPECT_EQ(cdx["metadata"]["component"]["type"], "machine-learning-model");
  ASSERT_EQ(cdx["components"].size(), 2u);
  for (const json& c : cdx["components"]) {
    EXPECT_EQ(c["type"], "data");
    EXPECT_EQ(c["hashes"][0]["alg"], "SHA-256");
    PL_EXPECT_OK(spdx::ParseExpression(c["licenses"][0]["expression"].get<std::string>()));
  }

  json cr = json::parse(outputs["croissant"]);
  EXPECT_EQ(cr["conformsTo"], "http://mlcommons.org/croissant/1.0");
  EXPECT_EQ(cr["@context"]["rai"], "http://mlcommons.org/croissant/RAI/");
  EXPECT_EQ(cr["@context"]["prov"], "http://www.w3.org/ns/prov#");
  for (const char* key :
       {"name", "description", "license", "url", "creator", "datePublished", "rai:dataCollection",
        "rai:dataCollectionType", "rai:dataCollectionTimeframe"}) {
    EXPECT_TRUE(cr.contains(key)) << key;
  }
  EXPECT_EQ(cr["prov:wasDerivedFrom"].size(), 2u);
  EXPECT_EQ(cr["rai:dataCollectionTimeframe"].size(), 2u);

  json ab = json::parse(outputs["ab2013"]);
  int fields = 0, gaps = 0;
  for (const auto& [k, v] : ab.items()) {
    if (!v.is_object() || !v.contains("status")) continue;
    ++fields;
    gaps += v["status"] == "TO_COMPLETE";
  }
  EXPECT_EQ(fields, 12);  // Civil Code 3111(a)(1)-(12)
  EXPECT_GT(gaps, 0);
  EXPECT_EQ(ab["number_of_data_points"]["value"]["documents"],
            json::parse(body)["volume"]["total"]["accepted"].get<uint64_t>() +
                json::parse(body)["volume"]["total"]["flagged"].get<uint64_t>());

  json eu = json::parse(outputs["eu-summary-json"]);
  for (const char* section : {"1_general_information", "2_data_sources", "3_data_processing"}) {
    EXPECT_TRUE(eu.contains(section)) << section;
  }
  EXPECT_EQ(eu["2_data_sources"]["2_3_crawled_data"]["value"]["top_10_percent_domains"].size(), 1u);
  EXPECT_NE(outputs["eu-summary-md"].find("TO COMPLETE"), std::string::npos);
  EXPECT_NE(outputs["eu-summary-md"].find("## 2_data_sources"), std::string::npos);
}

}  // namespace
}  // namespace provledger
