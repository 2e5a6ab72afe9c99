// Byte-level helpers shared by every layer: fixed-width big-endian integers,
// hex and strict base64 (RFC 4648 section 4, padded).
//
// All functions are pure and thread-safe.
#ifndef PROVLEDGER_ENCODING_H_
#define PROVLEDGER_ENCODING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace provledger {

// Writes `v` as 8/4/2 big-endian bytes at `p` (so byte order equals numeric
// order); the caller guarantees the room. Inline: keys and entries are built
// and read by millions, and the compiler turns each into a load or store
// and a byte swap.
inline void StoreU64BE(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
}
inline void StoreU32BE(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
}
// Appends `v` as 8/4/2 big-endian bytes.
inline void AppendU64BE(std::string* out, uint64_t v) {
  char b[8];
  StoreU64BE(b, v);
  out->append(b, sizeof(b));
}
inline void AppendU32BE(std::string* out, uint32_t v) {
  char b[4];
  StoreU32BE(b, v);
  out->append(b, sizeof(b));
}
inline void AppendU16BE(std::string* out, uint16_t v) {
  char b[2] = {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
  out->append(b, sizeof(b));
}
// Reads 8/4/2 big-endian bytes at `p`; the caller guarantees the length.
inline uint64_t ReadU64BE(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint32_t ReadU32BE(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint16_t ReadU16BE(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
// Returns the 8-byte big-endian encoding of `v`.
std::string U64BE(uint64_t v);

// Lower-case hex of `bytes`.
std::string ToHex(std::string_view bytes);
// Parses hex (either case). InvalidArgument on odd length or a non-hex digit.
absl::StatusOr<std::string> FromHex(std::string_view hex);

// Standard padded base64.
std::string Base64Encode(std::string_view bytes);
// Strict decoding: only the canonical padded form of some byte string is
// accepted (no whitespace, no missing padding, no non-zero trailing bits).
// InvalidArgument otherwise.
absl::StatusOr<std::string> Base64Decode(std::string_view b64);

// `s` with ASCII letters lower-cased (other bytes, UTF-8 included, kept).
std::string AsciiLower(std::string_view s);

// Parses an ASCII decimal uint64 with no sign and no leading zeros (except
// "0" itself). InvalidArgument on anything else, including overflow.
absl::StatusOr<uint64_t> ParseDecimalU64(std::string_view s);

}  // namespace provledger

#endif  // PROVLEDGER_ENCODING_H_
