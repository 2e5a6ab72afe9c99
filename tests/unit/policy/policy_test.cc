#include "provledger/policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "provledger/sha256.h"
#include "test_util.h"

namespace provledger::policy {
namespace {

using testing::ValueOrDie;

SourceRecord OpenSource() {
  SourceRecord r;
  r.category = SourceCategory::kOpenSourceDataset;
  r.dataset_name = "wikitext-103";
  r.dataset_url = "https://huggingface.co/datasets/wikitext";
  r.license = "CC-BY-SA-3.0";
  r.personal_info = PersonalInfo::kNone;
  return r;
}

SourceRecord Crawled() {
  SourceRecord r;
  r.category = SourceCategory::kSelfCollected;
  r.url = "https://news.example.org/2026/11/article.html";
  r.collected_at_micros = 1764000000000000;
  r.crawler_agent = "provbot/1.0";
  r.signals.robots_txt = Signal::kAllowed;
  r.signals.robots_txt_sha256 = std::string(32, '\x11');
  r.license = "LicenseRef-Publisher-Terms";
  r.personal_info = PersonalInfo::kNone;
  return r;
}

std::vector<std::string> Codes(const Decision& d) {
  std::vector<std::string> out;
  for (const Reason& r : d.reasons) out.push_back(r.code);
  return out;
}

TEST(PolicyTest, DefaultPolicyIsTheShippedFileAndParses) {
  std::ifstream in(std::string(PROVLEDGER_SOURCE_DIR) + "/deploy/policy/default-policy.json");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(Policy::DefaultPolicyJson(), ss.str());
  const Policy& p = Policy::Default();
  EXPECT_EQ(p.sha256(), Sha256(ss.str()));
  EXPECT_EQ(p.intended_uses(), (std::vector<std::string>{"commercial", "research"}));
}

TEST(PolicyTest, LicenseClassesByIntendedUse) {
  const Policy& p = Policy::Default();
  SourceRecord r = OpenSource();
  Decision d = p.Evaluate(r, {"research", 0, ""});
  EXPECT_EQ(d.verdict, Verdict::kAccepted) << (d.reasons.empty() ? "" : d.reasons[0].message);
  EXPECT_EQ(d.license_canonical, "CC-BY-SA-3.0");
  EXPECT_EQ(d.license_class, spdx::LicenseClass::kStrongCopyleft);
  d = p.Evaluate(r, {"commercial", 0, ""});
  EXPECT_EQ(d.verdict, Verdict::kFlagged);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"LICENSE_CLASS"}));

  r.license = "CC-BY-NC-4.0";
  d = p.Evaluate(r, {"commercial", 0, ""});
  EXPECT_EQ(d.verdict, Verdict::kRejected);
  EXPECT_NE(d.reasons[0].message.find("non_commercial"), std::string::npos);
  r.license = "CC-BY-NC-4.0 OR MIT";  // the licensee may choose MIT
  EXPECT_EQ(p.Evaluate(r, {"commercial", 0, ""}).verdict, Verdict::kAccepted);

  d = p.Evaluate(r, {"military", 0, ""});
  EXPECT_EQ(d.verdict, Verdict::kRejected);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"UNKNOWN_INTENDED_USE"}));
}

TEST(PolicyTest, MissingEvidencePerCategory) {
  const Policy& p = Policy::Default();
  SourceRecord r = Crawled();
  r.crawler_agent.clear();
  r.signals.robots_txt_sha256.clear();  // observed but the evidence file's hash was not kept
  Decision d = p.Evaluate(r, {"commercial", 0, ""});
  EXPECT_EQ(d.verdict, Verdict::kFlagged);
  // The LicenseRef has no class in the default policy: unknown is flagged too.
  EXPECT_EQ(Codes(d),
            (std::vector<std::string>{"MISSING_EVIDENCE", "MISSING_EVIDENCE", "LICENSE_CLASS"}));
  EXPECT_NE(d.reasons[0].message.find("crawler_agent"), std::string::npos);
  EXPECT_NE(d.reasons[1].message.find("robots_txt"), std::string::npos);

  SourceRecord none;
  d = p.Evaluate(none, {"commercial", 0, ""});
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"MISSING_SOURCE_CATEGORY", "MISSING_LICENSE"}));

  SourceRecord commercial;
  commercial.category = SourceCategory::kCommercialLicensed;
  commercial.license = "LicenseRef-Contract";
  commercial.counterparty = "Example Press";
  commercial.contract_ref = "C-2026-17";
  commercial.licensed_scope = "model training";
  commercial.contract_start_micros = 1000;
  commercial.contract_end_micros = 2000;
  commercial.personal_info = PersonalInfo::kNone;
  EXPECT_EQ(Codes(p.Evaluate(commercial, {"commercial", 1500, ""})),
            (std::vector<std::string>{"LICENSE_CLASS"}));
  d = p.Evaluate(commercial, {"commercial", 2500, ""});
  EXPECT_EQ(d.verdict, Verdict::kRejected);
  EXPECT_EQ(Codes(d), (std::vector<std::string>{"LICENSE_CLASS", "CONTRACT_NOT_IN_FORCE"}));
}

TEST(PolicyTest, OptOutSignalsBlockedSourcesAndPersonalInformation) {
  std::string json(Policy::DefaultPolicyJson());
  nlohmann::json j = nlohmann::json::parse(json);
  j["license_refs"]["LicenseRef-Publisher-Terms"] = "proprietary_contract";
  j["blocked_sources"]["domains"] = {"blocked.example"};
  j["blocked_sources"]["url_patterns"] = {"https://*/private/*"};
  j["blocked_sources"]["dataset_names"] = {"Pirated-Books"};
  Policy p = ValueOrDie(Policy::Parse(j.dump()));
  EXPECT_NE(p.sha256(), Policy::Default().sha256());

  SourceRecord r = Crawled();
  EXPECT_EQ(p.Evaluate(r, {"commercial", 0, ""}).verdict, Verdict::kAccepted);
  struct Case {
    std::function<void(SourceRecord*)> change;
    std::string code;
  };
  for (const Case& c : std::vector<Case>{
           {[](SourceRecord* s) { s->signals.robots_txt = Signal::kForbidden; },
            "OPT_OUT_ROBOTS_TXT"},
           {[](SourceRecord* s) { s->signals.x_robots_noai = true; }, "OPT_OUT_NOAI"},
           {[](SourceRecord* s) { s->signals.tdm_reservation = Signal::kForbidden; },
            "OPT_OUT_TDM_RESERVATION"},
           {[](SourceRecord* s) { s->signals.content_signal_ai_train = Signal::kForbidden; },
            "OPT_OUT_CONTENT_SIGNAL"},
           {[](SourceRecord* s) { s->signals.ai_txt = Signal::kForbidden; }, "OPT_OUT_AI_TXT"},
           {[](SourceRecord* s) { s->signals.c2pa_training_mining = "constrained"; },
            "OPT_OUT_C2PA"},
           {[](SourceRecord* s) { s->url = "https://www.blocked.example/a"; }, "BLOCKED_DOMAIN"},
           {[](SourceRecord* s) { s->url = "https://ok.example/private/x"; }, "BLOCKED_URL"},
           {[](SourceRecord* s) { s->dataset_name = "pirated-books"; }, "BLOCKED_DATASET"},
           {[](SourceRecord* s) { s->personal_info = PersonalInfo::kSensitive; },
            "SENSITIVE_PI_WITHOUT_CONSENT"},
       }) {
    SourceRecord changed = r;
    c.change(&changed);
    Decision d = p.Evaluate(changed, {"commercial", 0, ""});
    EXPECT_EQ(d.verdict, Verdict::kRejected) << c.code;
    EXPECT_EQ(Codes(d), (std::vector<std::string>{c.code}));
  }
  // A look-alike domain is not the blocked one; noimageai applies to images.
  r.url = "https://notblocked.example/a";
  r.signals.x_robots_noimageai = true;
  EXPECT_EQ(p.Evaluate(r, {"commercial", 0, "text/plain"}).verdict, Verdict::kAccepted);
  EXPECT_EQ(Codes(p.Evaluate(r, {"commercial", 0, "image/png"})),
            (std::vector<std::string>{"OPT_OUT_NOIMAGEAI"}));
  r.signals.x_robots_noimageai = false;
  r.personal_info = PersonalInfo::kPersonal;
  EXPECT_EQ(p.Evaluate(r, {"commercial", 0, ""}).verdict, Verdict::kFlagged);
  r.consent_basis = "user agreement v3, clause 7";
  EXPECT_EQ(p.Evaluate(r, {"commercial", 0, ""}).verdict, Verdict::kAccepted);
}

TEST(PolicyTest, MalformedPolicyFilesNameTheKey) {
  nlohmann::json base = nlohmann::json::parse(Policy::DefaultPolicyJson());
  struct Case {
    std::function<void(nlohmann::json*)> change;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {[](nlohmann::json* j) { (*j)["format"] = 2; }, "format"},
           {[](nlohmann::json* j) { (*j)["surprise"] = true; }, "surprise"},
           {[](nlohmann::json* j) { (*j)["missing_evidence"] = "maybe"; }, "missing_evidence"},
           {[](nlohmann::json* j) { (*j)["required_evidence"]["WEB"] = nlohmann::json::array(); },
            "required_evidence.WEB"},
           {[](nlohmann::json* j) { (*j)["required_evidence"]["OTHER"] = {"shoe_size"}; },
            "shoe_size"},
           {[](nlohmann::json* j) { (*j)["license_classes"]["commercial"].erase("unknown"); },
            "no action for class unknown"},
           {[](nlohmann::json* j) { (*j)["license_refs"]["LicenseRef-X"] = "cheap"; },
            "license_refs.LicenseRef-X"},
           {[](nlohmann::json* j) { (*j)["blocked_sources"]["ips"] = nlohmann::json::array(); },
            "blocked_sources.ips"},
       }) {
    nlohmann::json j = base;
    c.change(&j);
    auto p = Policy::Parse(j.dump());
    ASSERT_FALSE(p.ok()) << c.needle;
    EXPECT_NE(p.status().message().find(c.needle), std::string::npos) << p.status().message();
  }
  EXPECT_FALSE(Policy::Parse("not json").ok());
}

TEST(SourceRecordTest, DefaultsFillOnlyWhatTheDocumentLeavesOut) {
  SourceRecord defaults = OpenSource();
  SourceRecord doc;
  doc.license = "MIT";
  SourceRecord m = MergeDefaults(defaults, doc);
  EXPECT_EQ(m.category, SourceCategory::kOpenSourceDataset);
  EXPECT_EQ(m.dataset_name, "wikitext-103");
  EXPECT_EQ(m.license, "MIT");
  EXPECT_EQ(m.personal_info, PersonalInfo::kNone);
}

TEST(SourceRecordTest, ValidationNamesTheField) {
  SourceRecord r = Crawled();
  PL_ASSERT_OK(ValidateSourceRecord(r, "document.source."));
  for (const char* tag : {"en", "zh-Hans", "pt-BR", "sr-Latn-RS", "x-private", "de-CH-1996"}) {
    SourceRecord tagged = r;
    tagged.language = tag;
    PL_EXPECT_OK(ValidateSourceRecord(tagged, "document.source."));
  }
  struct Case {
    std::function<void(SourceRecord*)> change;
    std::string needle;
  };
  for (const Case& c : std::vector<Case>{
           {[](SourceRecord* s) { s->url = "https://x/\x01"; }, "document.source.url"},
           {[](SourceRecord* s) { s->crawler_agent = std::string(3000, 'a'); },
            "document.source.crawler_agent is longer"},
           {[](SourceRecord* s) { s->signals.robots_txt_sha256 = "abc"; },
            "signals.robots_txt_sha256 must be 32 bytes"},
           {[](SourceRecord* s) { s->signals.c2pa_training_mining = "maybe"; },
            "c2pa_training_mining"},
           {[](SourceRecord* s) { s->license = "MIT AND"; }, "document.source.license: "},
           {[](SourceRecord* s) {
              s->contract_start_micros = 5;
              s->contract_end_micros = 4;
            },
            "contract_end is before contract_start"},
           {[](SourceRecord* s) { s->language = "english language"; }, "document.source.language"},
           {[](SourceRecord* s) { s->language = "e"; }, "document.source.language"},
           {[](SourceRecord* s) { s->language = "zh-"; }, "document.source.language"},
           {[](SourceRecord* s) { s->language = "1en"; }, "document.source.language"},
       }) {
    SourceRecord changed = r;
    c.change(&changed);
    absl::Status s = ValidateSourceRecord(changed, "document.source.");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.needle;
    EXPECT_NE(s.message().find(c.needle), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace provledger::policy
