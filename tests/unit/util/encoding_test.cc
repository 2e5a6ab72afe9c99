#include "provledger/encoding.h"

#include <gtest/gtest.h>

namespace provledger {
namespace {

TEST(EncodingTest, BigEndianRoundTripAndOrder) {
  std::string a = U64BE(1), b = U64BE(256), c = U64BE(UINT64_MAX);
  EXPECT_EQ(a, std::string("\0\0\0\0\0\0\0\1", 8));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(ReadU64BE(c.data()), UINT64_MAX);
  std::string s;
  AppendU32BE(&s, 0x01020304);
  AppendU16BE(&s, 0xabcd);
  EXPECT_EQ(ReadU32BE(s.data()), 0x01020304u);
  EXPECT_EQ(ReadU16BE(s.data() + 4), 0xabcd);
}

TEST(EncodingTest, Hex) {
  EXPECT_EQ(ToHex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*FromHex("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
}

TEST(EncodingTest, Base64IsStrict) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(*Base64Decode("aGVsbG8="), "hello");
  EXPECT_FALSE(Base64Decode("aGVsbG8").ok());    // missing padding
  EXPECT_FALSE(Base64Decode("aGVsbG9=").ok());   // non-zero trailing bits
  EXPECT_FALSE(Base64Decode("aGVs bG8=").ok());  // whitespace
  EXPECT_FALSE(Base64Decode("aGVsbG8_").ok());   // URL alphabet
  EXPECT_EQ(*Base64Decode(""), "");
}

TEST(EncodingTest, Decimal) {
  EXPECT_EQ(*ParseDecimalU64("0"), 0u);
  EXPECT_EQ(*ParseDecimalU64("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(ParseDecimalU64("18446744073709551616").ok());
  EXPECT_FALSE(ParseDecimalU64("01").ok());
  EXPECT_FALSE(ParseDecimalU64("-1").ok());
  EXPECT_FALSE(ParseDecimalU64("").ok());
  EXPECT_FALSE(ParseDecimalU64("1 ").ok());
}

}  // namespace
}  // namespace provledger
