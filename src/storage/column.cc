#include "provledger/storage.h"

namespace provledger {

std::string_view ColumnName(Column c) {
  switch (c) {
    case Column::kEntries:
      return "entries";
    case Column::kTree:
      return "tree";
    case Column::kIndex:
      return "index";
    case Column::kMeta:
      return "meta";
    case Column::kPostings:
      return "postings";
  }
  return "unknown";
}

}  // namespace provledger
