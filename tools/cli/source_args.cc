#include "source_args.h"

#include <fstream>
#include <sstream>

#include "provledger/source_record_codec.h"
#include "source_proto.h"

namespace provledger::cli {

absl::StatusOr<policy::SourceRecord> LoadSourceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = policy::SourceRecordFromJson(ss.str(), path + ": ");
  if (!r.ok()) return r.status();
  absl::Status s = policy::ValidateSourceRecord(*r, path + ": ");
  if (!s.ok()) return s;
  return r;
}

v1::SourceRecord ToProto(const policy::SourceRecord& r) {
  v1::SourceRecord p;
  service::ToProto(r, &p);
  return p;
}

}  // namespace provledger::cli
