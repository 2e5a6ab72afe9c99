#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "provledger/server.h"
#include "test_util.h"

namespace provledger {
namespace {

using testing::TempDir;

std::string Write(const TempDir& dir, const std::string& text) {
  std::string path = dir.Sub("config.json");
  std::ofstream(path) << text;
  return path;
}

TEST(ConfigTest, ShippedDeployConfigParses) {
  ServerConfig c;
  PL_ASSERT_OK(LoadServerConfigFile(PROVLEDGER_SOURCE_DIR "/deploy/provledgerd.json", &c));
  EXPECT_EQ(c.data_dir, "/var/lib/provledger");
  EXPECT_EQ(c.origin, "ledger.example.com/provledger");
  ASSERT_EQ(c.signing_key_files.size(), 1u);
  EXPECT_EQ(c.registry.max_document_bytes, 64u << 20);
  EXPECT_EQ(c.policy_file, "/etc/provledger/policy.json");
}

TEST(ConfigTest, BadValuesNameTheKey) {
  TempDir dir;
  ServerConfig c;
  absl::Status s = LoadServerConfigFile(Write(dir, R"({"listen": 7600})"), &c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("listen"), absl::string_view::npos);
  s = LoadServerConfigFile(Write(dir, R"({"max_document_bytes": -1})"), &c);
  EXPECT_NE(s.message().find("max_document_bytes"), absl::string_view::npos);
  s = LoadServerConfigFile(Write(dir, R"({"data_dri": "x"})"), &c);
  EXPECT_NE(s.message().find("data_dri"), absl::string_view::npos);
  EXPECT_FALSE(LoadServerConfigFile(Write(dir, "not json"), &c).ok());
  EXPECT_EQ(LoadServerConfigFile(dir.Sub("missing.json"), &c).code(), absl::StatusCode::kNotFound);
}

TEST(SigningKeyTest, CreatedPrivateAndReloaded) {
  TempDir dir;
  std::string path = dir.Sub("keys/k.pem");
  EXPECT_EQ(LoadOrCreateSigningKey(path, false).status().code(), absl::StatusCode::kNotFound);
  auto key = LoadOrCreateSigningKey(path, true);
  PL_ASSERT_OK(key);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir.Sub("keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto again = LoadOrCreateSigningKey(path, true);
  PL_ASSERT_OK(again);
  EXPECT_EQ(again->PublicKey(), key->PublicKey());
  std::ofstream(dir.Sub("bad.pem")) << "garbage";
  ASSERT_EQ(chmod(dir.Sub("bad.pem").c_str(), 0600), 0);
  EXPECT_EQ(LoadOrCreateSigningKey(dir.Sub("bad.pem"), false).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// As ssh does: a key file group or others can read (or write) is refused,
// with the mode and the fix in the message.
TEST(SigningKeyTest, KeyReadableByOthersIsRefused) {
  TempDir dir;
  std::string path = dir.Sub("keys/k.pem");
  PL_ASSERT_OK(LoadOrCreateSigningKey(path, true));
  for (mode_t mode : {0644, 0666, 0640, 0604, 0620}) {
    ASSERT_EQ(chmod(path.c_str(), mode), 0);
    absl::Status s = LoadOrCreateSigningKey(path, false).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    EXPECT_NE(s.message().find("chmod 600"), absl::string_view::npos) << s;
  }
  ASSERT_EQ(chmod(path.c_str(), 0400), 0);
  PL_EXPECT_OK(LoadOrCreateSigningKey(path, false).status());
}

TEST(ConfigTest, DocumentLimitIsBounded) {
  TempDir dir;
  ServerConfig c;
  absl::Status s =
      LoadServerConfigFile(Write(dir, R"({"max_document_bytes": 18446744073709551615})"), &c);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max_document_bytes"), absl::string_view::npos);
  PL_EXPECT_OK(LoadServerConfigFile(Write(dir, R"({"max_document_bytes": 1073741824})"), &c));
  ServerConfig bad;
  bad.data_dir = dir.Sub("data");
  bad.listen = "127.0.0.1:0";
  bad.registry.max_document_bytes = ~uint64_t{0};
  EXPECT_EQ(Server::Start(bad).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace provledger
