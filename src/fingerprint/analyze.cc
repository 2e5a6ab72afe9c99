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
#include <string>

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

// Pure-ASCII text in one pass: NFKC_Casefold of ASCII is lower-casing (no
// ASCII character decomposes, composes or is default-ignorable), ASCII has
// no unsegmented script, so a token is a maximal run of letters and digits
// and one space joins two tokens. The same output as the general loop below
// (tests/unit/fingerprint/analyze_test.cc, AsciiPathIsTheGeneralPath).
void AnalyzeAscii(std::string_view in, TextAnalysis* out) {
  static const std::array<char, 128> lower = [] {
    std::array<char, 128> t{};
    for (int c = 0; c < 128; ++c) t[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return t;
  }();
  const std::array<Kind, 128>& kinds = AsciiKinds();
  auto word = [&kinds](char c) { return kinds[static_cast<unsigned char>(c)] == Kind::kWord; };
  std::string& text = out->normalized;
  text.resize(in.size());  // the output is never longer
  char* o = text.data();
  size_t n = 0;
  const size_t tokens = in.size() / 4 + 1;
  out->token_hashes.reserve(tokens);
  out->token_begin.reserve(tokens);
  out->token_end.reserve(tokens);
  size_t i = 0;
  while (true) {
    while (i < in.size() && !word(in[i])) ++i;
    if (i == in.size()) break;
    if (n > 0) o[n++] = ' ';
    const size_t begin = n;
    while (i < in.size() && word(in[i])) o[n++] = lower[static_cast<unsigned char>(in[i++])];
    out->token_hashes.push_back(XXH3_64bits(o + begin, n - begin));
    out->token_begin.push_back(static_cast<uint32_t>(begin));
    out->token_end.push_back(static_cast<uint32_t>(n));
  }
  text.resize(n);
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
