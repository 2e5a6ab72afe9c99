#include "provledger/sha256.h"

#include <gtest/gtest.h>

#include "provledger/encoding.h"

namespace provledger {
namespace {

// FIPS 180-2 examples.
TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, StreamingEqualsOneShot) {
  std::string data(100000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256Hasher h;
  for (size_t off = 0; off < data.size(); off += 7919)
    h.Update(std::string_view(data).substr(off, 7919));
  EXPECT_EQ(h.Finish(), Sha256(data));
  // The hasher resets after Finish.
  h.Update("abc");
  EXPECT_EQ(h.Finish(), Sha256("abc"));
  EXPECT_EQ(Sha256Concat("ab", "c"), Sha256("abc"));
  EXPECT_EQ(Sha256Concat("a", "b", "c"), Sha256("abc"));
}

}  // namespace
}  // namespace provledger
