// `provledger fingerprint` as a pipeline worker runs it: JSONL and files in,
// one JSON object per document out, in order, the same on any thread count.
#include <gtest/gtest.h>
#include <stdio.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include "provledger/encoding.h"
#include "provledger/fingerprint.h"

#include "provledger/sha256.h"
#include "provledger/v1/fingerprint.pb.h"
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

// --format pb: length-delimited FingerprintRecord messages carrying exactly
// what the library computes (and what registration by fingerprints sends).
TEST(CliFingerprintTest, LengthDelimitedProtobufRecords) {
  TempDir dir;
  std::vector<std::string> texts = {"First document, with enough words to shingle and winnow.",
                                    "第二份文件：中文文本也有指纹。"};
  {
    std::ofstream jsonl(dir.Sub("shard.jsonl"));
    for (size_t i = 0; i < texts.size(); ++i) {
      jsonl << nlohmann::json{{"ref", "r" + std::to_string(i)}, {"text", texts[i]}}.dump() << "\n";
    }
    std::ofstream(dir.Sub("img.png"), std::ios::binary) << std::string("\x89PNG\r\n\x1a\n....", 12);
  }
  std::string cmd = std::string(PROVLEDGER_CLI_PATH) + " fingerprint --format pb --out " +
                    dir.Sub("out.pb") + " " + dir.Sub("shard.jsonl") + " " + dir.Sub("img.png") +
                    " 2>/dev/null";
  ASSERT_EQ(system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir.Sub("out.pb"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  google::protobuf::io::ArrayInputStream array(bytes.data(), static_cast<int>(bytes.size()));
  google::protobuf::io::CodedInputStream coded(&array);
  std::vector<v1::FingerprintRecord> records;
  uint32_t size;
  while (coded.ReadVarint32(&size)) {
    auto limit = coded.PushLimit(static_cast<int>(size));
    v1::FingerprintRecord r;
    ASSERT_TRUE(r.ParseFromCodedStream(&coded));
    coded.PopLimit(limit);
    records.push_back(std::move(r));
  }
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < texts.size(); ++i) {
    const v1::FingerprintRecord& r = records[i];
    EXPECT_EQ(r.ref(), "r" + std::to_string(i));
    EXPECT_EQ(r.fingerprints().content_id(), Sha256(texts[i]));
    EXPECT_EQ(r.fingerprints().size_bytes(), texts[i].size());
    auto lib = fingerprint::FingerprintText(texts[i]);
    ASSERT_TRUE(lib.ok());
    const v1::TextFingerprints& t = r.fingerprints().text();
    EXPECT_EQ(t.minhash_version(), fingerprint::kMinHashVersion);
    EXPECT_EQ(t.normalized_hash(), lib->normalized_hash);
    ASSERT_EQ(t.minhash_size(), fingerprint::kMinHashSize);
    for (int k = 0; k < fingerprint::kMinHashSize; ++k) EXPECT_EQ(t.minhash(k), lib->minhash[k]);
    ASSERT_EQ(t.winnow_hashes_size(), static_cast<int>(lib->winnows.size()));
    ASSERT_EQ(t.winnow_token_indices_size(), static_cast<int>(lib->winnows.size()));
    for (int k = 0; k < t.winnow_hashes_size(); ++k) {
      EXPECT_EQ(t.winnow_hashes(k), lib->winnows[k].hash);
      EXPECT_EQ(t.winnow_token_indices(k), lib->winnows[k].token_index);
    }
    EXPECT_EQ(t.token_count(), lib->token_count);
  }
  EXPECT_EQ(records[2].fingerprints().media_type(), "image/png");
  EXPECT_FALSE(records[2].fingerprints().has_text());
}

}  // namespace
}  // namespace provledger
