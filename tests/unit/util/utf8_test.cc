#include "provledger/utf8.h"

#include <gtest/gtest.h>

namespace provledger {
namespace {

TEST(CleanTextTest, RefusesControlsAndDirectionOverrides) {
  EXPECT_TRUE(IsCleanText("shard-0001/doc 7 \xe6\x96\x87\xe6\x9c\xac"));  // 文本
  EXPECT_FALSE(IsCleanText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsCleanText("a\x1b[31mb"));
  EXPECT_FALSE(IsCleanText("invoice\xe2\x80\xaetxt.exe"));  // U+202E
  EXPECT_FALSE(
      IsCleanText("a\xe2\x81\xa6"
                  "b"));                  // U+2066
  EXPECT_FALSE(IsCleanText("\xc2\x85"));  // U+0085 (C1)
  EXPECT_FALSE(IsCleanText("\xff"));
  EXPECT_FALSE(IsCleanText("line\nbreak"));
  EXPECT_TRUE(IsCleanText("line\nbreak\tand tab", /*allow_newlines=*/true));
}

TEST(EchoValueTest, EscapesAndBoundsWhatIsEchoed) {
  EXPECT_EQ(EchoValue("ds_1"), "ds_1");
  EXPECT_EQ(EchoValue("a\xe2\x80\xae"
                      "b\xff"),
            "a\\u{202e}b\\xff");
  std::string big(3 << 20, 'x');
  std::string echoed = EchoValue(big);
  EXPECT_LT(echoed.size(), 200u);
  EXPECT_NE(echoed.find("(3145728 bytes)"), std::string::npos);
  // Cut on a character boundary: never half of a multi-byte character.
  std::string han;
  for (int i = 0; i < 100; ++i) han += "\xe6\x96\x87";
  EXPECT_TRUE(IsValidUtf8(EchoValue(han, 10).substr(0, 12)));
}

}  // namespace
}  // namespace provledger
