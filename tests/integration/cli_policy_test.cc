// `provledger policy check`: the offline dry run judges records exactly as
// the policy library does, and names the field of a malformed record.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;

int RunPolicy(const std::string& args, std::vector<nlohmann::json>* lines, std::string* err) {
  TempDir tmp;
  std::string cmd = std::string(PROVLEDGER_CLI_PATH) + " policy " + args + " 2>" + tmp.Sub("err");
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int rc = pclose(p);
  std::ifstream e(tmp.Sub("err"));
  err->assign(std::istreambuf_iterator<char>(e), {});
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    lines->push_back(nlohmann::json::parse(out.substr(pos, eol - pos)));
    pos = eol + 1;
  }
  return rc;
}

TEST(CliPolicyTest, CheckJudgesRecordsWithDefaultsAndIntendedUse) {
  TempDir dir;
  std::ofstream(dir.Sub("defaults.json"))
      << R"({"category": "OPEN_SOURCE_DATASET", "dataset_name": "news",
             "dataset_url": "https://example.org/news", "personal_info": "none"})";
  std::ofstream(dir.Sub("records.jsonl"))
      << R"({"ref": "a", "source": {"license": "MIT OR CC-BY-NC-4.0"}})"
      << "\n"
      << R"({"ref": "b", "source": {"license": "CC-BY-NC-4.0"}})"
      << "\n"
      << R"({"ref": "c", "source": {"license": "GPL-3.0-only", "dataset_url": ""}})"
      << "\n";
  std::vector<nlohmann::json> out;
  std::string err;
  ASSERT_EQ(
      RunPolicy("check " + dir.Sub("records.jsonl") + " --defaults " + dir.Sub("defaults.json"),
                &out, &err),
      0)
      << err;
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0]["verdict"], "ACCEPTED");
  EXPECT_EQ(out[0]["license"], "MIT OR CC-BY-NC-4.0");
  EXPECT_EQ(out[1]["verdict"], "REJECTED");
  EXPECT_EQ(out[1]["reasons"][0]["code"], "LICENSE_CLASS");
  EXPECT_EQ(out[2]["verdict"], "FLAGGED");  // strong copyleft for commercial use
  EXPECT_NE(err.find("1 accepted, 1 flagged, 1 rejected"), std::string::npos) << err;

  out.clear();
  ASSERT_EQ(RunPolicy("check " + dir.Sub("records.jsonl") + " --defaults " +
                          dir.Sub("defaults.json") + " --intended-use research",
                      &out, &err),
            0);
  EXPECT_EQ(out[1]["verdict"], "ACCEPTED");  // non-commercial is fine for research

  std::ofstream(dir.Sub("bad.jsonl")) << R"({"ref": "x", "source": {"category": "WEB"}})"
                                      << "\n";
  out.clear();
  EXPECT_NE(RunPolicy("check " + dir.Sub("bad.jsonl"), &out, &err), 0);
  EXPECT_NE(err.find("bad.jsonl:1: source.category must be one of"), std::string::npos) << err;
}

}  // namespace
}  // namespace provledger

namespace provledger {
namespace {

// A record nesting 100,000 arrays crashed the CLI (recursive serialisation);
// it is refused with the line named, by every command that reads JSONL.
TEST(CliPolicyTest, DeeplyNestedRecordsAreRefusedNotACrash) {
  TempDir dir;
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::ofstream(dir.Sub("deep.jsonl"))
      << R"({"ref": "ok", "text": "fine", "source": {"license": "MIT"}})"
      << "\n"
      << R"({"ref": "deep", "text": "x", "source": {"license": )" << deep << "}}\n";
  std::vector<nlohmann::json> lines;
  std::string err;
  int rc = RunPolicy("check " + dir.Sub("deep.jsonl"), &lines, &err);
  ASSERT_TRUE(WIFEXITED(rc)) << "killed by a signal: " << rc;
  EXPECT_EQ(WEXITSTATUS(rc), 1);
  EXPECT_NE(err.find("deep.jsonl:2"), std::string::npos) << err;
  for (const char* command :
       {" fingerprint ", " register --dataset-id ds_x --server 127.0.0.1:1 "}) {
    std::string cmd = std::string(PROVLEDGER_CLI_PATH) + command + dir.Sub("deep.jsonl") + " > " +
                      dir.Sub("out") + " 2>&1";
    int status = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(status)) << command << " killed by a signal";
    EXPECT_NE(WEXITSTATUS(status), 0) << command;
    std::ifstream out(dir.Sub("out"));
    std::string text((std::istreambuf_iterator<char>(out)), {});
    if (std::string(command) == " fingerprint ") {
      EXPECT_NE(text.find("nested deeper than 64"), std::string::npos) << text;
    }
  }
}

}  // namespace
}  // namespace provledger
