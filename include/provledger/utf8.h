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
#include <string>
#include <string_view>

namespace provledger {

// Decodes the code point at s[*i] into *cp and advances *i past it. Returns
// false (leaving *i unchanged) on an ill-formed or truncated sequence.
bool DecodeUtf8(std::string_view s, size_t* i, uint32_t* cp);
// True iff all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);
// True iff `s` is well-formed UTF-8 holding no control character (C0, DEL,
// C1; newline and tab only with `allow_newlines`) and no bidirectional
// formatting character (U+061C, U+200E-U+200F, U+202A-U+202E,
// U+2066-U+2069), which could make a name or reference display as another
// (e.g. U+202E reversing what follows it).
bool IsCleanText(std::string_view s, bool allow_newlines = false);
// `s` made safe to echo in an error message: at most `max_bytes` of it, cut
// on a character boundary, with anything not clean text (bytes of invalid
// UTF-8, controls, bidirectional formatting) written as \xNN or \u{N}, and
// " ... (N bytes)" when it was cut.
std::string EchoValue(std::string_view s, size_t max_bytes = 128);

}  // namespace provledger

#endif  // PROVLEDGER_UTF8_H_
