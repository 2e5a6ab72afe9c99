#include "provledger/entry.h"

#include <gtest/gtest.h>

#include "provledger/encoding.h"
#include "provledger/sha256.h"
#include "test_util.h"

namespace provledger {
namespace {

TEST(EntryTest, DocumentEncodingIsTheDocumentedBytes) {
  DocumentEntry d{"ds_1", std::string(32, '\x11'), 5, "ref"};
  std::string bytes = EncodeDocumentEntry(d, 0x0102030405060708);
  std::string expect;
  expect += '\x01';  // version
  expect += '\x02';  // document
  expect += std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8);
  expect += std::string("\x00\x01\x00\x00\x00\x04", 6) + "ds_1";
  expect += std::string("\x00\x02\x00\x00\x00\x20", 6) + std::string(32, '\x11');
  expect += std::string("\x00\x03\x00\x00\x00\x08", 6) + U64BE(5);
  expect += std::string("\x00\x04\x00\x00\x00\x03", 6) + "ref";
  EXPECT_EQ(ToHex(bytes), ToHex(expect));

  auto decoded = DecodeEntry(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->timestamp_us, 0x0102030405060708);
  auto back = AsDocumentEntry(*decoded);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->dataset_id, "ds_1");
  EXPECT_EQ(back->size_bytes, 5u);
  EXPECT_EQ(back->client_ref, "ref");
  EXPECT_FALSE(AsDatasetEntry(*decoded).ok());
}

TEST(EntryTest, OptionalFieldsAreOmittedAndZeroSizeKept) {
  DocumentEntry d{"ds", std::string(32, 'a'), 0, ""};
  auto back = AsDocumentEntry(*DecodeEntry(EncodeDocumentEntry(d, 1)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->size_bytes, 0u);
  EXPECT_EQ(back->client_ref, "");
}

TEST(EntryTest, DatasetRoundTrip) {
  DatasetEntry d{"ds_x", "web-crawl", "2026-11", "desc"};
  auto back = AsDatasetEntry(*DecodeEntry(EncodeDatasetEntry(d, 7)));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "web-crawl");
  EXPECT_EQ(back->version, "2026-11");
  EXPECT_EQ(back->description, "desc");
}

TEST(EntryTest, RejectsNonCanonical) {
  std::string good = EncodeDocumentEntry({"ds", std::string(32, 'a'), 1, "r"}, 1);
  EXPECT_FALSE(DecodeEntry(good.substr(0, 9)).ok());
  std::string bad_version = good;
  bad_version[0] = 2;
  EXPECT_FALSE(DecodeEntry(bad_version).ok());
  std::string bad_type = good;
  bad_type[1] = 10;  // one past the last type (9, review)
  EXPECT_FALSE(DecodeEntry(bad_type).ok());
  EXPECT_FALSE(DecodeEntry(good.substr(0, good.size() - 1)).ok());  // truncated
  // Out-of-order tags.
  std::string header = good.substr(0, 10);
  std::string f2 = std::string("\x00\x02\x00\x00\x00\x01", 6) + "x";
  std::string f1 = std::string("\x00\x01\x00\x00\x00\x01", 6) + "y";
  EXPECT_FALSE(DecodeEntry(header + f2 + f1).ok());
  EXPECT_FALSE(DecodeEntry(header + f1 + f1).ok());  // duplicate
  EXPECT_FALSE(DecodeEntry(header + std::string("\x00\x01\x00\x00\x00\x00", 6)).ok());
  // Unknown tags are kept, not dropped.
  auto unknown = DecodeEntry(good + std::string("\x01\x00\x00\x00\x00\x01", 6) + "z");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->fields.at(256), "z");
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

TEST(EntryTest, TextFingerprintsRoundTrip) {
  DocumentEntry d{"ds", std::string(32, 'a'), 10, "ref", "text/plain; charset=utf-8", {}};
  TextFingerprintRecord t;
  t.origin = FingerprintOrigin::kClient;
  t.normalization_version = 1;
  t.normalized_hash = std::string(16, '\x42');
  t.minhash_version = 1;
  for (uint32_t i = 0; i < 128; ++i) t.minhash.push_back(i * 2654435761u);
  t.token_count = 77;
  t.winnow_version = 1;
  t.winnows = {{0x0102030405060708ull, 0}, {7, 19}, {0x0102030405060708ull, 40}};
  d.text = t;
  std::string bytes = EncodeDocumentEntry(d, 5);
  auto back = AsDocumentEntry(*DecodeEntry(bytes));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->media_type, "text/plain; charset=utf-8");
  ASSERT_TRUE(back->text.has_value());
  EXPECT_EQ(back->text->origin, FingerprintOrigin::kClient);
  EXPECT_EQ(back->text->normalized_hash, t.normalized_hash);
  EXPECT_EQ(back->text->minhash, t.minhash);
  EXPECT_EQ(back->text->token_count, 77u);
  EXPECT_EQ(back->text->winnow_version, 1);
  ASSERT_EQ(back->text->winnows.size(), 3u);  // repeats kept, in order
  EXPECT_EQ(back->text->winnows[1].hash, 7u);
  EXPECT_EQ(back->text->winnows[2].token_index, 40u);
  // Tag 21: version, then hash u64 BE and token index u32 BE per fingerprint.
  EXPECT_NE(bytes.find(std::string("\x00\x15\x00\x00\x00\x25\x01\x01\x02\x03\x04\x05\x06\x07\x08"
                                   "\x00\x00\x00\x00",
                                   19)),
            std::string::npos);
  // Tag 19 holds the version byte and 128 big-endian u32 values.
  EXPECT_NE(bytes.find(std::string("\x00\x13\x00\x00\x02\x01\x01", 7)), std::string::npos);
  // Without fingerprints the fields are absent, not empty.
  DocumentEntry plain{"ds", std::string(32, 'a'), 10, "", "", {}};
  EXPECT_FALSE(AsDocumentEntry(*DecodeEntry(EncodeDocumentEntry(plain, 5)))->text.has_value());

  // The indexer's decoder reads the same record and nothing else.
  auto only = DecodeDocumentFingerprints(bytes);
  ASSERT_TRUE(only.ok()) << only.status();
  ASSERT_TRUE(only->has_value());
  EXPECT_EQ((*only)->origin, back->text->origin);
  EXPECT_EQ((*only)->normalized_hash, back->text->normalized_hash);
  EXPECT_EQ((*only)->minhash, back->text->minhash);
  EXPECT_EQ((*only)->token_count, back->text->token_count);
  ASSERT_EQ((*only)->winnows.size(), 3u);
  EXPECT_EQ((*only)->winnows[2].hash, back->text->winnows[2].hash);
  EXPECT_EQ((*only)->winnows[2].token_index, 40u);
  EXPECT_FALSE(DecodeDocumentFingerprints(EncodeDocumentEntry(plain, 5))->has_value());
  DatasetEntry ds{"ds_1", "name", "1", "", "", "", ""};
  EXPECT_FALSE(DecodeDocumentFingerprints(EncodeDatasetEntry(ds, 5))->has_value());
  EXPECT_EQ(DecodeDocumentFingerprints(bytes.substr(0, bytes.size() - 1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(EntryTest, MalformedFingerprintFieldsAreRejected) {
  DocumentEntry d{"ds", std::string(32, 'a'), 1, "", "", {}};
  TextFingerprintRecord t;
  t.normalization_version = 1;
  t.normalized_hash = "short";  // must be 16 bytes
  t.minhash_version = 1;
  t.minhash = {1, 2};
  d.text = t;
  EXPECT_FALSE(AsDocumentEntry(*DecodeEntry(EncodeDocumentEntry(d, 1))).ok());

  // Winnows whose length is not a version byte plus 12-byte records.
  t.normalized_hash = std::string(16, 'n');
  t.token_count = 3;
  t.winnow_version = 1;
  t.winnows = {{1, 0}};
  d.text = t;
  std::string bytes = EncodeDocumentEntry(d, 1);
  ASSERT_TRUE(AsDocumentEntry(*DecodeEntry(bytes)).ok());
  size_t tag = bytes.find(std::string("\x00\x15\x00\x00\x00\x0d", 6));
  ASSERT_NE(tag, std::string::npos);
  std::string cut = bytes.substr(0, tag) + std::string("\x00\x15\x00\x00\x00\x0c", 6) +
                    bytes.substr(tag + 6, 12) + bytes.substr(tag + 6 + 13);
  auto bad = AsDocumentEntry(*DecodeEntry(cut));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("winnows"), std::string::npos) << bad.status();
  auto bad_only = DecodeDocumentFingerprints(cut);
  EXPECT_EQ(bad_only.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_only.status().message().find("winnows"), std::string::npos) << bad_only.status();
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

TEST(EntryTest, DatasetPolicyFieldsAndDocumentVerdictRoundTrip) {
  DatasetEntry ds{"ds_x",
                  "crawl",
                  "2026-11",
                  "news crawl",
                  "data-team@example.com",
                  "commercial",
                  std::string("\x00\x01\x00\x00\x00\x01\x02", 7)};
  DatasetEntry ds_back = testing::ValueOrDie(
      AsDatasetEntry(testing::ValueOrDie(DecodeEntry(EncodeDatasetEntry(ds, 7)))));
  EXPECT_EQ(ds_back.owner, ds.owner);
  EXPECT_EQ(ds_back.intended_use, "commercial");
  EXPECT_EQ(ds_back.default_source, ds.default_source);

  DocumentEntry d;
  d.dataset_id = "ds_x";
  d.content_id = std::string(32, 'c');
  d.size_bytes = 10;
  VerdictRecord v;
  v.source = std::string("\x00\x01\x00\x00\x00\x01\x02", 7);
  v.license = "CC-BY-NC-4.0";
  v.license_class = 6;
  v.verdict = 3;
  v.reasons = {{3, "LICENSE_CLASS", "non_commercial for commercial use"},
               {2, "MISSING_EVIDENCE", "SELF_COLLECTED requires crawler_agent"}};
  v.policy_sha256 = std::string(32, 'p');
  v.intended_use = "commercial";
  d.verdict = v;
  std::string bytes = EncodeDocumentEntry(d, 9);
  DocumentEntry back =
      testing::ValueOrDie(AsDocumentEntry(testing::ValueOrDie(DecodeEntry(bytes))));
  ASSERT_TRUE(back.verdict.has_value());
  EXPECT_EQ(back.verdict->verdict, 3);
  EXPECT_EQ(back.verdict->license_class, 6);
  ASSERT_EQ(back.verdict->reasons.size(), 2u);
  EXPECT_EQ(back.verdict->reasons[1].code, "MISSING_EVIDENCE");
  EXPECT_EQ(back.verdict->reasons[1].message, "SELF_COLLECTED requires crawler_agent");
  EXPECT_EQ(back.verdict->source, v.source);
  EXPECT_EQ(EncodeDocumentEntry(back, 9), bytes);

  // An accepted verdict has no reasons; a missing policy hash is malformed.
  DocumentEntry bad = d;
  bad.verdict->verdict = 1;
  EXPECT_FALSE(AsDocumentEntry(testing::ValueOrDie(DecodeEntry(EncodeDocumentEntry(bad, 9)))).ok());
  bad = d;
  bad.verdict->policy_sha256.clear();
  EXPECT_FALSE(AsDocumentEntry(testing::ValueOrDie(DecodeEntry(EncodeDocumentEntry(bad, 9)))).ok());
  bad = d;
  bad.verdict->reasons[0].severity = 7;
  EXPECT_FALSE(AsDocumentEntry(testing::ValueOrDie(DecodeEntry(EncodeDocumentEntry(bad, 9)))).ok());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

using testing::ValueOrDie;

TEST(EntryTest, ManifestDerivationAndTrainingRunRoundTrip) {
  SealEntry s;
  s.dataset_id = "ds_a";
  s.ledger_size = 40;
  s.document_count = 3;
  s.total_bytes = 999;
  s.verdicts = {1, 1, 1};
  s.license_classes = {0, 0, 2, 0, 0, 0, 1, 0, 0};
  s.manifest_root = std::string(32, 'r');
  std::string sb = EncodeSealEntry(s, 5);
  SealEntry s2 = ValueOrDie(AsSealEntry(ValueOrDie(DecodeEntry(sb))));
  EXPECT_EQ(s2.license_classes, s.license_classes);
  EXPECT_EQ(s2.verdicts, s.verdicts);
  EXPECT_EQ(EncodeSealEntry(s2, 5), sb);
  s.manifest_root = "short";
  EXPECT_FALSE(AsSealEntry(ValueOrDie(DecodeEntry(EncodeSealEntry(s, 5)))).ok());

  DerivationEntry d{"ds_child",
                    {{"ds_a", std::string(32, 'a')}, {"ds_b", std::string(32, 'b')}},
                    "mix",
                    "70/30 mix",
                    VerdictRecord{}};
  d.verdict->verdict = 2;
  d.verdict->reasons = {{2, "LICENSE_INHERITANCE", "parent ds_b is non_commercial"}};
  d.verdict->policy_sha256 = std::string(32, 'p');
  std::string db = EncodeDerivationEntry(d, 6);
  DerivationEntry d2 = ValueOrDie(AsDerivationEntry(ValueOrDie(DecodeEntry(db))));
  ASSERT_EQ(d2.parents.size(), 2u);
  EXPECT_EQ(d2.parents[1].dataset_id, "ds_b");
  EXPECT_EQ(d2.verdict->reasons[0].code, "LICENSE_INHERITANCE");
  EXPECT_EQ(EncodeDerivationEntry(d2, 6), db);

  TrainingRunEntry r{"acme-lm",     "7b-2026-11", {{"ds_a", std::string(32, 'a')}}, 100, 200, 0b011,
                     "pretraining", std::nullopt};
  std::string rb = EncodeTrainingRunEntry(r, 7);
  TrainingRunEntry r2 = ValueOrDie(AsTrainingRunEntry(ValueOrDie(DecodeEntry(rb))));
  EXPECT_EQ(r2.deployment, 0b011);
  EXPECT_EQ(r2.training_end_us, 200);
  EXPECT_FALSE(r2.verdict.has_value());
  EXPECT_EQ(EncodeTrainingRunEntry(r2, 7), rb);
  // The wrong typed view is refused.
  EXPECT_FALSE(AsDocumentEntry(ValueOrDie(DecodeEntry(rb))).ok());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

TEST(ReviewEntryTest, RoundTripsAndRefusesMalformed) {
  ReviewEntry r{42, "auditor a", true, "checked the source", 100};
  std::string bytes = EncodeReviewEntry(r, 7);
  DecodedEntry e = *DecodeEntry(bytes);
  EXPECT_EQ(e.type, EntryType::kReviewRecorded);
  ReviewEntry back = *AsReviewEntry(e);
  EXPECT_EQ(back.document_index, 42u);
  EXPECT_EQ(back.reviewer, "auditor a");
  EXPECT_TRUE(back.passed);
  EXPECT_EQ(back.notes, "checked the source");
  EXPECT_EQ(back.sample_tree_size, 100u);
  ReviewEntry fail{1, "b", false, "", 0};
  ReviewEntry f = *AsReviewEntry(*DecodeEntry(EncodeReviewEntry(fail, 7)));
  EXPECT_FALSE(f.passed);
  EXPECT_EQ(f.sample_tree_size, 0u);
  // No reviewer: not a review an encoder would write for a valid request.
  ReviewEntry anonymous{1, "", true, "", 0};
  EXPECT_FALSE(AsReviewEntry(*DecodeEntry(EncodeReviewEntry(anonymous, 7))).ok());
  // Another type is not a review.
  DatasetEntry d{"ds_1", "n", "v", "", "", "", ""};
  EXPECT_FALSE(AsReviewEntry(*DecodeEntry(EncodeDatasetEntry(d, 7))).ok());
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// An entry holds at most kMaxStoredWinnows fingerprints, the first in text
// order, with the text's total in tag 22; so an entry stays ~1.6 MiB at most.
TEST(EntryTest, StoredWinnowsAreCappedWithTheTotalRecorded) {
  DocumentEntry d{"ds", std::string(32, 'a'), 1 << 24, "big", "text/plain; charset=utf-8", {}};
  TextFingerprintRecord t;
  t.origin = FingerprintOrigin::kServer;
  t.normalization_version = 1;
  t.normalized_hash = std::string(16, '\x42');
  t.minhash_version = 2;
  t.minhash.assign(128, 7);
  t.token_count = 8000000;
  t.winnow_version = 1;
  for (uint32_t i = 0; i < 500000; ++i) t.winnows.push_back({i * 31ull, i});
  CapStoredWinnows(&t);
  ASSERT_EQ(t.winnows.size(), kMaxStoredWinnows);
  EXPECT_EQ(t.winnows_total, 500000u);
  EXPECT_EQ(t.winnows.back().token_index, kMaxStoredWinnows - 1);
  d.text = t;
  std::string bytes = EncodeDocumentEntry(d, 5);
  EXPECT_LT(bytes.size(), 1700000u);
  auto back = AsDocumentEntry(*DecodeEntry(bytes));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->text->winnows.size(), kMaxStoredWinnows);
  EXPECT_EQ(back->text->winnows_total, 500000u);
  auto fingerprints = DecodeDocumentFingerprints(bytes);
  ASSERT_TRUE(fingerprints.ok());
  EXPECT_EQ((*fingerprints)->winnows_total, 500000u);
  // Tag 22 on a list that was not cut is malformed.
  d.text->winnows.resize(10);
  d.text->winnows_total = 500000;
  auto bad = AsDocumentEntry(*DecodeEntry(EncodeDocumentEntry(d, 5)));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  // Below the cap nothing changes and no tag 22 is written.
  TextFingerprintRecord small = t;
  small.winnows.resize(100);
  small.winnows_total = 0;
  CapStoredWinnows(&small);
  EXPECT_EQ(small.winnows_total, 0u);
  d.text = small;
  EXPECT_EQ(EncodeDocumentEntry(d, 5).find(std::string("\x00\x16\x00\x00\x00\x08", 6)),
            std::string::npos);
}

}  // namespace
}  // namespace provledger
