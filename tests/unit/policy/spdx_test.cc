#include "provledger/spdx.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace provledger::spdx {
namespace {

using testing::ValueOrDie;

TEST(SpdxListTest, CompiledInListHasVersionLicensesClassesAndExceptions) {
  EXPECT_EQ(LicenseListVersion(), "3.17");
  const LicenseInfo* mit = FindLicense("mit");  // ids match case-insensitively
  ASSERT_NE(mit, nullptr);
  EXPECT_EQ(mit->id, "MIT");
  EXPECT_TRUE(mit->osi_approved);
  EXPECT_EQ(mit->license_class, LicenseClass::kPermissive);
  EXPECT_EQ(FindLicense("GPL-3.0-only")->license_class, LicenseClass::kStrongCopyleft);
  EXPECT_EQ(FindLicense("LGPL-2.1-or-later")->license_class, LicenseClass::kWeakCopyleft);
  EXPECT_EQ(FindLicense("CC-BY-NC-SA-4.0")->license_class, LicenseClass::kNonCommercial);
  EXPECT_EQ(FindLicense("CC-BY-ND-4.0")->license_class, LicenseClass::kNoDerivatives);
  EXPECT_EQ(FindLicense("CC0-1.0")->license_class, LicenseClass::kPublicDomain);
  EXPECT_EQ(FindLicense("BUSL-1.1")->license_class, LicenseClass::kProprietaryContract);
  EXPECT_TRUE(FindLicense("GPL-2.0")->deprecated);
  EXPECT_EQ(FindLicense("NotALicense-1.0"), nullptr);
  EXPECT_EQ(FindException("classpath-exception-2.0").value_or(""), "Classpath-exception-2.0");
  for (int i = 1; i <= 8; ++i) {
    auto c = static_cast<LicenseClass>(i);
    EXPECT_EQ(ParseLicenseClass(LicenseClassName(c)), c);
  }
}

TEST(SpdxExpressionTest, PrecedenceCanonicalFormAndClasses) {
  License l = ValueOrDie(ParseExpression("mit OR apache-2.0"));
  EXPECT_EQ(l.canonical, "MIT OR Apache-2.0");
  EXPECT_EQ(l.ids, (std::vector<std::string>{"MIT", "Apache-2.0"}));
  EXPECT_EQ(l.license_class, LicenseClass::kPermissive);

  // AND binds tighter than OR; OR picks the least restrictive operand.
  l = ValueOrDie(ParseExpression("GPL-3.0-only AND CC-BY-NC-4.0 OR MIT"));
  EXPECT_EQ(l.canonical, "GPL-3.0-only AND CC-BY-NC-4.0 OR MIT");
  EXPECT_EQ(l.license_class, LicenseClass::kPermissive);
  // Parentheses change it: AND takes the most restrictive.
  l = ValueOrDie(ParseExpression("((GPL-3.0-only)) AND (CC-BY-NC-4.0 OR MIT)"));
  EXPECT_EQ(l.canonical, "GPL-3.0-only AND (CC-BY-NC-4.0 OR MIT)");
  EXPECT_EQ(l.license_class, LicenseClass::kStrongCopyleft);
  l = ValueOrDie(ParseExpression("CC-BY-NC-4.0 AND CC-BY-SA-4.0"));
  EXPECT_EQ(l.license_class, LicenseClass::kNonCommercial);

  l = ValueOrDie(ParseExpression("GPL-2.0-or-later WITH Classpath-exception-2.0"));
  EXPECT_EQ(l.canonical, "GPL-2.0-or-later WITH Classpath-exception-2.0");
  EXPECT_EQ(l.license_class, LicenseClass::kStrongCopyleft);
  l = ValueOrDie(ParseExpression("Apache-2.0+"));
  EXPECT_EQ(l.canonical, "Apache-2.0+");
  EXPECT_EQ(l.license_class, LicenseClass::kPermissive);
}

TEST(SpdxExpressionTest, LicenseRefsAndUnlistedIds) {
  License l = ValueOrDie(ParseExpression("LicenseRef-Acme-News-2026 OR MIT"));
  EXPECT_EQ(l.ids, (std::vector<std::string>{"LicenseRef-Acme-News-2026", "MIT"}));
  EXPECT_TRUE(l.unlisted.empty());
  l = ValueOrDie(ParseExpression("LicenseRef-Acme-News-2026"));
  EXPECT_EQ(l.license_class, LicenseClass::kUnknown);
  l = ValueOrDie(
      ParseExpression("LicenseRef-Acme-News-2026",
                      {{"LicenseRef-Acme-News-2026", LicenseClass::kProprietaryContract}}));
  EXPECT_EQ(l.license_class, LicenseClass::kProprietaryContract);
  l = ValueOrDie(ParseExpression("DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2"));
  EXPECT_EQ(l.canonical, "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2");
  // Well-formed but not on the list: kept, reported, unknown class.
  l = ValueOrDie(ParseExpression("Made-Up-1.0"));
  EXPECT_EQ(l.unlisted, (std::vector<std::string>{"Made-Up-1.0"}));
  EXPECT_EQ(l.license_class, LicenseClass::kUnknown);
}

TEST(SpdxExpressionTest, MalformedExpressionsNameTheTokenAndOffset) {
  struct Case {
    std::string expr, needle;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty"},
           {"MIT OR", "missing license id"},
           {"MIT AND AND Apache-2.0", "'AND' at offset 8"},
           {"(MIT OR Apache-2.0", "missing ')'"},
           {"MIT) OR Zlib", "unexpected ')' at offset 3"},
           {"MIT or Apache-2.0", "operators are upper case"},
           {"MIT Apache-2.0", "unexpected 'Apache-2.0'"},
           {"GPL-2.0-only WITH No-Such-Exception", "unknown license exception"},
           {"(MIT OR Zlib) WITH Classpath-exception-2.0", "WITH must follow a license id"},
           {"MIT/X11", "invalid character"},
           {"LicenseRef-", "malformed LicenseRef"},
           {"LicenseRef-x+", "malformed LicenseRef"},
           {std::string(40, '(') + "MIT" + std::string(40, ')'), "nested deeper"},
           {std::string(1100, 'a'), "longer than 1024"},
       }) {
    auto r = ParseExpression(c.expr);
    ASSERT_FALSE(r.ok()) << c.expr;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.needle), std::string::npos)
        << c.expr << " -> " << r.status().message();
  }
}

}  // namespace
}  // namespace provledger::spdx
