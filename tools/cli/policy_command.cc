// `provledger policy check|default`: judge source records offline, with the
// same code the server runs, before sending anything.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "inputs.h"
#include "provledger/policy.h"
#include "source_args.h"

namespace provledger::cli {

int PolicyDefault() {
  std::cout << policy::Policy::DefaultPolicyJson();
  return 0;
}

int PolicyCheck(const PolicyCheckArgs& args) {
  std::optional<policy::Policy> loaded;
  const policy::Policy* p = &policy::Policy::Default();
  if (!args.policy_file.empty()) {
    std::ifstream in(args.policy_file, std::ios::binary);
    if (!in) {
      std::cerr << "provledger: cannot read " << args.policy_file << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = policy::Policy::Parse(ss.str());
    if (!parsed.ok()) {
      std::cerr << "provledger: " << args.policy_file << ": " << parsed.status().message() << "\n";
      return 2;
    }
    loaded = *std::move(parsed);
    p = &*loaded;
  }
  policy::SourceRecord defaults;
  if (!args.defaults_file.empty()) {
    auto d = LoadSourceFile(args.defaults_file);
    if (!d.ok()) {
      std::cerr << "provledger: " << d.status().message() << "\n";
      return 2;
    }
    defaults = *std::move(d);
  }
  auto files = ExpandInputs(args.inputs, /*force_jsonl=*/true);
  if (!files.ok()) {
    std::cerr << "provledger: " << files.status().message() << "\n";
    return 2;
  }
  uint64_t counts[4] = {0, 0, 0, 0};
  for (const InputFile& file : *files) {
    std::ifstream in(file.path, std::ios::binary);
    std::string line;
    uint64_t line_no = 0;
    for (LineRead got; (got = ReadJsonlLine(in, &line)) != LineRead::kEnd;) {
      ++line_no;
      if (got == LineRead::kTooLong || !JsonDepthWithin(line, kMaxJsonDepth)) {
        std::cerr << "provledger: " << file.path.string() << ":" << line_no
                  << (got == LineRead::kTooLong ? ": line too long" : ": JSON nested too deep")
                  << "\n";
        return 1;
      }
      // Records need no text here: add an empty one so the shared parser
      // accepts {"ref": ..., "source": {...}}.
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && !j.contains("text")) {
        j["text"] = "";
        line = j.dump();
      }
      auto record = ParseJsonlLine(line, file, line_no);
      if (!record.ok()) {
        std::cerr << "provledger: " << record.status().message() << "\n";
        return 1;
      }
      if (!record->has_value()) continue;
      policy::SourceRecord merged =
          policy::MergeDefaults(defaults, (*record)->source.value_or(policy::SourceRecord{}));
      policy::Decision d =
          p->Evaluate(merged, policy::EvaluationContext{args.intended_use, 0, args.media_type});
      counts[static_cast<int>(d.verdict)]++;
      nlohmann::json out;
      out["ref"] = (*record)->ref;
      out["verdict"] = policy::VerdictName(d.verdict);
      nlohmann::json reasons = nlohmann::json::array();
      for (const policy::Reason& r : d.reasons) {
        reasons.push_back({{"code", r.code},
                           {"severity", policy::VerdictName(r.severity)},
                           {"message", r.message}});
      }
      out["reasons"] = reasons;
      if (!d.license_canonical.empty()) {
        out["license"] = d.license_canonical;
        out["license_class"] = spdx::LicenseClassName(d.license_class);
      }
      std::cout << out.dump() << "\n";
    }
  }
  std::cerr << "policy '" << p->name() << "' (" << args.intended_use << " use): " << counts[1]
            << " accepted, " << counts[2] << " flagged, " << counts[3] << " rejected\n";
  return 0;
}

}  // namespace provledger::cli
