#include <gtest/gtest.h>

#include <random>

#include "provledger/encoding.h"
#include "provledger/fingerprint.h"
#include "test_util.h"

namespace provledger::fingerprint {
namespace {

using testing::ValueOrDie;

std::string Norm(std::string_view s) { return ValueOrDie(AnalyzeText(s)).normalized; }

std::vector<std::string> Tokens(std::string_view s) {
  TextAnalysis t = ValueOrDie(AnalyzeText(s));
  std::vector<std::string> out;
  for (size_t i = 0; i < t.token_begin.size(); ++i) {
    out.push_back(t.normalized.substr(t.token_begin[i], t.token_end[i] - t.token_begin[i]));
  }
  return out;
}

TEST(AnalyzeTest, FormattingOnlyChangesNormaliseAlike) {
  const std::string base = "hello world 42 cafe\xCC\x81 fine strasse";  // é as e + U+0301
  // Case, NFC é and ß:
  const std::string case_nfc =
      "Hello, World! 42 caf\xC3\xA9 fine Stra\xC3\x9F"
      "e";
  // Whitespace and line wraps:
  const std::string spacing = "  HELLO\r\n\tWORLD\n\n42  CAF\xC3\x89 FINE STRASSE  ";
  // BOM, em dash, parentheses, the fi ligature:
  const std::string bom_dash =
      "\xEF\xBB\xBFhello \xE2\x80\x94 world (42) caf\xC3\xA9 \xEF\xAC\x81ne strasse";
  // Full-width letters, digits and space:
  const std::string full_width =
      "\xEF\xBC\xA8\xEF\xBD\x85llo\xE3\x80\x80world \xEF\xBC\x94\xEF\xBC\x92 cafe\xCC\x81 fine "
      "strasse";
  // Smart quotes:
  const std::string quotes =
      "\xE2\x80\x9Chello\xE2\x80\x9D \xE2\x80\x98world\xE2\x80\x99 42 caf\xC3\xA9 fine strasse";
  for (const std::string& variant : {case_nfc, spacing, bom_dash, full_width, quotes}) {
    EXPECT_EQ(Norm(variant), Norm(base)) << variant;
    EXPECT_EQ(NormalizedHash(Norm(variant)), NormalizedHash(Norm(base)));
  }
  EXPECT_EQ(Norm(base), "hello world 42 caf\xC3\xA9 fine strasse");
  EXPECT_NE(Norm("version 1"), Norm("version 2"));  // digits are kept
  EXPECT_NE(NormalizedHash(Norm("version 1")), NormalizedHash(Norm("version 2")));
}

TEST(AnalyzeTest, ChineseAndJapaneseAreCharacterTokens) {
  EXPECT_EQ(Tokens("中文文本，测试。"),
            (std::vector<std::string>{"中", "文", "文", "本", "测", "试"}));
  // Line wrapping and spaces between Han characters do not change the text.
  EXPECT_EQ(Norm("中文\n文本"), Norm("中文文本"));
  EXPECT_EQ(Norm("中 文 文 本"), "中文文本");
  // Mixed scripts: Latin words stay words.
  EXPECT_EQ(Tokens("GPT模型 v2"), (std::vector<std::string>{"gpt", "模", "型", "v2"}));
  EXPECT_EQ(Tokens("ひらがなカタカナ").size(), 8u);
  EXPECT_EQ(Norm("ｶﾀｶﾅ"), "カタカナ");  // half-width katakana folds to full width
  EXPECT_EQ(Tokens("한국어").size(), 3u);
  EXPECT_EQ(Tokens("ภาษาไทย").size(), 7u);
}

TEST(AnalyzeTest, TokenSpansPointIntoNormalisedText) {
  TextAnalysis t = ValueOrDie(AnalyzeText("The  Quick, brown fox!"));
  EXPECT_EQ(t.normalized, "the quick brown fox");
  ASSERT_EQ(t.token_hashes.size(), 4u);
  EXPECT_EQ(t.normalized.substr(t.token_begin[1], t.token_end[1] - t.token_begin[1]), "quick");
  // Equal tokens hash equally, different ones differently.
  TextAnalysis u = ValueOrDie(AnalyzeText("quick QUICK slow"));
  EXPECT_EQ(u.token_hashes[0], u.token_hashes[1]);
  EXPECT_NE(u.token_hashes[0], u.token_hashes[2]);
  EXPECT_EQ(u.token_hashes[0], t.token_hashes[1]);
}

TEST(AnalyzeTest, EmptyAndPunctuationOnly) {
  EXPECT_EQ(Norm(""), "");
  EXPECT_EQ(Norm(" ...!?  —— "), "");
  EXPECT_TRUE(ValueOrDie(AnalyzeText("...")).token_hashes.empty());
}

TEST(AnalyzeTest, RejectsInvalidUtf8) {
  for (std::string bad : {std::string("abc\xff"), std::string("\xC0\xAF"),
                          std::string("\xED\xA0\x80"), std::string("tail\xE4\xB8")}) {
    EXPECT_EQ(AnalyzeText(bad).status().code(), absl::StatusCode::kInvalidArgument) << ToHex(bad);
  }
}

// Pins text-v2 across builds and machines: if this changes, the algorithm
// changed and needs a new version (docs/fingerprints.md).
// Pure-ASCII text takes a one-pass path; a non-ASCII separator at either end
// sends the same text through ICU and the general loop, which must agree.
TEST(AnalyzeTest, AsciiPathIsTheGeneralPath) {
  const std::string alphabet =
      "abcXYZ019 .,;:!?'\"-()[]/\\@#&*_+=<>|~`^%$\t\n\r\x01\x7f"
      "qwertyuiopASDFGHJKLzxcvbnm";
  const std::string dash = "\xE2\x80\x94";  // U+2014, punctuation: a separator
  std::mt19937 rng(20261130);
  for (int n = 0; n < 1200; ++n) {
    // A third from the alphabet above, a third from every ASCII byte, a
    // third mostly letters (tokens longer than 16 and than 64 bytes, across
    // the tokeniser's 64-byte groups).
    std::string text;
    const size_t len = rng() % 300;
    for (size_t i = 0; i < len; ++i) {
      switch (n % 3) {
        case 0:
          text.push_back(alphabet[rng() % alphabet.size()]);
          break;
        case 1:
          text.push_back(static_cast<char>(rng() % 128));
          break;
        default:
          text.push_back(rng() % 40 == 0 ? ' ' : static_cast<char>('A' + rng() % 58));
          break;
      }
    }
    TextAnalysis ascii = ValueOrDie(AnalyzeText(text));
    for (const std::string& general : {text + dash, dash + text}) {
      TextAnalysis g = ValueOrDie(AnalyzeText(general));
      ASSERT_EQ(ascii.normalized, g.normalized) << text;
      ASSERT_EQ(ascii.token_hashes, g.token_hashes) << text;
      ASSERT_EQ(ascii.token_begin, g.token_begin) << text;
      ASSERT_EQ(ascii.token_end, g.token_end) << text;
    }
  }
  EXPECT_EQ(Norm("  Hello,\tWORLD--42  "), "hello world 42");
  // Words and gaps longer than the 8 bytes taken at a time, and ending at
  // and just past a multiple of 8.
  EXPECT_EQ(Norm("Supercalifragilistic..........ExpiALIDOCIOUS"),
            "supercalifragilistic expialidocious");
  EXPECT_EQ(Tokens("ABCDEFGH IJKLMNOP Q"), (std::vector<std::string>{"abcdefgh", "ijklmnop", "q"}));
  EXPECT_EQ(Tokens(" a1 B2\n"), (std::vector<std::string>{"a1", "b2"}));
  // Texts ending with a word at, before and after a 64-byte group's end.
  for (size_t len : {63, 64, 65, 127, 128, 129}) {
    const std::string word(len, 'Q');
    EXPECT_EQ(Tokens(word), std::vector<std::string>{std::string(len, 'q')});
    EXPECT_EQ(Tokens(word + "!"), std::vector<std::string>{std::string(len, 'q')});
    EXPECT_EQ(Tokens("." + word), std::vector<std::string>{std::string(len, 'q')});
  }
  EXPECT_TRUE(ValueOrDie(AnalyzeText(" .,; ")).token_hashes.empty());
  EXPECT_EQ(Norm(" .,; "), "");
}

TEST(AnalyzeTest, TextV2IsStable) {
  TextFingerprints f = ValueOrDie(
      FingerprintText("The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸跳过了懒狗。"));
  EXPECT_EQ(ToHex(f.normalized_hash), "1e665a0d6fd1c678b97ae772b03186f6");
  EXPECT_EQ(f.token_count, 21u);
  EXPECT_EQ(f.minhash[0], 203825535u);  // MinHash version 2
  EXPECT_EQ(f.lsh_bands[0], 11070465502615072807ull);
  EXPECT_EQ(f.lsh_bands.size(), 32u);
}

}  // namespace
}  // namespace provledger::fingerprint

namespace provledger::fingerprint {
namespace {

TEST(MediaTypeTest, MagicNumbersAndText) {
  EXPECT_EQ(SniffMediaType(std::string("\x89PNG\r\n\x1a\n....", 12)), "image/png");
  EXPECT_EQ(SniffMediaType("\xff\xd8\xff\xe0"), "image/jpeg");
  EXPECT_EQ(SniffMediaType("%PDF-1.7"), "application/pdf");
  EXPECT_EQ(SniffMediaType(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
  EXPECT_EQ(SniffMediaType("plain words, 中文"), "text/plain; charset=utf-8");
  EXPECT_EQ(SniffMediaType(std::string("a\0b", 3)), "application/octet-stream");
  EXPECT_EQ(SniffMediaType("\xff\xfe\x00"), "application/octet-stream");
  EXPECT_TRUE(IsTextMediaType(SniffMediaType("")));
  EXPECT_FALSE(IsTextMediaType("image/png"));
}

}  // namespace
}  // namespace provledger::fingerprint
