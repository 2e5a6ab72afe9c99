#include "provledger/utf8.h"

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

}  // namespace provledger
