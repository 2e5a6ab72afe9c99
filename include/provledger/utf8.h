// Strict UTF-8 decoding (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
//
//   size_t i = 0; uint32_t cp;
//   while (i < s.size()) { if (!DecodeUtf8(s, &i, &cp)) return error; ... }
//
// Pure and thread-safe.
#ifndef PROVLEDGER_UTF8_H_
#define PROVLEDGER_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace provledger {

// Decodes the code point at s[*i] into *cp and advances *i past it. Returns
// false (leaving *i unchanged) on an ill-formed or truncated sequence.
bool DecodeUtf8(std::string_view s, size_t* i, uint32_t* cp);
// True iff all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

}  // namespace provledger

#endif  // PROVLEDGER_UTF8_H_
