// Status propagation macros.
//
// The Debian build of abseil (20220623) ships absl::Status and absl::StatusOr
// but not the RETURN_IF_ERROR / ASSIGN_OR_RETURN helpers, so they live here.
//
//   absl::StatusOr<int> Parse(std::string_view s);
//   absl::Status Use(std::string_view s) {
//     PL_ASSIGN_OR_RETURN(int v, Parse(s));
//     PL_RETURN_IF_ERROR(Check(v));
//     return absl::OkStatus();
//   }
#ifndef PROVLEDGER_STATUS_MACROS_H_
#define PROVLEDGER_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PL_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::absl::Status pl_status_ = (expr);      \
    if (!pl_status_.ok()) return pl_status_; \
  } while (false)

#define PL_STATUS_CONCAT_INNER_(a, b) a##b
#define PL_STATUS_CONCAT_(a, b) PL_STATUS_CONCAT_INNER_(a, b)

#define PL_ASSIGN_OR_RETURN(lhs, expr) \
  PL_ASSIGN_OR_RETURN_IMPL_(PL_STATUS_CONCAT_(pl_statusor_, __LINE__), lhs, expr)

// `lhs` may be a declaration ("auto x"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define PL_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                              \
  if (!var.ok()) return var.status();             \
  lhs = std::move(var).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // PROVLEDGER_STATUS_MACROS_H_
