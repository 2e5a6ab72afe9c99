#include "provledger/registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>

#include "provledger/encoding.h"
#include "provledger/merkle.h"
#include "provledger/source_record_codec.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::ValueOrDie;

class FixedClock : public Clock {
 public:
  int64_t NowMicros() const override { return 1234; }
};

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LedgerOptions o;
    o.origin = "reg.example/log";
    o.signers.push_back(
        std::make_shared<NoteSigner>(o.origin, ValueOrDie(Ed25519PrivateKey::Generate())));
    ledger_ = ValueOrDie(Ledger::Open(storage_.get(), o));
    RegistryOptions ro;
    ro.max_document_bytes = 100;
    ro.max_client_ref_bytes = 10;
    registry_ = std::make_unique<Registry>(ledger_.get(), &clock_, ro);
  }
  FixedClock clock_;
  std::unique_ptr<Storage> storage_ = NewMemoryStorage();
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, DatasetIdIsDerivedFromNameAndVersion) {
  EXPECT_EQ(DatasetIdFor("a", "1").substr(0, 3), "ds_");
  EXPECT_EQ(DatasetIdFor("a", "1").size(), 27u);
  EXPECT_NE(DatasetIdFor("a", "1"), DatasetIdFor("a", "2"));
  DatasetInfo d = ValueOrDie(registry_->CreateDataset("a", "1", "x"));
  EXPECT_EQ(d.dataset_id, DatasetIdFor("a", "1"));
  EXPECT_EQ(ValueOrDie(registry_->GetDataset(d.dataset_id)).entry.description, "x");
  EXPECT_EQ(registry_->GetDataset("ds_nope").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, NamesAreValidatedWithTheFieldNamed) {
  auto empty = registry_->CreateDataset("", "", "");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(empty.status().message().find("name"), absl::string_view::npos);
  EXPECT_FALSE(registry_->CreateDataset("bad\x01name", "", "").ok());
  EXPECT_FALSE(registry_->CreateDataset("bad\xff", "", "").ok());          // not UTF-8
  EXPECT_FALSE(registry_->CreateDataset("bad\xc0\xaf", "", "").ok());      // overlong
  EXPECT_FALSE(registry_->CreateDataset("bad\xed\xa0\x80", "", "").ok());  // surrogate
  EXPECT_FALSE(registry_->CreateDataset("trunc\xe4\xb8", "", "").ok());    // truncated
  EXPECT_TRUE(registry_->CreateDataset("中文语料", "v1", "line1\nline2").ok());
  auto version = registry_->CreateDataset("ok", std::string(200, 'v'), "");
  EXPECT_NE(version.status().message().find("version"), absl::string_view::npos);
  EXPECT_EQ(ledger_->Latest()->size, 1u);  // only the valid one was written
}

TEST_F(RegistryTest, AssemblerHashesPartsAndEnforcesLimits) {
  std::string ds = ValueOrDie(registry_->CreateDataset("d", "", "")).dataset_id;
  DocumentAssembler a(registry_.get());
  EXPECT_FALSE(ValueOrDie(a.AddPart(ds, "r", "hello ", true)).has_value());
  EXPECT_TRUE(a.in_progress());
  // Later parts may omit dataset_id and client_ref.
  auto done = ValueOrDie(a.AddPart("", "", "world", false));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->content_id, Sha256("hello world"));
  EXPECT_EQ(done->size_bytes, 11u);
  EXPECT_EQ(done->client_ref, "r");

  EXPECT_EQ(a.AddPart(ds, "r", std::string(101, 'x'), false).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(a.AddPart(ds, "longer than ten", "x", false).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.AddPart("ds_unknown", "r", "x", false).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(a.AddPart(ds, "r", "x", true).ok());
  EXPECT_EQ(a.AddPart("ds_other", "", "y", false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, RegisterDeduplicatesPerDataset) {
  std::string ds = ValueOrDie(registry_->CreateDataset("d", "", "")).dataset_id;
  DocumentRegistration doc{ds, "r", Sha256("c"), 1};
  RegisterOutcome first = registry_->Register({doc});
  PL_ASSERT_OK(first.status);
  RegisterOutcome again = registry_->Register({doc});
  PL_ASSERT_OK(again.status);
  EXPECT_TRUE(again.receipts[0].already_registered);
  EXPECT_EQ(again.receipts[0].ledger_index, first.receipts[0].ledger_index);
  // The dataset -> documents and content -> entries indexes were written.
  EXPECT_EQ(
      ValueOrDie(ledger_->ScanIndexPrefix("dd/" + ds + std::string(1, '\0'), std::nullopt, 10)),
      (std::vector<uint64_t>{first.receipts[0].ledger_index}));
  EXPECT_EQ(ValueOrDie(ledger_->ScanIndexPrefix("cid/" + Sha256("c"), std::nullopt, 10)).size(),
            1u);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

class RegistryFingerprintTest : public RegistryTest {
 protected:
  DocumentRegistration Assemble(const std::string& ds, const std::string& ref,
                                const std::string& content) {
    DocumentAssembler a(registry_.get());
    return *ValueOrDie(a.AddPart(ds, ref, content, false));
  }
  std::vector<uint64_t> Scan(const std::string& prefix) {
    return ValueOrDie(ledger_->ScanIndexPrefix(prefix, std::nullopt, 1000));
  }
};

TEST_F(RegistryFingerprintTest, TextDocumentsAreFingerprintedAndIndexed) {
  std::string ds = ValueOrDie(registry_->CreateDataset("fp", "", "")).dataset_id;
  // max_fingerprint_bytes defaults to 16 MiB; max_document_bytes is 100 here.
  DocumentRegistration a = Assemble(ds, "a", "One two three four five six seven.");
  DocumentRegistration b = Assemble(ds, "b", "ONE TWO three\nfour, five; six SEVEN");
  ASSERT_TRUE(a.text.has_value());
  EXPECT_EQ(a.media_type, "text/plain; charset=utf-8");
  EXPECT_EQ(a.text->normalized_hash, b.text->normalized_hash);
  RegisterOutcome out = registry_->Register({a, b});
  PL_ASSERT_OK(out.status);
  uint64_t ia = out.receipts[0].ledger_index, ib = out.receipts[1].ledger_index;

  // The entry records the fingerprints as server-computed, the winnowing
  // fingerprints (that the postings are built from) included.
  auto stored = ValueOrDie(ledger_->GetEntries(ia, 1));
  DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(stored[0].data))));
  ASSERT_TRUE(e.text.has_value());
  EXPECT_EQ(e.text->origin, FingerprintOrigin::kServer);
  EXPECT_EQ(e.text->minhash.size(), static_cast<size_t>(fingerprint::kMinHashSize));
  EXPECT_EQ(e.text->token_count, 7u);
  EXPECT_EQ(e.text->winnow_version, fingerprint::kWinnowVersion);
  ASSERT_FALSE(a.text->winnows.empty());
  ASSERT_EQ(e.text->winnows.size(), a.text->winnows.size());
  for (size_t i = 0; i < a.text->winnows.size(); ++i) {
    EXPECT_EQ(e.text->winnows[i].hash, a.text->winnows[i].hash);
    EXPECT_EQ(e.text->winnows[i].token_index, a.text->winnows[i].token_index);
  }

  // Normalised hash -> both, in the registration's batch.
  EXPECT_EQ(Scan("nh/" + a.text->normalized_hash), (std::vector<uint64_t>{ia, ib}));
}

// A pipeline's fingerprints (computed by the same library) register like
// the server's, recorded as client-computed; malformed ones are refused
// with the field named and nothing written.
TEST_F(RegistryFingerprintTest, ClientFingerprintsAreCheckedAndRecorded) {
  std::string ds = ValueOrDie(registry_->CreateDataset("client", "", "")).dataset_id;
  // 48 one-character tokens: 44 shingles, at least two winnowing windows,
  // within this fixture's 100-byte document limit.
  std::string text;
  for (int i = 0; i < 48; ++i) {
    text += "abcdefghijklmnopqrstuvwxyz0123456789"[(i * 7) % 36];
    text += ' ';
  }
  DocumentRegistration server = Assemble(ds, "s", text);
  const FingerprintVersions ok_versions{fingerprint::kNormalizationVersion,
                                        fingerprint::kMinHashVersion, fingerprint::kWinnowVersion};
  auto client_doc = [&] {
    DocumentRegistration d = server;
    d.client_ref = "c";
    d.text->lsh_bands.clear();  // derived by the server
    return d;
  };

  struct BadCase {
    std::function<void(DocumentRegistration*, FingerprintVersions*)> mutate;
    std::string field;
  };
  std::vector<BadCase> bad = {
      {[](DocumentRegistration* d, FingerprintVersions*) { d->content_id = "short"; },
       "content_id"},
      {[](DocumentRegistration* d, FingerprintVersions*) { d->media_type = "text"; }, "media_type"},
      {[](DocumentRegistration*, FingerprintVersions* v) { v->minhash = 1; }, "minhash_version"},
      {[](DocumentRegistration*, FingerprintVersions* v) { v->normalization = 9; },
       "normalization_version"},
      {[](DocumentRegistration* d, FingerprintVersions*) { d->text->normalized_hash = "x"; },
       "normalized_hash"},
      {[](DocumentRegistration* d, FingerprintVersions*) {
         d->text->winnows[1].token_index = d->text->winnows[0].token_index;
       },
       "winnow_token_indices[1]"},
      {[](DocumentRegistration* d, FingerprintVersions*) { d->text->winnows.resize(1); },
       "without a fingerprint"},
      {[](DocumentRegistration* d, FingerprintVersions*) { d->text->minhash.fill(UINT32_MAX); },
       "without tokens"},
      {[](DocumentRegistration* d, FingerprintVersions*) { d->dataset_id = "ds_none"; }, "ds_none"},
  };
  for (const BadCase& c : bad) {
    DocumentRegistration d = client_doc();
    FingerprintVersions v = ok_versions;
    c.mutate(&d, &v);
    absl::Status s = registry_->CheckClientFingerprints(v, &d);
    EXPECT_FALSE(s.ok()) << c.field;
    EXPECT_NE(s.message().find(c.field), std::string::npos) << s.message();
  }
  EXPECT_EQ(ledger_->Latest()->size, 1u);  // only the dataset entry

  DocumentRegistration d = client_doc();
  PL_ASSERT_OK(registry_->CheckClientFingerprints(ok_versions, &d));
  EXPECT_EQ(d.origin, FingerprintOrigin::kClient);
  EXPECT_EQ(d.text->lsh_bands, server.text->lsh_bands);
  RegisterOutcome out = registry_->Register({d});
  PL_ASSERT_OK(out.status);
  uint64_t index = out.receipts[0].ledger_index;
  auto stored = ValueOrDie(ledger_->GetEntries(index, 1));
  DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(stored[0].data))));
  ASSERT_TRUE(e.text.has_value());
  EXPECT_EQ(e.text->origin, FingerprintOrigin::kClient);
  EXPECT_EQ(e.content_id, server.content_id);
  // Recorded like a server-fingerprinted document.
  EXPECT_EQ(e.text->winnows.size(), d.text->winnows.size());
  EXPECT_EQ(e.text->minhash,
            std::vector<uint32_t>(server.text->minhash.begin(), server.text->minhash.end()));
  // The same content sent by the server path later is a duplicate.
  RegisterOutcome again = registry_->Register({server});
  PL_ASSERT_OK(again.status);
  EXPECT_TRUE(again.receipts[0].already_registered);
}

TEST_F(RegistryFingerprintTest, BinaryAndOversizedDocumentsGetNoTextFingerprints) {
  std::string ds = ValueOrDie(registry_->CreateDataset("bin", "", "")).dataset_id;
  DocumentRegistration png = Assemble(ds, "p", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  EXPECT_EQ(png.media_type, "image/png");
  EXPECT_FALSE(png.text.has_value());

  // Over the limit but with a head (64 bytes) under it: the head is typed,
  // never fingerprinted as text.
  RegistryOptions small;
  small.max_fingerprint_bytes = 70;
  Registry reg(ledger_.get(), &clock_, small);
  DocumentAssembler a(&reg);
  const std::string part1 = "plain text that is ";
  const std::string part2 = "longer than seventy bytes, as it takes a sentence of some length.";
  ASSERT_TRUE(a.AddPart(ds, "big", part1, true).ok());
  auto done = ValueOrDie(a.AddPart("", "", part2, false));
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(done->text.has_value());
  EXPECT_EQ(done->media_type, "application/octet-stream");
  EXPECT_EQ(done->content_id, Sha256(part1 + part2));

  // The same in one part, and an oversized PNG typed from its head.
  done = ValueOrDie(a.AddPart(ds, "big1", part1 + part2, false));
  ASSERT_TRUE(done.has_value());
  EXPECT_FALSE(done->text.has_value());
  EXPECT_EQ(done->media_type, "application/octet-stream");
  EXPECT_EQ(done->content_id, Sha256(part1 + part2));
  const std::string big_png = std::string("\x89PNG\r\n\x1a\n\0\0", 10) + std::string(80, 'x');
  done = ValueOrDie(a.AddPart(ds, "png1", big_png, false));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->media_type, "image/png");
  EXPECT_EQ(done->content_id, Sha256(big_png));
}

// A document in one part (fingerprinted where it lies) and in several
// (buffered) get the same content id, media type and fingerprints.
TEST_F(RegistryFingerprintTest, OnePartAndManyPartsFingerprintAlike) {
  std::string ds = ValueOrDie(registry_->CreateDataset("parts", "", "")).dataset_id;
  const std::string text = "Het Nederlandse woord gezelligheid, tien; twaalf! Dertien.";
  DocumentRegistration one = Assemble(ds, "one", text);
  DocumentAssembler a(registry_.get());
  ASSERT_FALSE(ValueOrDie(a.AddPart(ds, "many", text.substr(0, 7), true)).has_value());
  ASSERT_FALSE(ValueOrDie(a.AddPart("", "", text.substr(7, 20), true)).has_value());
  auto many = ValueOrDie(a.AddPart("", "", text.substr(27), false));
  ASSERT_TRUE(many.has_value());
  EXPECT_EQ(many->content_id, one.content_id);
  EXPECT_EQ(many->content_id, Sha256(text));
  EXPECT_EQ(many->media_type, one.media_type);
  ASSERT_TRUE(one.text.has_value());
  ASSERT_TRUE(many->text.has_value());
  EXPECT_EQ(many->text->normalized_hash, one.text->normalized_hash);
  EXPECT_EQ(many->text->minhash, one.text->minhash);
  EXPECT_EQ(many->text->token_count, one.text->token_count);
  EXPECT_EQ(many->text->token_count, 7u);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

class RegistryPolicyTest : public RegistryTest {
 protected:
  DocumentRegistration Doc(const std::string& ds, const std::string& ref, char fill,
                           policy::SourceRecord source) {
    DocumentRegistration d;
    d.dataset_id = ds;
    d.client_ref = ref;
    d.content_id = std::string(32, fill);
    d.size_bytes = 10;
    d.media_type = "text/plain; charset=utf-8";
    d.source = std::move(source);
    return d;
  }
  VerdictRecord Stored(uint64_t index) {
    auto stored = ValueOrDie(ledger_->GetEntries(index, 1));
    DocumentEntry e = ValueOrDie(AsDocumentEntry(ValueOrDie(DecodeEntry(stored[0].data))));
    EXPECT_TRUE(e.verdict.has_value());
    return e.verdict.value_or(VerdictRecord{});
  }
};

TEST_F(RegistryPolicyTest, DatasetsCarryOwnerIntendedUseAndDefaultSource) {
  DatasetSpec spec{"crawl", "2026-11", "news", "data@example.com", "research", {}};
  spec.default_source.category = policy::SourceCategory::kSelfCollected;
  spec.default_source.crawler_agent = "provbot/1.0";
  DatasetInfo ds = ValueOrDie(registry_->CreateDataset(spec));
  DatasetEntry e = ValueOrDie(registry_->GetDataset(ds.dataset_id)).entry;
  EXPECT_EQ(e.owner, "data@example.com");
  EXPECT_EQ(e.intended_use, "research");
  EXPECT_FALSE(e.default_source.empty());
  // Same values: idempotent. Another intended use: ALREADY_EXISTS.
  EXPECT_TRUE(ValueOrDie(registry_->CreateDataset(spec)).already_existed);
  spec.intended_use = "commercial";
  EXPECT_EQ(registry_->CreateDataset(spec).status().code(), absl::StatusCode::kAlreadyExists);
  // Unknown use, malformed default source: the field is named.
  spec.name = "other";
  spec.intended_use = "weapons";
  auto bad = registry_->CreateDataset(spec);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("intended_use 'weapons'"), std::string::npos);
  spec.intended_use = "";
  spec.default_source.license = "MIT AND";
  bad = registry_->CreateDataset(spec);
  EXPECT_NE(bad.status().message().find("default_source.license"), std::string::npos);
  // Commercial is the default use.
  spec.default_source.license = "MIT";
  EXPECT_EQ(ValueOrDie(registry_->CreateDataset(spec)).entry.intended_use, "commercial");
}

TEST_F(RegistryPolicyTest, EveryDocumentGetsAVerdictRecordedInItsEntry) {
  DatasetSpec spec{"open", "1", "", "", "commercial", {}};
  spec.default_source.category = policy::SourceCategory::kOpenSourceDataset;
  spec.default_source.dataset_name = "wikitext";
  spec.default_source.dataset_url = "https://example.org/wikitext";
  spec.default_source.license = "CC-BY-4.0";
  spec.default_source.personal_info = policy::PersonalInfo::kNone;
  std::string ds = ValueOrDie(registry_->CreateDataset(spec)).dataset_id;

  policy::SourceRecord nc;  // overrides only the license
  nc.license = "CC-BY-NC-4.0";
  policy::SourceRecord blocked;
  blocked.signals.robots_txt = policy::Signal::kForbidden;
  RegisterOutcome out = registry_->Register(
      {Doc(ds, "ok", 'a', {}), Doc(ds, "nc", 'b', nc), Doc(ds, "robots", 'c', blocked)});
  PL_ASSERT_OK(out.status);
  ASSERT_EQ(out.receipts.size(), 3u);
  EXPECT_EQ(out.receipts[0].verdict.verdict, 1);
  EXPECT_EQ(out.receipts[0].verdict.license, "CC-BY-4.0");
  EXPECT_EQ(out.receipts[1].verdict.verdict, 3);
  EXPECT_EQ(out.receipts[1].verdict.reasons[0].code, "LICENSE_CLASS");
  EXPECT_EQ(out.receipts[2].verdict.verdict, 3);
  EXPECT_EQ(out.receipts[2].verdict.reasons[0].code, "OPT_OUT_ROBOTS_TXT");

  // The entries hold the same verdicts, the merged source and the policy hash.
  VerdictRecord v = Stored(out.receipts[1].ledger_index);
  EXPECT_EQ(v.verdict, 3);
  EXPECT_EQ(v.license, "CC-BY-NC-4.0");
  EXPECT_EQ(v.policy_sha256, policy::Policy::Default().sha256());
  EXPECT_EQ(v.intended_use, "commercial");
  policy::SourceRecord merged = ValueOrDie(policy::DecodeSourceRecord(v.source));
  EXPECT_EQ(merged.dataset_name, "wikitext");  // from the dataset default
  EXPECT_EQ(merged.license, "CC-BY-NC-4.0");   // the document's own

  // Re-registering the same content returns the verdict recorded then.
  RegisterOutcome again = registry_->Register({Doc(ds, "nc-again", 'b', {})});
  PL_ASSERT_OK(again.status);
  EXPECT_TRUE(again.receipts[0].already_registered);
  EXPECT_EQ(again.receipts[0].verdict.verdict, 3);
  EXPECT_EQ(again.receipts[0].verdict.license, "CC-BY-NC-4.0");
}

TEST_F(RegistryPolicyTest, APolicyFileChangesTheVerdictAndItsHash) {
  std::string json(policy::Policy::DefaultPolicyJson());
  size_t at = json.find("\"non_commercial\": \"reject\"");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 26, "\"non_commercial\": \"flag\"");
  policy::Policy lenient = ValueOrDie(policy::Policy::Parse(json));
  RegistryOptions o = registry_->options();
  o.policy = &lenient;
  registry_ = std::make_unique<Registry>(ledger_.get(), &clock_, o);
  DatasetSpec spec{"p", "1", "", "", "", {}};
  spec.default_source.category = policy::SourceCategory::kOther;
  spec.default_source.license = "CC-BY-NC-4.0";
  spec.default_source.personal_info = policy::PersonalInfo::kNone;
  std::string ds = ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  RegisterOutcome out = registry_->Register({Doc(ds, "x", 'x', {})});
  PL_ASSERT_OK(out.status);
  EXPECT_EQ(out.receipts[0].verdict.verdict, 2);
  EXPECT_EQ(Stored(out.receipts[0].ledger_index).policy_sha256, lenient.sha256());
  EXPECT_NE(lenient.sha256(), policy::Policy::Default().sha256());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

class RegistryLineageTest : public RegistryPolicyTest {
 protected:
  std::string Dataset(const std::string& name, const std::string& license,
                      const std::string& use = "commercial") {
    DatasetSpec spec{name, "1", "", "", use, {}};
    spec.default_source.category = policy::SourceCategory::kOther;
    spec.default_source.license = license;
    spec.default_source.personal_info = policy::PersonalInfo::kNone;
    return ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  }
};

TEST_F(RegistryLineageTest, SealCommitsToTheDocumentsAndClosesTheVersion) {
  std::string ds = Dataset("corpus", "MIT");
  policy::SourceRecord nc;
  nc.license = "CC-BY-NC-4.0";
  RegisterOutcome out =
      registry_->Register({Doc(ds, "a", 'a', {}), Doc(ds, "b", 'b', {}), Doc(ds, "c", 'c', nc)});
  PL_ASSERT_OK(out.status);
  SealInfo seal = ValueOrDie(registry_->SealDataset(ds));
  EXPECT_FALSE(seal.already_sealed);
  EXPECT_EQ(seal.manifest.document_count, 3u);
  EXPECT_EQ(seal.manifest.total_bytes, 30u);
  EXPECT_EQ(seal.manifest.verdicts, (std::array<uint64_t, 3>{2, 0, 1}));
  // Training data (not rejected) by class: two permissive.
  EXPECT_EQ(seal.manifest.license_classes[static_cast<int>(spdx::LicenseClass::kPermissive)], 2u);
  EXPECT_EQ(seal.manifest.license_classes[static_cast<int>(spdx::LicenseClass::kNonCommercial)],
            0u);
  // The manifest root is the RFC 6962 root over the three entries' leaves.
  merkle::CompactTree tree;
  for (const auto& r : out.receipts)
    tree.Append(r.leaf_hash, [](merkle::NodeId, const std::string&) {});
  EXPECT_EQ(seal.manifest.manifest_root, tree.Root());

  // Sealed: registering fails, sealing again returns the same manifest.
  auto closed = registry_->CheckDatasetExists(ds);
  EXPECT_EQ(closed.code(), absl::StatusCode::kFailedPrecondition);
  RegisterOutcome late = registry_->Register({Doc(ds, "late", 'd', {})});
  EXPECT_EQ(late.status.code(), absl::StatusCode::kFailedPrecondition);
  SealInfo again = ValueOrDie(registry_->SealDataset(ds));
  EXPECT_TRUE(again.already_sealed);
  EXPECT_EQ(again.ledger_index, seal.ledger_index);
  // A fresh registry over the same ledger knows it is sealed.
  Registry fresh(ledger_.get(), &clock_, registry_->options());
  EXPECT_EQ(fresh.CheckDatasetExists(ds).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry_->SealDataset("ds_missing").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryLineageTest, DerivationsNeedSealedParentsRefuseCyclesAndCheckLicenses) {
  std::string a = Dataset("a", "CC-BY-SA-4.0", "research");
  std::string b = Dataset("b", "MIT");
  PL_ASSERT_OK(registry_->Register({Doc(a, "a1", 'a', {})}).status);
  PL_ASSERT_OK(registry_->Register({Doc(b, "b1", 'b', {})}).status);
  std::string child = Dataset("child", "MIT");  // more permissive than parent a's data

  auto unsealed = registry_->DeriveDataset({child, {a}, "filter", ""});
  EXPECT_EQ(unsealed.status().code(), absl::StatusCode::kFailedPrecondition);
  ValueOrDie(registry_->SealDataset(a));
  ValueOrDie(registry_->SealDataset(b));
  EXPECT_EQ(registry_->DeriveDataset({child, {a}, "blend", ""}).status().code(),
            absl::StatusCode::kInvalidArgument);

  LineageInfo<DerivationEntry> d =
      ValueOrDie(registry_->DeriveDataset({child, {a, b}, "mix", "70/30"}));
  ASSERT_TRUE(d.entry.verdict.has_value());
  EXPECT_EQ(d.entry.verdict->verdict, 2);
  ASSERT_EQ(d.entry.verdict->reasons.size(), 1u);
  EXPECT_EQ(d.entry.verdict->reasons[0].code, "LICENSE_INHERITANCE");
  EXPECT_NE(d.entry.verdict->reasons[0].message.find(a), std::string::npos);
  EXPECT_EQ(d.entry.parents[0].manifest_root,
            ValueOrDie(registry_->GetSeal(a)).manifest.manifest_root);
  // Idempotent.
  EXPECT_TRUE(
      ValueOrDie(registry_->DeriveDataset({child, {a, b}, "mix", "70/30"})).already_existed);

  // a <- child; declaring child as a parent of a would close a cycle.
  ValueOrDie(registry_->SealDataset(child));
  auto cycle = registry_->DeriveDataset({a, {child}, "filter", ""});
  EXPECT_EQ(cycle.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(cycle.status().message().find("cycle"), std::string::npos);
}

TEST_F(RegistryLineageTest, TrainingRunsReferenceManifestsAndGetARunLevelVerdict) {
  std::string research = Dataset("research-set", "CC-BY-NC-4.0", "research");
  PL_ASSERT_OK(registry_->Register({Doc(research, "r1", 'r', {})}).status);
  std::string clean = Dataset("clean-set", "MIT");
  PL_ASSERT_OK(registry_->Register({Doc(clean, "c1", 'c', {})}).status);
  TrainingRunSpec spec{"acme-lm", "1.0", {clean}, 100, 200, true, true, false, ""};
  EXPECT_EQ(registry_->RegisterTrainingRun(spec).status().code(),
            absl::StatusCode::kFailedPrecondition);  // not sealed
  ValueOrDie(registry_->SealDataset(clean));
  ValueOrDie(registry_->SealDataset(research));

  auto ok = ValueOrDie(registry_->RegisterTrainingRun(spec));
  EXPECT_EQ(ok.entry.verdict->verdict, 1);
  EXPECT_EQ(ok.entry.deployment, 0b011);
  EXPECT_TRUE(ValueOrDie(registry_->RegisterTrainingRun(spec)).already_existed);

  spec.dataset_ids = {clean, research};
  auto flagged = ValueOrDie(registry_->RegisterTrainingRun(spec));
  EXPECT_FALSE(flagged.already_existed);
  EXPECT_EQ(flagged.entry.verdict->verdict, 2);
  std::vector<std::string> codes;
  for (const auto& r : flagged.entry.verdict->reasons) codes.push_back(r.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"DATASET_INTENDED_USE", "LICENSE_CLASS_IN_RUN"}));

  spec.commercial = false;  // a research model may use it
  EXPECT_EQ(ValueOrDie(registry_->RegisterTrainingRun(spec)).entry.verdict->verdict, 1);
  spec.training_end_us = 50;
  EXPECT_EQ(registry_->RegisterTrainingRun(spec).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

class RegistryOptOutTest : public RegistryPolicyTest {
 protected:
  DocumentRegistration TextDoc(const std::string& ds, const std::string& ref,
                               const std::string& text, const std::string& url = "") {
    DocumentAssembler a(registry_.get());
    DocumentRegistration d = *ValueOrDie(a.AddPart(ds, ref, text, false));
    d.source.url = url;
    return d;
  }
  // A registry for 4 KB documents and a dataset whose default source passes
  // the policy, so only opt-outs decide the verdicts.
  std::string CrawlDataset() {
    RegistryOptions o = registry_->options();
    o.max_document_bytes = 4096;
    o.max_client_ref_bytes = 64;
    registry_ = std::make_unique<Registry>(ledger_.get(), &clock_, o);
    DatasetSpec spec{"crawl", "1", "", "", "", {}};
    spec.default_source.category = policy::SourceCategory::kOther;
    spec.default_source.license = "CC-BY-4.0";
    spec.default_source.personal_info = policy::PersonalInfo::kNone;
    return ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  }
  std::vector<std::string> Codes(const VerdictRecord& v) {
    std::vector<std::string> out;
    for (const auto& r : v.reasons) out.push_back(r.code);
    return out;
  }
};

TEST_F(RegistryOptOutTest, DeclaredWorksAndSitesAreRejectedIncludingReformattedCopies) {
  std::string ds = CrawlDataset();

  const std::string work =
      "It was the best of times, it was the worst of times, it was the age of wisdom, it was "
      "the age of foolishness, it was the epoch of belief, it was the epoch of incredulity.";
  auto declared = ValueOrDie(registry_->DeclareOptOut({"Example Press", "ref-17", work, "", ""}));
  EXPECT_EQ(declared.entry.kind, OptOutKind::kWork);
  EXPECT_TRUE(declared.entry.text.has_value());
  ValueOrDie(registry_->DeclareOptOut({"Example Press", "", std::nullopt, "", "blocked.example"}));
  ValueOrDie(registry_->DeclareOptOut(
      {"Author", "", std::nullopt, "https://books.example/*/chapter*", ""}));
  EXPECT_TRUE(ValueOrDie(registry_->DeclareOptOut({"Example Press", "ref-17", work, "", ""}))
                  .already_existed);
  EXPECT_EQ(registry_->opt_out_count(), 3u);

  // Bad declarations name the field.
  auto bad = registry_->DeclareOptOut({"", "", work, "", ""});
  EXPECT_NE(bad.status().message().find("declarant"), std::string::npos);
  bad = registry_->DeclareOptOut({"X", "", work, "", "also.example"});
  EXPECT_NE(bad.status().message().find("exactly one"), std::string::npos);
  bad = registry_->DeclareOptOut({"X", "", std::nullopt, "not a url", ""});
  EXPECT_NE(bad.status().message().find("url_pattern"), std::string::npos);

  std::string reformatted =
      "IT WAS THE BEST OF TIMES,\nit was the worst of times -- it was the "
      "age of wisdom; it was the age of foolishness, it was the epoch of "
      "belief, it was the epoch of incredulity!";
  std::string edited =
      "It was the best of times, it was the worst of times, it was the age of "
      "wisdom, it was the age of silliness, it was the epoch of belief, it was "
      "the epoch of incredulity.";
  RegisterOutcome out = registry_->Register(
      {TextDoc(ds, "exact", work), TextDoc(ds, "reformatted", reformatted),
       TextDoc(ds, "edited", edited),
       TextDoc(ds, "site", "other text", "https://www.blocked.example/x"),
       TextDoc(ds, "chapter", "more text", "https://books.example/dickens/chapter1"),
       TextDoc(ds, "unrelated", "A completely different document about ledgers.",
               "https://ok.example/")});
  PL_ASSERT_OK(out.status);
  ASSERT_EQ(out.receipts.size(), 6u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(out.receipts[i].verdict.verdict, 3) << out.receipts[i].doc.client_ref;
    EXPECT_EQ(Codes(out.receipts[i].verdict), (std::vector<std::string>{"OPT_OUT_REGISTRY"}))
        << out.receipts[i].doc.client_ref;
  }
  EXPECT_NE(out.receipts[0].verdict.reasons[0].message.find("content_id"), std::string::npos);
  EXPECT_NE(out.receipts[1].verdict.reasons[0].message.find("normalized_hash"), std::string::npos);
  EXPECT_NE(out.receipts[2].verdict.reasons[0].message.find("near_duplicate"), std::string::npos);
  EXPECT_NE(out.receipts[3].verdict.reasons[0].message.find("domain"), std::string::npos);
  EXPECT_NE(out.receipts[4].verdict.reasons[0].message.find("url_pattern"), std::string::npos);
  EXPECT_EQ(out.receipts[5].verdict.verdict, 1);

  // A new registry over the same ledger loads the declarations again.
  Registry fresh(ledger_.get(), &clock_, registry_->options());
  EXPECT_EQ(fresh.opt_out_count(), 3u);
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

class RegistryAssessmentTest : public RegistryPolicyTest {};

TEST_F(RegistryAssessmentTest, BlacklistingASourceRejectsNewAndFlagsEarlierDocuments) {
  DatasetSpec spec{"crawl", "1", "", "", "", {}};
  spec.default_source.category = policy::SourceCategory::kOther;
  spec.default_source.license = "MIT";
  spec.default_source.personal_info = policy::PersonalInfo::kNone;
  std::string ds = ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  auto from = [](const std::string& url) {
    policy::SourceRecord s;
    s.url = url;
    return s;
  };
  RegisterOutcome before =
      registry_->Register({Doc(ds, "a", 'a', from("https://news.bad.example/1")),
                           Doc(ds, "b", 'b', from("https://bad.example/2")),
                           Doc(ds, "c", 'c', from("https://good.example/3"))});
  PL_ASSERT_OK(before.status);

  // 3 of 100 failed: under 5%, nothing changes.
  ReevaluationSummary summary;
  auto ok = ValueOrDie(registry_->RecordSourceAssessment(
      {SourceKind::kDomain, "Bad.Example", 100, 3, "qa-team", "before_collection", ""}, &summary));
  EXPECT_FALSE(ok.entry.blacklisted);
  EXPECT_EQ(summary.reevaluated, 0u);
  // 9 of 100: blacklisted; the two earlier documents from it are flagged.
  auto bad = ValueOrDie(registry_->RecordSourceAssessment(
      {SourceKind::kDomain, "bad.example", 100, 9, "qa-team", "after_collection", ""}, &summary));
  EXPECT_TRUE(bad.entry.blacklisted);
  EXPECT_EQ(summary.reevaluated, 2u);
  VerdictRecord a = ValueOrDie(registry_->CurrentVerdict(before.receipts[0].ledger_index));
  EXPECT_EQ(a.verdict, 2);
  EXPECT_EQ(a.reasons[0].code, "SOURCE_BLACKLISTED");
  EXPECT_EQ(ValueOrDie(registry_->CurrentVerdict(before.receipts[2].ledger_index)).verdict, 1);
  // The original entry is unchanged.
  EXPECT_EQ(Stored(before.receipts[0].ledger_index).verdict, 1);

  // From now on documents from it are rejected.
  RegisterOutcome after =
      registry_->Register({Doc(ds, "d", 'd', from("https://www.bad.example/4"))});
  PL_ASSERT_OK(after.status);
  EXPECT_EQ(after.receipts[0].verdict.verdict, 3);
  EXPECT_EQ(after.receipts[0].verdict.reasons[0].code, "SOURCE_BLACKLISTED");
  // A fresh registry over the ledger knows the blacklist.
  Registry fresh(ledger_.get(), &clock_, registry_->options());
  RegisterOutcome later = fresh.Register({Doc(ds, "e", 'e', from("https://bad.example/5"))});
  EXPECT_EQ(later.receipts[0].verdict.verdict, 3);

  EXPECT_FALSE(
      registry_
          ->RecordSourceAssessment({SourceKind::kDomain, "x.example", 0, 0, "q", "", ""}, &summary)
          .ok());
  EXPECT_FALSE(
      registry_
          ->RecordSourceAssessment({SourceKind::kDomain, "x.example", 5, 6, "q", "", ""}, &summary)
          .ok());
}

TEST_F(RegistryAssessmentTest, ReevaluationUnderANewPolicyAppendsEntriesAndKeepsTheOld) {
  DatasetSpec spec{"nc", "1", "", "", "", {}};
  spec.default_source.category = policy::SourceCategory::kOther;
  spec.default_source.license = "CC-BY-NC-4.0";
  spec.default_source.personal_info = policy::PersonalInfo::kNone;
  std::string ds = ValueOrDie(registry_->CreateDataset(spec)).dataset_id;
  RegisterOutcome out = registry_->Register({Doc(ds, "a", 'a', {}), Doc(ds, "b", 'b', {})});
  PL_ASSERT_OK(out.status);
  EXPECT_EQ(out.receipts[0].verdict.verdict, 3);

  // Same policy: nothing to record.
  ReevaluationSummary same = ValueOrDie(registry_->ReevaluateDataset(ds));
  EXPECT_EQ(same.examined, 2u);
  EXPECT_EQ(same.reevaluated, 0u);

  std::string json(policy::Policy::DefaultPolicyJson());
  size_t at = json.find("\"non_commercial\": \"reject\"");
  json.replace(at, 26, "\"non_commercial\": \"flag\"");
  policy::Policy lenient = ValueOrDie(policy::Policy::Parse(json));
  RegistryOptions o = registry_->options();
  o.policy = &lenient;
  registry_ = std::make_unique<Registry>(ledger_.get(), &clock_, o);
  ReevaluationSummary changed = ValueOrDie(registry_->ReevaluateDataset(ds));
  EXPECT_EQ(changed.reevaluated, 2u);
  EXPECT_EQ(changed.verdicts, (std::array<uint64_t, 3>{0, 2, 0}));
  VerdictRecord now = ValueOrDie(registry_->CurrentVerdict(out.receipts[0].ledger_index));
  EXPECT_EQ(now.verdict, 2);
  EXPECT_EQ(now.policy_sha256, lenient.sha256());
  EXPECT_EQ(Stored(out.receipts[0].ledger_index).verdict, 3);               // history kept
  EXPECT_EQ(ValueOrDie(registry_->ReevaluateDataset(ds)).reevaluated, 0u);  // idempotent
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// Declarations that would cover every site, or a whole public suffix, are
// refused: they would veto every later registration from it.
TEST_F(RegistryOptOutTest, WildcardHostsAndPublicSuffixesAreRefused) {
  for (const char* pattern :
       {"http*://*", "https://*/*", "https://*com/*", "https://user@*.example.com/*",
        "https://*.com/*", "https://co.uk/*", "https://*.github.io/*"}) {
    auto bad = registry_->DeclareOptOut({"X", "", std::nullopt, pattern, ""});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << pattern;
    EXPECT_NE(bad.status().message().find("url_pattern"), std::string::npos) << pattern;
  }
  EXPECT_FALSE(registry_
                   ->DeclareOptOut(
                       {"X", "", std::nullopt, "https://x.example/" + std::string(1100, 'a'), ""})
                   .ok());
  for (const char* domain : {"com", "co.uk", "COM", "github.io", "com.cn"}) {
    auto bad = registry_->DeclareOptOut({"X", "", std::nullopt, "", domain});
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << domain;
    EXPECT_NE(bad.status().message().find("public suffix"), std::string::npos) << domain;
  }
  AssessmentSpec tld{SourceKind::kDomain, "com", 100, 90, "qa", "", ""};
  auto assessed = registry_->RecordSourceAssessment(tld, nullptr);
  EXPECT_EQ(assessed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(assessed.status().message().find("public suffix"), std::string::npos);
  const uint64_t size = ledger_->Latest()->size;
  // What a rights holder may declare is still accepted.
  PL_EXPECT_OK(
      registry_->DeclareOptOut({"X", "", std::nullopt, "https://*.example.com/books/*", ""})
          .status());
  PL_EXPECT_OK(registry_->DeclareOptOut({"X", "", std::nullopt, "", "example.co.uk"}).status());
  EXPECT_EQ(ledger_->Latest()->size, size + 2);
}

// Patterns are indexed by host: thousands of declarations cost a
// registration only the ones of its own host and parent domains.
TEST_F(RegistryOptOutTest, ThousandsOfPatternsDoNotSlowRegistration) {
  std::string ds = CrawlDataset();
  const std::string long_path(300, 'p');
  auto register_docs = [&](const std::string& tag) {
    std::vector<DocumentRegistration> docs;
    for (int i = 0; i < 2000; ++i) {
      docs.push_back(TextDoc(ds, tag + std::to_string(i), "text of " + tag + std::to_string(i),
                             "https://site" + std::to_string(i % 50) + ".example.net/" + long_path +
                                 "/" + std::to_string(i)));
    }
    auto start = std::chrono::steady_clock::now();
    RegisterOutcome out = registry_->Register(std::move(docs));
    PL_EXPECT_OK(out.status);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double without = register_docs("before");
  for (int i = 0; i < 3000; ++i) {
    // A wildcard right after the scheme: compared with a URL of another
    // host, the glob retries at every position of it (the old cost).
    std::string pattern =
        "https://*.victim" + std::to_string(i) + ".example.org/*" + long_path.substr(0, 100) + "*";
    PL_ASSERT_OK(registry_->DeclareOptOut({"D" + std::to_string(i), "", std::nullopt, pattern, ""})
                     .status());
  }
  // One pattern on a host the documents use: it still applies.
  PL_ASSERT_OK(
      registry_->DeclareOptOut({"Site 7", "", std::nullopt, "https://site7.example.net/*", ""})
          .status());
  const double with = register_docs("after");
  // Before the index every URL was compared with all 3,000 patterns (about
  // 0.01x here: the glob's wildcard retried at each of ~330 URL positions).
  std::printf("registration with 3,000 patterns: %.3f s vs %.3f s without (%.2fx)\n", with, without,
              without / with);
  EXPECT_GT(without / with, 0.5);
  std::vector<DocumentRegistration> one;
  one.push_back(TextDoc(ds, "check", "a page of site 7", "https://site7.example.net/page"));
  RegisterOutcome out = registry_->Register(std::move(one));
  PL_ASSERT_OK(out.status);
  EXPECT_EQ(out.receipts[0].verdict.verdict, 3);  // REJECTED
}

}  // namespace
}  // namespace provledger
