// Shared test helpers: a temporary directory per test and status matchers.
#ifndef PROVLEDGER_TESTS_TEST_UTIL_H_
#define PROVLEDGER_TESTS_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace provledger::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/provledger-test-XXXXXX";
    char* made = mkdtemp(tmpl.data());
    if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace provledger::testing

#define PL_ASSERT_OK(expr)                                              \
  do {                                                                  \
    const ::absl::Status pl_s_ = ::provledger::testing::ToStatus(expr); \
    ASSERT_TRUE(pl_s_.ok()) << pl_s_;                                   \
  } while (false)
#define PL_EXPECT_OK(expr)                                              \
  do {                                                                  \
    const ::absl::Status pl_s_ = ::provledger::testing::ToStatus(expr); \
    EXPECT_TRUE(pl_s_.ok()) << pl_s_;                                   \
  } while (false)

namespace provledger::testing {
inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
// Unwraps a StatusOr in a test, failing the test on error.
template <typename T>
T ValueOrDie(absl::StatusOr<T> s) {
  if (!s.ok()) {
    ADD_FAILURE() << s.status();
    std::abort();
  }
  return *std::move(s);
}
}  // namespace provledger::testing

#endif  // PROVLEDGER_TESTS_TEST_UTIL_H_
