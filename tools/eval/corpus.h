// The evaluation corpus: real text from Debian packages (fortunes,
// fortunes-zh, /usr/share/common-licenses, /usr/share/doc/*/copyright),
// split into documents deterministically from a seed.
#ifndef PROVLEDGER_TOOLS_EVAL_CORPUS_H_
#define PROVLEDGER_TOOLS_EVAL_CORPUS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rng.h"

namespace provledger::eval {

enum class Language { kEnglish, kChinese };

struct Document {
  std::string id;    // "<source>:<n>", stable for a seed
  std::string text;  // UTF-8; paragraphs separated by a blank line
};

struct Corpus {
  Language language = Language::kEnglish;
  // Registered ("indexed") documents, before de-duplication.
  std::vector<Document> originals;
  // Text that is never registered: bodies for excerpts and hard negatives,
  // and unrelated queries.
  std::vector<Document> filler;
  // Boilerplate blocks (license headers) for hard negatives.
  std::vector<std::string> headers;
  // Substitution vocabulary for edits: words (English) or Han characters
  // (Chinese), each once.
  std::vector<std::string> vocabulary;
};

struct CorpusPaths {
  std::string fortunes_dir = "/usr/share/games/fortunes";
  std::string licenses_dir = "/usr/share/common-licenses";
  std::string doc_dir = "/usr/share/doc";
};

// Loads the corpus of one language. NotFound naming the path and the Debian
// package to install when a source is missing; `max_documents` bounds the
// originals (0 = all).
absl::StatusOr<Corpus> LoadCorpus(Language language, const CorpusPaths& paths, size_t max_documents,
                                  Rng* rng);

// Splits `text` into paragraphs at blank lines.
std::vector<std::string> Paragraphs(const std::string& text);
// Decodes UTF-8 into code points (the input is known to be well-formed).
std::vector<char32_t> CodePoints(const std::string& utf8);
void AppendUtf8(char32_t cp, std::string* out);
bool IsHan(char32_t cp);

}  // namespace provledger::eval

#endif  // PROVLEDGER_TOOLS_EVAL_CORPUS_H_
