#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include "commands.h"

namespace provledger::cli {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::Status WriteOutput(const std::string& path, const std::string& data) {
  if (path.empty() || path == "-") {
    std::cout << data << std::flush;
    return absl::OkStatus();
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  out.close();
  if (!out) return absl::UnavailableError("cannot write " + path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolveVerifierKey(const std::string& arg) {
  std::string path = arg;
  if (!path.empty() && path[0] == '@') path = path.substr(1);
  std::ifstream in(path);
  if (!in) return arg;  // given literally
  std::string line;
  std::getline(in, line);
  if (line.empty()) return absl::InvalidArgumentError("verifier key file " + path + " is empty");
  return line;
}

}  // namespace provledger::cli
