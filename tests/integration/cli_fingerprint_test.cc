// `provledger fingerprint` as a pipeline worker runs it: JSONL and files in,
// one JSON object per document out, in order, the same on any thread count.
#include <gtest/gtest.h>
#include <stdio.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "provledger/encoding.h"
#include "provledger/fingerprint.h"
#include "provledger/sha256.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;

std::vector<nlohmann::json> RunCli(const std::string& args) {
  std::string cmd = std::string(PROVLEDGER_CLI_PATH) + " fingerprint " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  std::vector<nlohmann::json> lines;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t eol = out.find('\n', pos);
    lines.push_back(nlohmann::json::parse(out.substr(pos, eol - pos)));
    pos = eol + 1;
  }
  return lines;
}

TEST(CliFingerprintTest, JsonlAndFilesInOrderDeterministicAcrossThreads) {
  TempDir dir;
  std::vector<std::string> texts = {
      "The quick brown fox jumps over the lazy dog near the river bank today.",
      "THE QUICK BROWN FOX\njumps over the lazy dog -- near the river bank, today!",
      "An unrelated sentence about provenance ledgers and training data.",
  };
  {
    std::ofstream jsonl(dir.Sub("shard.jsonl"));
    for (int rep = 0; rep < 40; ++rep) {  // enough lines to spread over threads
      for (size_t i = 0; i < texts.size(); ++i) {
        jsonl << nlohmann::json{{"ref", std::to_string(rep) + "/" + std::to_string(i)},
                                {"text", texts[i]}}
                     .dump()
              << "\n";
      }
    }
    std::ofstream(dir.Sub("img.png"), std::ios::binary) << std::string("\x89PNG\r\n\x1a\n....", 12);
  }
  auto one = RunCli("--threads 1 " + dir.Sub("shard.jsonl") + " " + dir.Sub("img.png"));
  auto four = RunCli("--threads 4 " + dir.Sub("shard.jsonl") + " " + dir.Sub("img.png"));
  ASSERT_EQ(one.size(), 121u);
  EXPECT_EQ(one, four);
  for (int rep = 0; rep < 40; ++rep) {
    for (size_t i = 0; i < texts.size(); ++i) {
      const auto& j = one[rep * 3 + i];
      ASSERT_EQ(j["ref"], std::to_string(rep) + "/" + std::to_string(i));
      EXPECT_EQ(j["content_id"], ToHex(Sha256(texts[i])));
      EXPECT_EQ(j["media_type"], "text/plain; charset=utf-8");
    }
  }
  // A reformatted copy has the same normalised hash and MinHash; another text not.
  EXPECT_EQ(one[0]["text"]["normalized_hash"], one[1]["text"]["normalized_hash"]);
  EXPECT_EQ(one[0]["text"]["minhash"], one[1]["text"]["minhash"]);
  EXPECT_NE(one[0]["text"]["normalized_hash"], one[2]["text"]["normalized_hash"]);
  // The library computes the same values.
  auto lib = fingerprint::FingerprintText(texts[0]);
  ASSERT_TRUE(lib.ok());
  EXPECT_EQ(one[0]["text"]["normalized_hash"], ToHex(lib->normalized_hash));
  EXPECT_EQ(one[0]["text"]["token_count"], lib->token_count);
  // Binary files get a content id and media type, no text fingerprints.
  EXPECT_EQ(one.back()["media_type"], "image/png");
  EXPECT_FALSE(one.back().contains("text"));
}

}  // namespace
}  // namespace provledger
