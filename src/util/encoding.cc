#include "provledger/encoding.h"

#include <string>

#include "absl/strings/escaping.h"

namespace provledger {

std::string U64BE(uint64_t v) {
  std::string s;
  s.reserve(8);
  AppendU64BE(&s, v);
  return s;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

absl::StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return absl::InvalidArgumentError("hex string has odd length");
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError("hex string has a non-hex character");
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  return absl::Base64Escape(absl::string_view(bytes.data(), bytes.size()));
}

absl::StatusOr<std::string> Base64Decode(std::string_view b64) {
  std::string out;
  if (b64.size() % 4 != 0 ||
      !absl::Base64Unescape(absl::string_view(b64.data(), b64.size()), &out) ||
      Base64Encode(out) != b64) {
    return absl::InvalidArgumentError("not canonical padded base64");
  }
  return out;
}

absl::StatusOr<uint64_t> ParseDecimalU64(std::string_view s) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) {
    return absl::InvalidArgumentError("not a canonical decimal number");
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError("not a canonical decimal number");
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      return absl::InvalidArgumentError("decimal number overflows 64 bits");
    }
    v = v * 10 + d;
  }
  return v;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace provledger
