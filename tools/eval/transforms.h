// Transformations that turn a registered document into the copies an IP
// holder might find: reformatted, edited, reordered, excerpted. All are
// deterministic functions of the text and the generator's state.
#ifndef PROVLEDGER_TOOLS_EVAL_TRANSFORMS_H_
#define PROVLEDGER_TOOLS_EVAL_TRANSFORMS_H_

#include <string>
#include <vector>

#include "corpus.h"
#include "rng.h"

namespace provledger::eval {

// One to three formatting-only changes: case, full-width forms, whitespace,
// punctuation substitution, line re-wrapping, CRLF line ends, Unicode NFD,
// a byte-order mark. `applied` receives their names ("upper+nfd").
std::string FormatVariant(const std::string& text, Language lang, Rng* rng, std::string* applied);

// Edits round(rate x tokens) (at least one) tokens, each a substitution from
// `vocabulary`, a deletion or an insertion, at random positions. Tokens are
// words (English) or Han characters (Chinese).
std::string EditTokens(const std::string& text, Language lang, double rate,
                       const std::vector<std::string>& vocabulary, Rng* rng);

// The paragraphs in a different order (the text must have at least two).
std::string ReorderParagraphs(const std::string& text, Rng* rng);

// `n` consecutive tokens of `text` starting at a random token; empty when the
// text is shorter.
std::string Excerpt(const std::string& text, Language lang, size_t n, Rng* rng);

// `inner` inserted into `outer` at a random paragraph or sentence boundary.
std::string Embed(const std::string& outer, const std::string& inner, Rng* rng);

// Tokens of `text` in the language's unit (words or Han characters).
size_t TokenUnits(const std::string& text, Language lang);

}  // namespace provledger::eval

#endif  // PROVLEDGER_TOOLS_EVAL_TRANSFORMS_H_
