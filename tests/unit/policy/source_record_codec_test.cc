#include "provledger/source_record_codec.h"

#include <gtest/gtest.h>

#include "provledger/encoding.h"
#include "test_util.h"

namespace provledger::policy {
namespace {

using testing::ValueOrDie;

SourceRecord Full() {
  SourceRecord r;
  r.category = SourceCategory::kSelfCollected;
  r.license = "CC-BY-4.0";
  r.url = "https://news.example.org/a.html";
  r.collected_at_micros = 1764590400000000;  // 2025-12-01T12:00:00Z
  r.crawler_agent = "provbot/1.0";
  r.signals.robots_txt = Signal::kAllowed;
  r.signals.robots_txt_sha256 = std::string(32, '\xab');
  r.signals.x_robots_noai = true;
  r.signals.tdm_reservation = Signal::kForbidden;
  r.signals.c2pa_training_mining = "constrained";
  r.personal_info = PersonalInfo::kPersonal;
  r.consent_basis = "terms of service v2";
  return r;
}

TEST(SourceRecordCodecTest, CanonicalBytesRoundTripAndRejectAnythingElse) {
  SourceRecord r = Full();
  std::string bytes = EncodeSourceRecord(r);
  SourceRecord back = ValueOrDie(DecodeSourceRecord(bytes));
  EXPECT_EQ(EncodeSourceRecord(back), bytes);
  EXPECT_EQ(back.url, r.url);
  EXPECT_EQ(back.collected_at_micros, r.collected_at_micros);
  EXPECT_EQ(back.signals.tdm_reservation, Signal::kForbidden);
  EXPECT_TRUE(back.signals.x_robots_noai);
  EXPECT_EQ(EncodeSourceRecord(SourceRecord{}), "");
  // The first field is the category: tag 1, length 1, value 2.
  EXPECT_EQ(ToHex(bytes.substr(0, 7)), "00010000000102");

  std::string swapped = bytes.substr(7, 6 + 9) + bytes.substr(0, 7) + bytes.substr(7 + 15);
  EXPECT_FALSE(DecodeSourceRecord(swapped).ok());              // out of order
  EXPECT_FALSE(DecodeSourceRecord(bytes.substr(0, 10)).ok());  // truncated
  std::string bad_enum = bytes;
  bad_enum[6] = 9;  // no such category
  EXPECT_FALSE(DecodeSourceRecord(bad_enum).ok());
  std::string unknown = bytes;
  AppendU16BE(&unknown, 999);
  AppendU32BE(&unknown, 1);
  unknown += "x";
  EXPECT_FALSE(DecodeSourceRecord(unknown).ok());
}

TEST(SourceRecordCodecTest, JsonRoundTripAndErrorsNameTheKey) {
  SourceRecord r = Full();
  std::string json = SourceRecordToJson(r);
  EXPECT_NE(json.find("\"collected_at\":\"2025-12-01T12:00:00+00:00\""), std::string::npos) << json;
  SourceRecord back = ValueOrDie(SourceRecordFromJson(json));
  EXPECT_EQ(EncodeSourceRecord(back), EncodeSourceRecord(r));

  struct Case {
    std::string json, needle;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"category": "WEB"})", "source.category must be one of"},
           {R"({"colour": "red"})", "source.colour is not a source record field"},
           {R"({"signals": {"robots_txt_sha256": "abc"}})", "source.signals.robots_txt_sha256"},
           {R"({"collected_at": "yesterday"})", "source.collected_at must be an RFC 3339"},
           {R"({"signals": {"noai": "yes"}})", "source.signals.noai must be true or false"},
           {R"({"url": 7})", "source.url must be a string"},
           {R"([1, 2])", "must be a JSON object"},
       }) {
    auto parsed = SourceRecordFromJson(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_NE(parsed.status().message().find(c.needle), std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace provledger::policy
