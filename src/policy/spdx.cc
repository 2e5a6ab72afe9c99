// SPDX expression parser (recursive descent; WITH > AND > OR) and the
// compiled-in license list.
#include "provledger/spdx.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "provledger/encoding.h"

namespace provledger::spdx {
namespace internal {
extern const std::string_view kLicenseListJson;
}  // namespace internal
namespace {

constexpr size_t kMaxExpressionBytes = 1024;
constexpr int kMaxDepth = 32;

struct ListData {
  std::string version;
  std::unordered_map<std::string, LicenseInfo> licenses;  // by lower-case id
  std::unordered_map<std::string, std::string> exceptions;
};

const ListData& Data() {
  static const ListData* data = [] {
    auto* d = new ListData;
    // The data is compiled in and checked by the unit tests; a parse failure
    // here is a build defect.
    nlohmann::json j = nlohmann::json::parse(internal::kLicenseListJson);
    d->version = j.at("license_list_version").get<std::string>();
    for (const auto& l : j.at("licenses")) {
      LicenseInfo info;
      info.id = l.at("id").get<std::string>();
      info.name = l.at("name").get<std::string>();
      info.osi_approved = l.at("osi_approved").get<bool>();
      info.deprecated = l.at("deprecated").get<bool>();
      auto cls = ParseLicenseClass(l.at("class").get<std::string>());
      if (!cls) std::abort();
      info.license_class = *cls;
      d->licenses.emplace(AsciiLower(info.id), std::move(info));
    }
    for (const auto& e : j.at("exceptions")) {
      std::string id = e.get<std::string>();
      d->exceptions.emplace(AsciiLower(id), id);
    }
    return d;
  }();
  return *data;
}

bool IsIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

struct Token {
  std::string text;
  size_t offset;
};

// An expression tree node.
struct Node {
  enum Kind { kLicense, kWith, kAnd, kOr } kind;
  std::string id;         // kLicense: canonical id (with "+" if given)
  std::string exception;  // kWith
  std::vector<std::unique_ptr<Node>> children;
};

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::map<std::string, LicenseClass>& refs, License* out)
      : tokens_(std::move(tokens)), refs_(refs), out_(out) {}

  absl::StatusOr<std::unique_ptr<Node>> ParseAll() {
    auto n = ParseOr(0);
    if (!n.ok()) return n.status();
    if (pos_ != tokens_.size()) {
      std::string lower = AsciiLower(tokens_[pos_].text);
      if (lower == "and" || lower == "or" || lower == "with") {
        return Error("operators are upper case (AND, OR, WITH): found", tokens_[pos_]);
      }
      return Error("unexpected", tokens_[pos_]);
    }
    return n;
  }

 private:
  absl::Status Error(const std::string& what, const Token& t) {
    return absl::InvalidArgumentError(what + " '" + t.text + "' at offset " +
                                      std::to_string(t.offset) + " of the SPDX expression");
  }
  absl::Status ErrorAtEnd(const std::string& what) {
    return absl::InvalidArgumentError(what + " at the end of the SPDX expression");
  }
  bool Peek(std::string_view text) const {
    return pos_ < tokens_.size() && tokens_[pos_].text == text;
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseBinary(Node::Kind kind, std::string_view op,
                                                    int depth) {
    auto first = kind == Node::kOr ? ParseBinary(Node::kAnd, "AND", depth) : ParseWith(depth);
    if (!first.ok()) return first.status();
    if (!Peek(op)) return first;
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->children.push_back(*std::move(first));
    while (Peek(op)) {
      ++pos_;
      auto next = kind == Node::kOr ? ParseBinary(Node::kAnd, "AND", depth) : ParseWith(depth);
      if (!next.ok()) return next.status();
      node->children.push_back(*std::move(next));
    }
    return node;
  }
  absl::StatusOr<std::unique_ptr<Node>> ParseOr(int depth) {
    if (depth > kMaxDepth) {
      return absl::InvalidArgumentError("SPDX expression is nested deeper than " +
                                        std::to_string(kMaxDepth));
    }
    return ParseBinary(Node::kOr, "OR", depth);
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseWith(int depth) {
    auto simple = ParsePrimary(depth);
    if (!simple.ok()) return simple.status();
    if (!Peek("WITH")) return simple;
    if ((*simple)->kind != Node::kLicense)
      return Error("WITH must follow a license id", tokens_[pos_]);
    ++pos_;
    if (pos_ >= tokens_.size()) return ErrorAtEnd("missing exception id after WITH");
    const Token& t = tokens_[pos_++];
    auto exc = FindException(t.text);
    if (!exc) {
      return Error("unknown license exception (SPDX License List " + LicenseListVersion() + ")", t);
    }
    auto node = std::make_unique<Node>();
    node->kind = Node::kWith;
    node->exception = *exc;
    node->children.push_back(*std::move(simple));
    return node;
  }

  absl::StatusOr<std::unique_ptr<Node>> ParsePrimary(int depth) {
    if (pos_ >= tokens_.size()) return ErrorAtEnd("missing license id");
    const Token& t = tokens_[pos_];
    if (t.text == "(") {
      ++pos_;
      auto inner = ParseOr(depth + 1);
      if (!inner.ok()) return inner.status();
      if (!Peek(")")) {
        return pos_ < tokens_.size() ? Error("expected ')' instead of", tokens_[pos_])
                                     : ErrorAtEnd("missing ')'");
      }
      ++pos_;
      return inner;
    }
    if (t.text == ")" || t.text == "AND" || t.text == "OR" || t.text == "WITH") {
      return Error("expected a license id instead of", t);
    }
    std::string lower = AsciiLower(t.text);
    if (lower == "and" || lower == "or" || lower == "with") {
      return Error("operators are upper case (AND, OR, WITH): found", t);
    }
    ++pos_;
    return ParseLicenseId(t);
  }

  absl::StatusOr<std::unique_ptr<Node>> ParseLicenseId(const Token& t) {
    std::string text = t.text;
    bool plus = !text.empty() && text.back() == '+';
    if (plus) text.pop_back();
    auto node = std::make_unique<Node>();
    node->kind = Node::kLicense;
    bool ref = false;
    std::string idpart = text;
    size_t colon = text.find(':');
    if (colon != std::string::npos) {
      // DocumentRef-<idstring>:LicenseRef-<idstring>
      if (text.rfind("DocumentRef-", 0) != 0 || colon == 12) return Error("malformed reference", t);
      idpart = text.substr(colon + 1);
      if (idpart.rfind("LicenseRef-", 0) != 0) return Error("malformed reference", t);
    }
    if (idpart.rfind("LicenseRef-", 0) == 0) {
      ref = true;
      if (idpart.size() == 11 || plus) return Error("malformed LicenseRef", t);
    }
    for (char c : colon == std::string::npos ? text : text.substr(0, colon) + idpart) {
      if (!IsIdChar(c)) return Error("invalid character in license id", t);
    }
    if (text.empty()) return Error("empty license id", t);
    LicenseClass cls = LicenseClass::kUnknown;
    std::string canonical = text;
    if (!ref) {
      const LicenseInfo* info = FindLicense(text);
      if (info != nullptr) {
        canonical = info->id;
        cls = info->license_class;
      } else {
        AddOnce(&out_->unlisted, text);
      }
    }
    auto mapped = refs_.find(canonical);
    if (mapped != refs_.end()) cls = mapped->second;
    AddOnce(&out_->ids, canonical);
    node->id = canonical + (plus ? "+" : "");
    classes_[node.get()] = cls;
    return node;
  }

  static void AddOnce(std::vector<std::string>* v, const std::string& s) {
    if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
  }

 public:
  LicenseClass ClassOf(const Node& n) const {
    switch (n.kind) {
      case Node::kLicense:
        return classes_.at(&n);
      case Node::kWith:
        return ClassOf(*n.children[0]);
      case Node::kAnd: {
        LicenseClass c = LicenseClass::kPublicDomain;
        for (const auto& ch : n.children) c = std::max(c, ClassOf(*ch));
        return c;
      }
      case Node::kOr: {
        LicenseClass c = LicenseClass::kUnknown;
        for (const auto& ch : n.children) c = std::min(c, ClassOf(*ch));
        return c;
      }
    }
    return LicenseClass::kUnknown;
  }

 private:
  std::vector<Token> tokens_;
  const std::map<std::string, LicenseClass>& refs_;
  License* out_;
  size_t pos_ = 0;
  std::unordered_map<const Node*, LicenseClass> classes_;
};

std::string Render(const Node& n, Node::Kind parent) {
  switch (n.kind) {
    case Node::kLicense:
      return n.id;
    case Node::kWith:
      return Render(*n.children[0], Node::kWith) + " WITH " + n.exception;
    case Node::kAnd:
    case Node::kOr: {
      std::string s;
      const char* op = n.kind == Node::kAnd ? " AND " : " OR ";
      for (size_t i = 0; i < n.children.size(); ++i) {
        if (i) s += op;
        s += Render(*n.children[i], n.kind);
      }
      // OR inside AND needs parentheses; AND inside OR does not.
      bool paren = n.kind == Node::kOr && parent == Node::kAnd;
      return paren ? "(" + s + ")" : s;
    }
  }
  return "";
}

}  // namespace

std::string_view LicenseClassName(LicenseClass c) {
  switch (c) {
    case LicenseClass::kPublicDomain:
      return "public_domain";
    case LicenseClass::kPermissive:
      return "permissive";
    case LicenseClass::kWeakCopyleft:
      return "weak_copyleft";
    case LicenseClass::kStrongCopyleft:
      return "strong_copyleft";
    case LicenseClass::kNoDerivatives:
      return "no_derivatives";
    case LicenseClass::kNonCommercial:
      return "non_commercial";
    case LicenseClass::kProprietaryContract:
      return "proprietary_contract";
    case LicenseClass::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<LicenseClass> ParseLicenseClass(std::string_view name) {
  for (int i = 1; i <= 8; ++i) {
    auto c = static_cast<LicenseClass>(i);
    if (LicenseClassName(c) == name) return c;
  }
  return std::nullopt;
}

const std::string& LicenseListVersion() { return Data().version; }

const LicenseInfo* FindLicense(std::string_view id) {
  const auto& m = Data().licenses;
  auto it = m.find(AsciiLower(id));
  return it == m.end() ? nullptr : &it->second;
}

std::optional<std::string> FindException(std::string_view id) {
  const auto& m = Data().exceptions;
  auto it = m.find(AsciiLower(id));
  if (it == m.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<License> ParseExpression(std::string_view expression,
                                        const std::map<std::string, LicenseClass>& ref_classes) {
  if (expression.size() > kMaxExpressionBytes) {
    return absl::InvalidArgumentError("SPDX expression is longer than " +
                                      std::to_string(kMaxExpressionBytes) + " bytes");
  }
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < expression.size()) {
    char c = expression[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(' || c == ')') {
      tokens.push_back(Token{std::string(1, c), i});
      ++i;
    } else {
      size_t start = i;
      while (i < expression.size() && expression[i] != ' ' && expression[i] != '\t' &&
             expression[i] != '(' && expression[i] != ')') {
        ++i;
      }
      tokens.push_back(Token{std::string(expression.substr(start, i - start)), start});
    }
  }
  if (tokens.empty()) return absl::InvalidArgumentError("SPDX expression is empty");
  License out;
  Parser parser(std::move(tokens), ref_classes, &out);
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  out.canonical = Render(**root, Node::kOr);
  out.license_class = parser.ClassOf(**root);
  return out;
}

}  // namespace provledger::spdx
