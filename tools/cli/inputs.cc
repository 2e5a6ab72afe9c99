#include "inputs.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "provledger/source_record_codec.h"

namespace provledger::cli {

absl::StatusOr<std::vector<InputFile>> ExpandInputs(const std::vector<std::string>& inputs,
                                                    bool force_jsonl) {
  std::vector<InputFile> files;
  auto add = [&](const std::filesystem::path& p, std::string ref) {
    files.push_back(InputFile{p, std::move(ref), force_jsonl || p.extension() == ".jsonl"});
  };
  for (const auto& in : inputs) {
    std::filesystem::path p(in);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      std::vector<std::filesystem::path> found;
      for (auto& e : std::filesystem::recursive_directory_iterator(p, ec)) {
        if (e.is_regular_file()) found.push_back(e.path());
      }
      std::sort(found.begin(), found.end());
      for (auto& f : found) add(f, std::filesystem::relative(f, p).string());
    } else if (std::filesystem::is_regular_file(p, ec)) {
      add(p, p.filename().string());
    } else {
      return absl::InvalidArgumentError(in + " is not a file or folder");
    }
  }
  return files;
}

LineRead ReadJsonlLine(std::istream& in, std::string* line) {
  line->clear();
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (int c = buf->sbumpc(); c != std::char_traits<char>::eof(); c = buf->sbumpc()) {
    any = true;
    if (c == '\n') return LineRead::kLine;
    if (line->size() == kMaxJsonlLineBytes) {
      line->clear();
      do {
        c = buf->sbumpc();
      } while (c != '\n' && c != std::char_traits<char>::eof());
      return LineRead::kTooLong;
    }
    line->push_back(static_cast<char>(c));
  }
  return any ? LineRead::kLine : LineRead::kEnd;
}

bool JsonDepthWithin(std::string_view json, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

absl::StatusOr<std::optional<JsonlRecord>> ParseJsonlLine(const std::string& line,
                                                          const InputFile& file, uint64_t line_no) {
  if (line.find_first_not_of(" \t\r") == std::string::npos) return std::optional<JsonlRecord>();
  if (!JsonDepthWithin(line, kMaxJsonDepth)) {
    return absl::InvalidArgumentError(file.path.string() + ":" + std::to_string(line_no) +
                                      ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
                                      " levels");
  }
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string()) {
    return absl::InvalidArgumentError(file.path.string() + ":" + std::to_string(line_no) +
                                      ": expected {\"ref\": ..., \"text\": ...}");
  }
  JsonlRecord r;
  r.ref = j.contains("ref") && j["ref"].is_string() ? j["ref"].get<std::string>()
                                                    : file.ref + ":" + std::to_string(line_no);
  r.text = j["text"].get<std::string>();
  if (j.contains("source")) {
    std::string where = file.path.string() + ":" + std::to_string(line_no) + ": source.";
    auto source = policy::SourceRecordFromJson(j["source"].dump(), where);
    if (!source.ok()) return source.status();
    absl::Status valid = policy::ValidateSourceRecord(*source, where);
    if (!valid.ok()) return valid;
    r.source = *std::move(source);
  }
  return std::optional<JsonlRecord>(std::move(r));
}

}  // namespace provledger::cli
