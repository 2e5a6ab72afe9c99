#include "provledger/ed25519.h"

#include <gtest/gtest.h>

#include "provledger/encoding.h"

namespace provledger {
namespace {

// RFC 8032 section 7.1, TEST 1.
constexpr char kTest1Pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

TEST(Ed25519Test, Rfc8032Vector) {
  auto key = Ed25519PrivateKey::FromPem(kTest1Pem);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(ToHex(key->PublicKey()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = key->Sign("");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(ToHex(*sig),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(key->PublicKey(), "", *sig));
}

TEST(Ed25519Test, GenerateSignVerifyAndReject) {
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  auto sig = key->Sign("message");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(Ed25519Verify(key->PublicKey(), "message", *sig));
  EXPECT_FALSE(Ed25519Verify(key->PublicKey(), "messagf", *sig));
  std::string bad = *sig;
  bad[10] ^= 1;
  EXPECT_FALSE(Ed25519Verify(key->PublicKey(), "message", bad));
  EXPECT_FALSE(Ed25519Verify("short", "message", *sig));
  EXPECT_FALSE(Ed25519Verify(key->PublicKey(), "message", "short"));

  // PEM round trip keeps the key.
  auto again = Ed25519PrivateKey::FromPem(key->ToPem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKey(), key->PublicKey());
}

TEST(Ed25519Test, RejectsNonEd25519AndGarbage) {
  EXPECT_EQ(Ed25519PrivateKey::FromPem("not a key").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace provledger
