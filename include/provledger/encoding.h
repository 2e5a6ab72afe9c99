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

// Appends `v` as 8 big-endian bytes (so byte order equals numeric order).
void AppendU64BE(std::string* out, uint64_t v);
void AppendU32BE(std::string* out, uint32_t v);
void AppendU16BE(std::string* out, uint16_t v);
// Reads 8/4/2 big-endian bytes at `p`; the caller guarantees the length.
uint64_t ReadU64BE(const char* p);
uint32_t ReadU32BE(const char* p);
uint16_t ReadU16BE(const char* p);
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
