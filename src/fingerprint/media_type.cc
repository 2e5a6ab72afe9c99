// Media types of registered bytes, from their leading "magic" bytes.
#include <string>

#include "provledger/fingerprint.h"
#include "provledger/utf8.h"

namespace provledger::fingerprint {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string SniffMediaType(std::string_view bytes) {
  struct Magic {
    std::string_view prefix;
    const char* type;
  };
  static const Magic kMagic[] = {
      {std::string_view("\x89PNG\r\n\x1a\n", 8), "image/png"},
      {std::string_view("\xff\xd8\xff", 3), "image/jpeg"},
      {"GIF87a", "image/gif"},
      {"GIF89a", "image/gif"},
      {"%PDF-", "application/pdf"},
      {std::string_view("PK\x03\x04", 4), "application/zip"},
      {std::string_view("\x1f\x8b", 2), "application/gzip"},
      {std::string_view("\x28\xb5\x2f\xfd", 4), "application/zstd"},
      {"ID3", "audio/mpeg"},
      {"fLaC", "audio/flac"},
      {"OggS", "audio/ogg"},
      {std::string_view("\x1a\x45\xdf\xa3", 4), "video/webm"},
  };
  for (const auto& m : kMagic) {
    if (StartsWith(bytes, m.prefix)) return m.type;
  }
  if (StartsWith(bytes, "RIFF") && bytes.size() >= 12) {
    std::string_view kind = bytes.substr(8, 4);
    if (kind == "WEBP") return "image/webp";
    if (kind == "WAVE") return "audio/wav";
    if (kind == "AVI ") return "video/x-msvideo";
  }
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") return "video/mp4";
  if (bytes.find('\0') == std::string_view::npos && IsValidUtf8(bytes)) {
    return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

bool IsTextMediaType(std::string_view media_type) { return StartsWith(media_type, "text/"); }

}  // namespace provledger::fingerprint
