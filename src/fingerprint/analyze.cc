// Normalisation and tokenisation (normalisation version 1). The only file that uses ICU.
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

// Compiled in, as in minhash.cc: tokens are short.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "provledger/fingerprint.h"
#include "provledger/utf8.h"

namespace provledger::fingerprint {
namespace {

const icu::Normalizer2& NfkcCasefold() {
  static const icu::Normalizer2* n = [] {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* inst = icu::Normalizer2::getNFKCCasefoldInstance(err);
    if (U_FAILURE(err) || inst == nullptr) std::abort();  // ICU data missing
    return inst;
  }();
  return *n;
}

// Character classes after normalisation.
enum class Kind : uint8_t { kSeparator, kWord, kUnsegmented };

// Whitespace, controls, format characters, punctuation and symbols separate
// tokens; digits and letters (and marks) are kept.
constexpr uint32_t kSeparatorMask =
    U_GC_Z_MASK | U_GC_CC_MASK | U_GC_CF_MASK | U_GC_P_MASK | U_GC_S_MASK;

// The class of each ASCII character, built once.
const std::array<Kind, 128>& AsciiKinds() {
  static const std::array<Kind, 128> kinds = [] {
    std::array<Kind, 128> t{};
    for (int c = 0; c < 128; ++c) {
      bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      t[c] = alnum ? Kind::kWord : Kind::kSeparator;
    }
    return t;
  }();
  return kinds;
}

Kind Classify(UChar32 cp) {
  if (cp < 128) return AsciiKinds()[cp];
  if (U_GET_GC_MASK(cp) & kSeparatorMask) return Kind::kSeparator;
  UErrorCode err = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(cp, &err);
  switch (script) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
    case USCRIPT_THAI:
      return Kind::kUnsegmented;
    default:
      return Kind::kWord;
  }
}

// Bit j of the result is set when p[j] (j < len <= 64) is an ASCII letter
// or digit. Branch-free: SSE2 (every x86-64) for whole 16-byte groups,
// arithmetic on each byte for the rest (and on other machines).
uint64_t WordMask(const char* p, size_t len) {
  uint64_t m = 0;
  size_t j = 0;
#if defined(__SSE2__)
  const __m128i below_digits = _mm_set1_epi8('0' - 1), above_digits = _mm_set1_epi8('9' + 1);
  const __m128i below_letters = _mm_set1_epi8('a' - 1), above_letters = _mm_set1_epi8('z' + 1);
  const __m128i case_bit = _mm_set1_epi8(0x20);
  for (; j + 16 <= len; j += 16) {
    // ASCII only: every byte is a non-negative signed char.
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j));
    const __m128i l = _mm_or_si128(c, case_bit);
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(c, below_digits), _mm_cmplt_epi8(c, above_digits));
    const __m128i letter =
        _mm_and_si128(_mm_cmpgt_epi8(l, below_letters), _mm_cmplt_epi8(l, above_letters));
    const auto bits = static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(digit, letter)));
    m |= uint64_t{bits} << j;
  }
#endif
  for (; j < len; ++j) {
    const auto c = static_cast<unsigned char>(p[j]);
    const bool word = static_cast<unsigned char>((c | 0x20) - 'a') < 26 ||
                      static_cast<unsigned char>(c - '0') < 10;
    m |= uint64_t{word} << j;
  }
  return m;
}

// out[i] = in[i] lower-cased, for ASCII bytes (i < n): SSE2 for whole
// 16-byte groups, then a byte at a time.
void LowerAscii(const char* in, size_t n, char* out) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8('A' - 1), above = _mm_set1_epi8('Z' + 1);
  const __m128i case_bit = _mm_set1_epi8(0x20);
  for (; i + 16 <= n; i += 16) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(c, below), _mm_cmplt_epi8(c, above));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm_or_si128(c, _mm_and_si128(upper, case_bit)));
  }
#endif
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    out[i] = static_cast<char>(c | (static_cast<unsigned char>(c - 'A') < 26 ? 0x20 : 0));
  }
}

// Pure-ASCII text in one pass: NFKC_Casefold of ASCII is lower-casing (no
// ASCII character decomposes, composes or is default-ignorable), ASCII has
// no unsegmented script, so a token is a maximal run of letters and digits
// and one space joins two tokens. The same output as the general loop below
// (tests/unit/fingerprint/analyze_test.cc, AsciiPathIsTheGeneralPath).
//
// Tokens are found 64 bytes at a time from a bitmap of word characters: a
// set bit of `edges` is where a token begins or the byte after it ends, and
// they alternate. A byte-at-a-time loop mispredicted the end of every word
// and every gap (two thirds of its time on English).
void AnalyzeAscii(std::string_view in, TextAnalysis* out) {
  const size_t n = in.size();
  if (n == 0) return;
  // The input lower-cased, with room for a token's 16-byte copy to run over.
  std::string lower(n + 16, ' ');
  LowerAscii(in.data(), n, lower.data());
  std::string& text = out->normalized;
  text.resize(n + 16);  // the output is never longer than the input
  char* o = text.data();
  size_t used = 0;
  const size_t tokens = n / 4 + 1;
  out->token_hashes.reserve(tokens);
  out->token_begin.reserve(tokens);
  out->token_end.reserve(tokens);
  uint64_t carry = 0;  // whether the byte before this group is a word character
  size_t begin = 0;    // in the input, of the token being read
  bool in_token = false;
  // One group past the end when n is a multiple of 64: a token ending at n
  // has its edge there.
  for (size_t base = 0; base <= n; base += 64) {
    const uint64_t words = WordMask(in.data() + base, std::min<size_t>(64, n - base));
    uint64_t edges = words ^ ((words << 1) | carry);
    carry = words >> 63;
    for (; edges != 0; edges &= edges - 1) {
      const size_t at = base + static_cast<size_t>(__builtin_ctzll(edges));
      if (!in_token) {
        begin = at;
        in_token = true;
        continue;
      }
      in_token = false;
      const size_t len = at - begin;
      if (used > 0) o[used++] = ' ';
      if (len <= 16) {
        std::memcpy(o + used, lower.data() + begin, 16);  // within the slack of both
      } else {
        std::memcpy(o + used, lower.data() + begin, len);
      }
      out->token_hashes.push_back(XXH3_64bits(o + used, len));
      out->token_begin.push_back(static_cast<uint32_t>(used));
      used += len;
      out->token_end.push_back(static_cast<uint32_t>(used));
    }
  }
  text.resize(used);
}

}  // namespace

absl::StatusOr<TextAnalysis> AnalyzeText(std::string_view utf8) {
  if (utf8.size() >= 3 && utf8.substr(0, 3) == "\xEF\xBB\xBF") utf8.remove_prefix(3);
  if (!IsValidUtf8(utf8)) {
    return absl::InvalidArgumentError("text is not well-formed UTF-8");
  }
  if (utf8.size() > static_cast<size_t>(INT32_MAX) / 4) {
    return absl::InvalidArgumentError("text is too large to fingerprint (> 512 MiB)");
  }
  TextAnalysis out;
  unsigned char high = 0;
  for (char c : utf8) high |= static_cast<unsigned char>(c);
  if (high < 0x80) {
    AnalyzeAscii(utf8, &out);
    return out;
  }
  std::string folded;
  folded.reserve(utf8.size() + utf8.size() / 8);
  {
    UErrorCode err = U_ZERO_ERROR;
    icu::StringByteSink<std::string> sink(&folded);
    NfkcCasefold().normalizeUTF8(
        0, icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())), sink, nullptr, err);
    if (U_FAILURE(err)) {
      return absl::InternalError(std::string("ICU normalisation failed: ") + u_errorName(err));
    }
  }

  std::string& text = out.normalized;
  text.reserve(folded.size());
  auto end_token = [&](size_t begin) {
    size_t end = text.size();
    out.token_hashes.push_back(XXH3_64bits(text.data() + begin, end - begin));
    out.token_begin.push_back(static_cast<uint32_t>(begin));
    out.token_end.push_back(static_cast<uint32_t>(end));
  };
  const char* s = folded.data();
  int32_t len = static_cast<int32_t>(folded.size());
  int32_t i = 0;
  bool pending_space = false, prev_unsegmented = false, have_prev = false;
  size_t word_begin = std::string::npos;
  auto separator = [&] {
    if (word_begin != std::string::npos) {
      end_token(word_begin);
      word_begin = std::string::npos;
    }
    pending_space = have_prev;
  };
  // Appends word characters [from, to) of `s`, continuing the current word.
  auto word_chars = [&](int32_t from, int32_t to) {
    // Spaces next to an unsegmented-script character carry no meaning (line
    // wrapping in Chinese), so they are dropped there.
    if (pending_space && !prev_unsegmented) text.push_back(' ');
    pending_space = false;
    if (word_begin == std::string::npos) word_begin = text.size();
    text.append(s + from, static_cast<size_t>(to - from));
    prev_unsegmented = false;
    have_prev = true;
  };
  const std::array<Kind, 128>& ascii_kinds = AsciiKinds();
  while (i < len) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {  // ASCII fast path: whole runs at once
      if (ascii_kinds[c] == Kind::kSeparator) {
        separator();
        ++i;
        continue;
      }
      int32_t j = i + 1;
      while (j < len && static_cast<unsigned char>(s[j]) < 0x80 &&
             ascii_kinds[static_cast<unsigned char>(s[j])] == Kind::kWord) {
        ++j;
      }
      word_chars(i, j);
      i = j;
      continue;
    }
    int32_t start = i;
    UChar32 cp;
    U8_NEXT(s, i, len, cp);
    Kind kind = Classify(cp);
    if (kind == Kind::kSeparator) {
      separator();
    } else if (kind == Kind::kWord) {
      word_chars(start, i);
    } else {
      if (word_begin != std::string::npos) {
        end_token(word_begin);
        word_begin = std::string::npos;
      }
      pending_space = false;
      size_t b = text.size();
      text.append(s + start, static_cast<size_t>(i - start));
      end_token(b);
      prev_unsegmented = true;
      have_prev = true;
    }
  }
  if (word_begin != std::string::npos) end_token(word_begin);
  return out;
}

std::string NormalizedHash(std::string_view normalized) {
  XXH128_hash_t h = XXH3_128bits(normalized.data(), normalized.size());
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  return std::string(reinterpret_cast<const char*>(c.digest), sizeof(c.digest));
}

}  // namespace provledger::fingerprint
