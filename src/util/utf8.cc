#include "provledger/utf8.h"

#include <cstdio>
#include <cstring>

namespace provledger {

bool DecodeUtf8(std::string_view s, size_t* i, uint32_t* cp) {
  size_t p = *i;
  unsigned char c = static_cast<unsigned char>(s[p]);
  if (c < 0x80) {
    *cp = c;
    *i = p + 1;
    return true;
  }
  size_t n;
  uint32_t v;
  if ((c & 0xe0) == 0xc0) {
    n = 1;
    v = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    n = 2;
    v = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    n = 3;
    v = c & 0x07;
  } else {
    return false;
  }
  if (p + n >= s.size()) return false;  // truncated
  for (size_t k = 1; k <= n; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[p + k]);
    if ((cc & 0xc0) != 0x80) return false;
    v = (v << 6) | (cc & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return false;
  *cp = v;
  *i = p + n + 1;
  return true;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  uint32_t cp;
  while (i < s.size()) {
    // ASCII fast path, 8 bytes at a time.
    while (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);  // the high bits are byte-order independent
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= s.size()) break;
    if (!DecodeUtf8(s, &i, &cp)) return false;
  }
  return true;
}

namespace {

bool IsUnsafe(uint32_t cp, bool allow_newlines) {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
    return !(allow_newlines && (cp == '\n' || cp == '\t'));
  return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

bool IsCleanText(std::string_view s, bool allow_newlines) {
  size_t i = 0;
  uint32_t cp;
  while (i < s.size()) {
    if (!DecodeUtf8(s, &i, &cp) || IsUnsafe(cp, allow_newlines)) return false;
  }
  return true;
}

std::string EchoValue(std::string_view s, size_t max_bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    size_t start = i;
    uint32_t cp;
    if (!DecodeUtf8(s, &i, &cp)) {
      unsigned char b = static_cast<unsigned char>(s[i++]);
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 15];
    } else if (IsUnsafe(cp, false)) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), "\\u{%x}", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  if (i < s.size()) out += " ... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

}  // namespace provledger
