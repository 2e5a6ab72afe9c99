// SPDX license expressions (SPDX 2.3 Annex D) checked against the SPDX
// License List shipped in data/spdx/licenses.json, and the license class of
// each identifier (docs/policy.md). Pure: no I/O; the list is compiled in.
//
//   PL_ASSIGN_OR_RETURN(spdx::License l, spdx::ParseExpression("MIT OR Apache-2.0"));
//   l.canonical;        // "MIT OR Apache-2.0"
//   l.license_class;    // kPermissive
//
// Thread-safe.
#ifndef PROVLEDGER_SPDX_H_
#define PROVLEDGER_SPDX_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace provledger::spdx {

// Ordered from least to most restrictive for training use; the order
// decides the class of compound expressions (see ParseExpression).
enum class LicenseClass : uint8_t {
  kPublicDomain = 1,
  kPermissive = 2,
  kWeakCopyleft = 3,
  kStrongCopyleft = 4,
  kNoDerivatives = 5,
  kNonCommercial = 6,
  kProprietaryContract = 7,
  kUnknown = 8,
};
// "public_domain", "permissive", "weak_copyleft", "strong_copyleft",
// "no_derivatives", "non_commercial", "proprietary_contract", "unknown".
std::string_view LicenseClassName(LicenseClass c);
std::optional<LicenseClass> ParseLicenseClass(std::string_view name);

struct LicenseInfo {
  std::string id;  // canonical case
  std::string name;
  bool osi_approved = false;
  bool deprecated = false;
  LicenseClass license_class = LicenseClass::kUnknown;
};

// The SPDX License List compiled into the binary.
const std::string& LicenseListVersion();  // "3.17"
// Case-insensitive lookup (SPDX ids match case-insensitively); nullptr if
// the id is not on the list.
const LicenseInfo* FindLicense(std::string_view id);
// The canonical spelling of a license exception id, or nullopt.
std::optional<std::string> FindException(std::string_view id);

// A parsed, checked expression.
struct License {
  // Canonical text: ids in their canonical case, operators separated by one
  // space, parentheses only where precedence needs them.
  std::string canonical;
  // Every license id and LicenseRef in order of appearance, once each.
  std::vector<std::string> ids;
  // Ids that are syntactically valid but not on the list (they make the
  // class kUnknown unless the caller maps them).
  std::vector<std::string> unlisted;
  // The class of the whole expression: OR takes the least restrictive
  // operand (the licensee may choose it), AND the most restrictive, WITH the
  // license's own class; "+" keeps the class of the version named.
  LicenseClass license_class = LicenseClass::kUnknown;
};

// Parses `expression`. `ref_classes` gives the class of LicenseRef-...
// identifiers (and may override listed ids); others are kUnknown.
// InvalidArgument with the offending token and its offset for a syntax
// error, an unknown exception, or an expression longer than 1024 bytes or
// nested deeper than 32. Unlisted license ids are not errors: they are
// reported in `unlisted` and classed kUnknown.
absl::StatusOr<License> ParseExpression(
    std::string_view expression, const std::map<std::string, LicenseClass>& ref_classes = {});

}  // namespace provledger::spdx

#endif  // PROVLEDGER_SPDX_H_
