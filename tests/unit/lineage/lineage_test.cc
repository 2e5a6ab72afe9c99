// Lineage queries on real RocksDB, written through the registry: lookups
// with proofs, point-in-time answers, the four match kinds with their
// evidence, and the dataset/model lineage views.
#include "provledger/lineage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "provledger/merkle.h"
#include "provledger/receipt.h"
#include "provledger/registry.h"
#include "test_text.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::SyntheticProse;
using testing::TempDir;
using testing::ValueOrDie;

class LineageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = ValueOrDie(OpenRocksDbStorage(dir_.Sub("db"), {}));
    LedgerOptions o;
    o.origin = "lineage.example/log";
    signer_ = std::make_shared<NoteSigner>(o.origin, ValueOrDie(Ed25519PrivateKey::Generate()));
    o.signers.push_back(signer_);
    ledger_ = ValueOrDie(Ledger::Open(storage_.get(), o));
    registry_ = std::make_unique<Registry>(ledger_.get(), SystemClock(), RegistryOptions{});
    postings_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get()));
    queries_ = std::make_unique<LineageQueries>(ledger_.get(), postings_.get());
  }

  std::string Dataset(const std::string& name, const std::string& license = "CC-BY-4.0") {
    DatasetSpec spec{name, "1", "", "team@example.com", "", {}};
    spec.default_source.category = policy::SourceCategory::kOpenSourceDataset;
    spec.default_source.dataset_name = name;
    spec.default_source.dataset_url = "https://data.example/" + name;
    spec.default_source.license = license;
    spec.default_source.personal_info = policy::PersonalInfo::kNone;
    return ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  }
  // Registers `text` into `ds`; returns its ledger index.
  uint64_t Register(const std::string& ds, const std::string& text, const std::string& ref = "r") {
    DocumentAssembler a(registry_.get());
    DocumentRegistration d = *ValueOrDie(a.AddPart(ds, ref, text, false));
    RegisterOutcome out = registry_->Register({d});
    EXPECT_TRUE(out.status.ok()) << out.status;
    return out.receipts.at(0).ledger_index;
  }
  MatchResult Match(const std::string& text, MatchSpec spec = {}) {
    return ValueOrDie(queries_->Match(MatchQuery::FromContent(text), spec));
  }
  // The registration's inclusion proof verifies against its anchor.
  void ExpectProven(const RegistrationInfo& r, const SignedCheckpoint& anchor) {
    PL_EXPECT_OK(merkle::VerifyInclusion(r.ledger_index, anchor.size, r.leaf_hash,
                                         r.inclusion_proof, anchor.root_hash));
  }

  TempDir dir_;
  std::shared_ptr<const NoteSigner> signer_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<PostingIndex> postings_;
  std::unique_ptr<LineageQueries> queries_;
};

TEST_F(LineageTest, LookupListsEveryRegistrationWithProofsAndAnswersAsOf) {
  std::string a = Dataset("alpha"), b = Dataset("beta");
  std::string work = SyntheticProse(1, 200);
  uint64_t ia = Register(a, work, "a-1");
  uint64_t size_after_a = ledger_->Latest()->size;
  uint64_t ib = Register(b, work, "b-1");
  // A reformatted copy: same normalised text, another content id.
  std::string shouted = work;
  for (char& c : shouted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t ic = Register(b, shouted, "b-2");
  Register(a, SyntheticProse(2, 200), "unrelated");

  std::string cid = Sha256(work);
  LookupResult all = ValueOrDie(queries_->LookupContent(cid, {}, 100, std::nullopt));
  EXPECT_EQ(all.anchor.size, ledger_->Latest()->size);
  ASSERT_EQ(all.registrations.size(), 2u);
  EXPECT_EQ(all.registrations[0].ledger_index, ia);
  EXPECT_EQ(all.registrations[1].ledger_index, ib);
  const RegistrationInfo& r = all.registrations[0];
  EXPECT_EQ(r.dataset.name, "alpha");
  EXPECT_EQ(r.dataset.owner, "team@example.com");
  EXPECT_EQ(r.document.client_ref, "a-1");
  EXPECT_EQ(r.verdict.license, "CC-BY-4.0");
  EXPECT_EQ(r.verdict_index, ia);  // its own verdict, never re-evaluated
  EXPECT_GT(r.registered_us, 0);
  for (const auto& reg : all.registrations) ExpectProven(reg, all.anchor);

  // As of the size right after the first registration: only that one, and
  // the proof is against the checkpoint signed then.
  AsOfSpec then;
  then.tree_size = size_after_a;
  LookupResult old = ValueOrDie(queries_->LookupContent(cid, then, 100, std::nullopt));
  ASSERT_EQ(old.registrations.size(), 1u);
  EXPECT_EQ(old.anchor.size, size_after_a);
  ExpectProven(old.registrations[0], old.anchor);
  // As of a time before anything: the empty tree.
  AsOfSpec before;
  before.time_us = 1;
  EXPECT_TRUE(
      ValueOrDie(queries_->LookupContent(cid, before, 100, std::nullopt)).registrations.empty());

  // By normalised hash: the copy too; pages of one.
  std::string nh = ValueOrDie(fingerprint::FingerprintText(work)).normalized_hash;
  LookupResult p1 = ValueOrDie(queries_->LookupContent(nh, {}, 2, std::nullopt));
  ASSERT_EQ(p1.registrations.size(), 2u);
  ASSERT_TRUE(p1.next_after.has_value());
  LookupResult p2 = ValueOrDie(queries_->LookupContent(nh, {}, 2, p1.next_after));
  ASSERT_EQ(p2.registrations.size(), 1u);
  EXPECT_EQ(p2.registrations[0].ledger_index, ic);
  EXPECT_FALSE(p2.next_after.has_value());

  EXPECT_EQ(queries_->LookupContent("short", {}, 10, std::nullopt).status().code(),
            absl::StatusCode::kInvalidArgument);
  AsOfSpec future;
  future.tree_size = ledger_->Latest()->size + 1;
  EXPECT_EQ(queries_->LookupContent(cid, future, 10, std::nullopt).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST_F(LineageTest, TheFourMatchKindsWithTheirEvidence) {
  std::string ds = Dataset("corpus");
  std::string work = SyntheticProse(10, 300);
  uint64_t exact = Register(ds, work, "exact");
  std::string upper = work;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t normalised = Register(ds, upper + "\n", "normalised");
  // A near duplicate: 3 of 300 words changed.
  std::string near = work;
  for (int k : {40, 150, 260}) {
    size_t pos = 0;
    for (int w = 0; w < k; ++w) pos = near.find(' ', pos) + 1;
    near.insert(pos, "zebra ");
  }
  uint64_t near_index = Register(ds, near, "near");
  // A document holding a 60-word passage of the work amid other text.
  size_t from = 0;
  for (int w = 0; w < 100; ++w) from = work.find(' ', from) + 1;
  size_t to = from;
  for (int w = 0; w < 60; ++w) to = work.find(' ', to) + 1;
  std::string passage = work.substr(from, to - from);
  uint64_t holder = Register(ds, SyntheticProse(11, 150) + passage + SyntheticProse(12, 150), "x");
  Register(ds, SyntheticProse(13, 300), "unrelated");

  MatchResult m = Match(work);
  EXPECT_EQ(m.searched.size(), 4u);
  ASSERT_EQ(m.total, 4u);
  ASSERT_EQ(m.matches.size(), 4u);
  EXPECT_EQ(m.matches[0].kind, MatchKind::kExact);
  EXPECT_EQ(m.matches[0].registration.ledger_index, exact);
  EXPECT_EQ(m.matches[1].kind, MatchKind::kNormalised);
  EXPECT_EQ(m.matches[1].registration.ledger_index, normalised);
  EXPECT_EQ(m.matches[2].kind, MatchKind::kNearDuplicate);
  EXPECT_EQ(m.matches[2].registration.ledger_index, near_index);
  EXPECT_GE(m.matches[2].estimated_jaccard, 0.5);
  EXPECT_LT(m.matches[2].estimated_jaccard, 1.0);
  const MatchInfo& c = m.matches[3];
  EXPECT_EQ(c.kind, MatchKind::kContained);
  EXPECT_EQ(c.registration.ledger_index, holder);
  EXPECT_GT(c.contained_share, 0.0);
  EXPECT_LT(c.contained_share, 0.5);
  ASSERT_FALSE(c.spans.empty());
  // The span lies within the passage (tokens 100..160 of the query) and its
  // excerpt is the query's own normalised text there.
  EXPECT_GE(c.spans[0].query_token_begin, 100u);
  EXPECT_LE(c.spans[0].query_token_end, 160u);
  EXPECT_GE(c.longest_run_tokens, fingerprint::kContainedMinTokens);
  EXPECT_NE(passage.find(c.spans[0].query_excerpt.substr(0, 20)), std::string::npos)
      << c.spans[0].query_excerpt;
  EXPECT_EQ(c.spans[0].query_byte_end - c.spans[0].query_byte_begin,
            std::min<size_t>(c.spans[0].query_excerpt.size(), 400));
  for (const auto& match : m.matches) ExpectProven(match.registration, m.anchor);

  // The passage alone finds the work and its copies by containment too,
  // but only the holder and the exact/normalised/near copies are reported.
  MatchResult only_contained = Match(passage, MatchSpec{0, {}, 50, 0, {MatchKind::kContained}});
  EXPECT_EQ(only_contained.total, 4u);
  for (const auto& match : only_contained.matches) EXPECT_EQ(match.kind, MatchKind::kContained);

  // Above its Jaccard the near duplicate is still reported, for the passages
  // it shares (containment); paging.
  MatchResult strict = Match(work, MatchSpec{0.99, {}, 50, 0, {}});
  ASSERT_EQ(strict.total, 4u);
  EXPECT_EQ(strict.matches[2].kind, MatchKind::kContained);
  EXPECT_GT(strict.matches[2].contained_share, 0.9);
  MatchResult page = Match(work, MatchSpec{0, {}, 2, 2, {}});
  ASSERT_EQ(page.matches.size(), 2u);
  EXPECT_EQ(page.matches[0].registration.ledger_index, near_index);
  EXPECT_FALSE(page.next_offset.has_value());
  EXPECT_EQ(Match(work, MatchSpec{0, {}, 2, 0, {}}).next_offset, 2u);

  // Unrelated text matches nothing; as of before the corpus, nothing.
  EXPECT_EQ(Match(SyntheticProse(99, 300)).total, 0u);
  MatchSpec old;
  old.as_of.tree_size = exact;  // before the first document
  EXPECT_EQ(Match(work, old).total, 0u);
  EXPECT_EQ(
      queries_->Match(MatchQuery::FromContent(work), MatchSpec{1.5, {}, 1, 0, {}}).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(LineageTest, MatchingWaitsForThePostingsOfNewRegistrations) {
  // A lazy indexer: only a request writes its run.
  postings_.reset();
  PostingIndexOptions lazy;
  lazy.max_delay = std::chrono::hours(1);
  postings_ = ValueOrDie(PostingIndex::Open(ledger_.get(), storage_.get(), lazy));
  queries_ = std::make_unique<LineageQueries>(ledger_.get(), postings_.get());
  std::string ds = Dataset("fresh");
  std::string work = SyntheticProse(20, 200);
  std::string near = "prefix words here " + work;
  uint64_t index = Register(ds, near);
  EXPECT_LT(postings_->indexed_size(), ledger_->Latest()->size);
  MatchResult m = Match(work);
  ASSERT_EQ(m.total, 1u);
  EXPECT_EQ(m.matches[0].kind, MatchKind::kNearDuplicate);
  EXPECT_EQ(m.matches[0].registration.ledger_index, index);

  // Without a posting index only exact and normalised matches are searched.
  LineageQueries exact_only(ledger_.get(), nullptr);
  MatchResult e = ValueOrDie(exact_only.Match(MatchQuery::FromContent(work), {}));
  EXPECT_EQ(e.searched, (std::set<MatchKind>{MatchKind::kExact, MatchKind::kNormalised}));
  EXPECT_EQ(e.total, 0u);
}

TEST_F(LineageTest, RegistrationsNameTheModelsTrainedOnThemThroughDerivations) {
  std::string raw = Dataset("raw"), other = Dataset("other", "MIT");
  std::string work = SyntheticProse(30, 100);
  uint64_t doc = Register(raw, work);
  Register(other, SyntheticProse(31, 100));
  ValueOrDie(registry_->SealDataset(raw));
  ValueOrDie(registry_->SealDataset(other));
  std::string filtered = Dataset("raw-filtered");
  ValueOrDie(registry_->DeriveDataset({filtered, {raw, other}, "mix", "dedup and mix"}));
  Register(filtered, work);
  ValueOrDie(registry_->SealDataset(filtered));
  uint64_t before_run = ledger_->Latest()->size;
  TrainingRunSpec run;
  run.model_name = "m";
  run.model_version = "1";
  run.dataset_ids = {filtered};
  run.commercial = true;
  uint64_t run_index = ValueOrDie(registry_->RegisterTrainingRun(run)).ledger_index;

  LookupResult l = ValueOrDie(queries_->LookupContent(Sha256(work), {}, 10, std::nullopt));
  ASSERT_EQ(l.registrations.size(), 2u);
  const RegistrationInfo& in_raw = l.registrations[0];
  EXPECT_EQ(in_raw.ledger_index, doc);
  ASSERT_EQ(in_raw.models.size(), 1u);
  EXPECT_EQ(in_raw.models[0].model_name, "m");
  EXPECT_EQ(in_raw.models[0].run_index, run_index);
  EXPECT_EQ(in_raw.models[0].dataset_id, filtered);
  EXPECT_EQ(in_raw.models[0].derivation_path, std::vector<std::string>{filtered});
  ASSERT_EQ(l.registrations[1].models.size(), 1u);
  EXPECT_TRUE(l.registrations[1].models[0].derivation_path.empty());
  // Before the run was recorded, no model.
  AsOfSpec then;
  then.tree_size = before_run;
  EXPECT_TRUE(ValueOrDie(queries_->LookupContent(Sha256(work), then, 10, std::nullopt))
                  .registrations[0]
                  .models.empty());

  DatasetLineage dl = ValueOrDie(queries_->GetDatasetLineage(raw, {}));
  EXPECT_TRUE(dl.ancestors.empty());
  ASSERT_EQ(dl.descendants.size(), 1u);
  EXPECT_EQ(dl.descendants[0].entry.dataset_id, filtered);
  ASSERT_EQ(dl.edges.size(), 1u);  // raw -> filtered ("other" is not raw's relative)
  EXPECT_EQ(dl.edges[0].parent_id, raw);
  EXPECT_EQ(dl.edges[0].entry.transformation, "mix");
  ASSERT_EQ(dl.models.size(), 1u);
  DatasetLineage up = ValueOrDie(queries_->GetDatasetLineage(filtered, {}));
  EXPECT_EQ(up.ancestors.size(), 2u);
  EXPECT_EQ(up.edges.size(), 2u);  // one derivation entry, one edge per parent
  EXPECT_TRUE(up.dataset.seal.has_value());

  ModelLineage ml = ValueOrDie(queries_->GetModelLineage("m", "1", {}));
  ASSERT_EQ(ml.runs.size(), 1u);
  EXPECT_EQ(ml.runs[0].first, run_index);
  ASSERT_EQ(ml.datasets.size(), 3u);  // filtered, then its parents
  EXPECT_EQ(ml.datasets[0].entry.dataset_id, filtered);
  EXPECT_EQ(ml.counts.documents, 1u);  // what was registered into the version used
  EXPECT_EQ(ml.counts.by_source_category["OPEN_SOURCE_DATASET"], 1u);
  EXPECT_EQ(ml.counts.by_license_class["permissive"], 1u);
  EXPECT_EQ(ml.counts.by_verdict["ACCEPTED"], 1u);
  EXPECT_EQ(queries_->GetModelLineage("m", "2", {}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(queries_->GetModelLineage("m", "1", then).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(LineageTest, TheVerdictInForceIsTheLatestReevaluationBeforeTheAnchor) {
  std::string ds = Dataset("crawl");
  DocumentAssembler a(registry_.get());
  DocumentRegistration d = *ValueOrDie(a.AddPart(ds, "p", SyntheticProse(40, 80), false));
  d.source.url = "https://bad.example/page";
  RegisterOutcome out = registry_->Register({d});
  PL_ASSERT_OK(out.status);
  uint64_t index = out.receipts[0].ledger_index;
  uint64_t before = ledger_->Latest()->size;
  ReevaluationSummary summary;
  ValueOrDie(registry_->RecordSourceAssessment(
      {SourceKind::kDomain, "bad.example", 100, 9, "qa", "after_collection", ""}, &summary));
  ASSERT_EQ(summary.reevaluated, 1u);

  LookupResult now = ValueOrDie(queries_->LookupContent(d.content_id, {}, 10, std::nullopt));
  ASSERT_EQ(now.registrations.size(), 1u);
  EXPECT_EQ(now.registrations[0].verdict.verdict, 2);  // FLAGGED by the re-evaluation
  EXPECT_GT(now.registrations[0].verdict_index, index);
  EXPECT_EQ(now.registrations[0].verdict.license, "CC-BY-4.0");  // kept from the entry
  EXPECT_EQ(now.registrations[0].document.verdict->verdict, 1);  // as recorded then
  AsOfSpec then;
  then.tree_size = before;
  LookupResult old = ValueOrDie(queries_->LookupContent(d.content_id, then, 10, std::nullopt));
  EXPECT_EQ(old.registrations[0].verdict.verdict, 1);
  EXPECT_EQ(old.registrations[0].verdict_index, index);
}

TEST_F(LineageTest, DatasetDocumentsArePaged) {
  std::string ds = Dataset("paged");
  std::vector<uint64_t> indices;
  for (int i = 0; i < 5; ++i) indices.push_back(Register(ds, SyntheticProse(50 + i, 30)));
  SignedCheckpoint anchor = ValueOrDie(queries_->Resolve({}));
  bool more = false;
  auto first = ValueOrDie(queries_->ListDatasetDocuments(ds, anchor, 3, std::nullopt, &more));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_TRUE(more);
  auto rest = ValueOrDie(queries_->ListDatasetDocuments(ds, anchor, 3, first.back().first, &more));
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_FALSE(more);
  EXPECT_EQ(rest.back().first, indices.back());
  EXPECT_EQ(
      queries_->ListDatasetDocuments("ds_none", anchor, 3, std::nullopt, &more).status().code(),
      absl::StatusCode::kNotFound);
  DatasetView view = ValueOrDie(queries_->GetDataset(ds, anchor));
  EXPECT_EQ(view.entry.name, "paged");
  EXPECT_FALSE(view.seal.has_value());
}

TEST_F(LineageTest, SignedReceiptsVerifyOfflineAndExposeAnyFalseClaim) {
  std::string ds = Dataset("receipts");
  std::string work = SyntheticProse(60, 300);
  size_t from = 0;
  for (int w = 0; w < 120; ++w) from = work.find(' ', from) + 1;
  Register(ds, work, "copy");
  Register(ds, SyntheticProse(61, 80) + work.substr(from, 500) + SyntheticProse(62, 80), "quote");
  ValueOrDie(registry_->SealDataset(ds));
  TrainingRunSpec run;
  run.model_name = "m";
  run.dataset_ids = {ds};
  ValueOrDie(registry_->RegisterTrainingRun(run));

  MatchSpec spec;
  spec.receipt = true;
  spec.page_size = 1;  // the receipt covers every match, not the page
  MatchResult m = Match(work, spec);
  ASSERT_EQ(m.total, 2u);
  ASSERT_FALSE(m.receipt.empty());
  NoteVerifierKey key = ValueOrDie(ParseVerifierKey(signer_->VerifierKey()));
  ReceiptCheck check = ValueOrDie(VerifyReceipt(m.receipt, key, work));
  EXPECT_TRUE(check.content_checked);
  EXPECT_EQ(check.checkpoint.size, m.anchor.size);
  const Receipt& r = check.receipt;
  ASSERT_EQ(r.matches.size(), 2u);
  EXPECT_EQ(r.matches[0].kind, "EXACT");
  EXPECT_EQ(r.matches[1].kind, "CONTAINED");
  EXPECT_FALSE(r.matches[1].spans.empty());
  EXPECT_EQ(r.matches[0].run_indices.size(), 1u);
  EXPECT_EQ(r.total_matches, 2u);

  // Another key, a changed byte, or another work: refused.
  auto other = std::make_shared<NoteSigner>("lineage.example/log",
                                            ValueOrDie(Ed25519PrivateKey::Generate()));
  EXPECT_EQ(
      VerifyReceipt(m.receipt, ValueOrDie(ParseVerifierKey(other->VerifierKey()))).status().code(),
      absl::StatusCode::kPermissionDenied);
  std::string edited = m.receipt;
  edited[edited.find("\"CONTAINED\"") + 1] = 'X';
  EXPECT_FALSE(VerifyReceipt(edited, key).ok());
  EXPECT_EQ(VerifyReceipt(m.receipt, key, std::string_view(work).substr(1)).status().code(),
            absl::StatusCode::kDataLoss);

  // A receipt signed by the right key whose claims its entries do not
  // support (a server bug, or a forged claim) fails on the evidence.
  auto resign = [&](Receipt changed) {
    return ValueOrDie(SignNote(EncodeReceiptBody(changed), {signer_.get()}));
  };
  Receipt wrong_kind = r;
  wrong_kind.matches[1].kind = "EXACT";
  absl::Status s = VerifyReceipt(resign(wrong_kind), key).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("does not support the kind EXACT"), std::string::npos) << s;
  Receipt inflated = r;
  inflated.matches[1].fingerprints_found += 5;
  EXPECT_EQ(VerifyReceipt(resign(inflated), key).status().code(), absl::StatusCode::kDataLoss);
  Receipt bad_proof = r;
  bad_proof.entries[0].inclusion_proof[0][0] ^= 1;
  EXPECT_EQ(VerifyReceipt(resign(bad_proof), key).status().code(), absl::StatusCode::kDataLoss);
  Receipt uncited = r;
  uncited.entries.pop_back();
  EXPECT_EQ(VerifyReceipt(resign(uncited), key).status().code(), absl::StatusCode::kDataLoss);
  // The body has one encoding: re-encoding what was decoded gives it back.
  std::string body = ValueOrDie(OpenNote(m.receipt, key));
  EXPECT_EQ(EncodeReceiptBody(ValueOrDie(DecodeReceiptBody(body))), body);
  EXPECT_FALSE(DecodeReceiptBody(" " + body).ok());
  // The log key does not sign checkpoint-shaped text on request.
  EXPECT_FALSE(ledger_->SignText("lineage.example/log\n5\nAAAA\n").ok());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// A huge repetitive query keeps its first kMaxQueryWinnows fingerprints: its
// receipt stays small, records the total, and verifies against the work.
TEST_F(LineageTest, AHugeQuerysReceiptIsBoundedAndStillVerifies) {
  std::string ds = Dataset("huge-query");
  std::string work;
  while (work.size() < (1u << 20)) work += "a ";
  Register(ds, work, "repetitive");
  MatchSpec spec;
  spec.receipt = true;
  MatchQuery query = MatchQuery::FromContent(work);
  ASSERT_TRUE(query.text.has_value());
  EXPECT_EQ(query.text->winnows.size(), kMaxQueryWinnows);
  EXPECT_GT(query.winnows_total, kMaxQueryWinnows);
  MatchResult m = ValueOrDie(queries_->Match(query, spec));
  ASSERT_GE(m.total, 1u);
  EXPECT_LT(m.receipt.size(), 3u << 20);
  NoteVerifierKey key = ValueOrDie(ParseVerifierKey(signer_->VerifierKey()));
  ReceiptCheck check = ValueOrDie(VerifyReceipt(m.receipt, key, work));
  EXPECT_TRUE(check.content_checked);
  EXPECT_EQ(check.receipt.query.winnows_total, query.winnows_total);
  // The total is signed: a receipt claiming another does not verify.
  Receipt changed = check.receipt;
  changed.query.winnows_total += 1;
  std::string forged = ValueOrDie(SignNote(EncodeReceiptBody(changed), {signer_.get()}));
  EXPECT_EQ(VerifyReceipt(forged, key, work).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace provledger
