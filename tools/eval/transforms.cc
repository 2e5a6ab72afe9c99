#include "transforms.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace provledger::eval {
namespace {

std::string Upper(const std::string& s) {
  std::string out;
  icu::UnicodeString::fromUTF8(s).toUpper().toUTF8String(out);
  return out;
}

std::string Nfd(const std::string& s) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(err);
  if (U_FAILURE(err)) return s;
  icu::UnicodeString u = nfd->normalize(icu::UnicodeString::fromUTF8(s), err);
  if (U_FAILURE(err)) return s;
  std::string out;
  u.toUTF8String(out);
  return out;
}

// ASCII '!'..'~' to U+FF01..U+FF5E and the space to U+3000.
std::string FullWidth(const std::string& s, Rng* rng) {
  std::string out;
  for (char32_t cp : CodePoints(s)) {
    if (cp >= 0x21 && cp <= 0x7E && rng->Chance(0.7)) {
      AppendUtf8(cp - 0x21 + 0xFF01, &out);
    } else if (cp == ' ' && rng->Chance(0.3)) {
      AppendUtf8(0x3000, &out);
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// Full-width CJK punctuation to ASCII and back.
char32_t SwapCjkPunct(char32_t cp) {
  switch (cp) {
    case U'，':
      return U',';
    case U'。':
      return U'.';
    case U'；':
      return U';';
    case U'：':
      return U':';
    case U'？':
      return U'?';
    case U'！':
      return U'!';
    case U'、':
      return U',';
    case U',':
      return U'，';
    case U'.':
      return U'。';
    default:
      return cp;
  }
}

bool IsSpace(char32_t c) { return c == ' ' || c == '\n' || c == '\t' || c == 0x3000; }

std::string Whitespace(const std::string& s, Rng* rng) {
  static const char* const kRuns[] = {" ", "  ", "\t", "\n", " \n ", "   "};
  std::string out;
  for (char32_t cp : CodePoints(s)) {
    if (cp == ' ') {
      out += kRuns[rng->Below(6)];
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

std::string Punctuation(const std::string& s, Language lang, Rng* rng) {
  static const char kPunct[] = ".,;:!?-\"()[]";
  std::string out;
  for (char32_t cp : CodePoints(s)) {
    bool ascii_punct = cp < 128 && std::string_view(".,;:!?\"()[]").find(static_cast<char>(cp)) !=
                                       std::string_view::npos;
    if (ascii_punct && rng->Chance(0.5)) {
      out.push_back(kPunct[rng->Below(sizeof(kPunct) - 1)]);
    } else if (lang == Language::kChinese && rng->Chance(0.5)) {
      AppendUtf8(SwapCjkPunct(cp), &out);
    } else {
      AppendUtf8(cp, &out);
    }
  }
  return out;
}

// Joins each paragraph's lines and wraps them again at a random width.
std::string Rewrap(const std::string& s, Language lang, Rng* rng) {
  size_t width = rng->Between(30, 100);
  std::string out;
  for (const std::string& p : Paragraphs(s)) {
    if (!out.empty()) out += "\n\n";
    std::vector<char32_t> cps = CodePoints(p);
    if (lang == Language::kChinese) {
      // Chinese wraps next to a Han character; a newline between two other
      // characters becomes a space.
      size_t col = 0;
      for (size_t i = 0; i < cps.size(); ++i) {
        if (cps[i] == '\n') {
          if (i > 0 && i + 1 < cps.size() && !IsHan(cps[i - 1]) && !IsHan(cps[i + 1])) {
            out.push_back(' ');
          }
          continue;
        }
        AppendUtf8(cps[i], &out);
        bool breakable = i + 1 < cps.size() && (IsHan(cps[i]) || IsHan(cps[i + 1]));
        if (++col >= width / 2 && breakable) {
          out.push_back('\n');
          col = 0;
        }
      }
      continue;
    }
    std::istringstream in(p);
    std::string w;
    size_t col = 0;
    while (in >> w) {
      if (col != 0 && col + 1 + w.size() > width) {
        out.push_back('\n');
        col = 0;
      } else if (col != 0) {
        out.push_back(' ');
        ++col;
      }
      out += w;
      col += w.size();
    }
  }
  return out;
}

std::string Crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

// A text split into tokens and the separators between them, so edits keep
// the surrounding layout.
struct Pieces {
  std::vector<std::string> tokens;
  std::vector<std::string> gaps;  // gaps[i] precedes tokens[i]; one trailing gap
};

Pieces Split(const std::string& text, Language lang) {
  Pieces p;
  std::string gap, tok;
  for (char32_t cp : CodePoints(text)) {
    bool token_char = lang == Language::kEnglish ? !IsSpace(cp) : IsHan(cp);
    if (lang == Language::kChinese && token_char) {
      p.gaps.push_back(gap);
      gap.clear();
      std::string t;
      AppendUtf8(cp, &t);
      p.tokens.push_back(t);
    } else if (lang == Language::kEnglish && token_char) {
      AppendUtf8(cp, &tok);
    } else {
      if (!tok.empty()) {
        p.gaps.push_back(gap);
        gap.clear();
        p.tokens.push_back(tok);
        tok.clear();
      }
      AppendUtf8(cp, &gap);
    }
  }
  if (!tok.empty()) {
    p.gaps.push_back(gap);
    gap.clear();
    p.tokens.push_back(tok);
  }
  p.gaps.push_back(gap);
  return p;
}

std::string Join(const Pieces& p) {
  std::string out;
  for (size_t i = 0; i < p.tokens.size(); ++i) out += p.gaps[i] + p.tokens[i];
  out += p.gaps.back();
  return out;
}

}  // namespace

size_t TokenUnits(const std::string& text, Language lang) {
  return Split(text, lang).tokens.size();
}

std::string FormatVariant(const std::string& text, Language lang, Rng* rng, std::string* applied) {
  static const char* const kOps[] = {"upper",  "fullwidth", "whitespace", "punctuation",
                                     "rewrap", "crlf",      "nfd",        "bom"};
  size_t count = rng->Between(1, 3);
  std::vector<int> ops;
  while (ops.size() < count) {
    int op = static_cast<int>(rng->Below(8));
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  // Line-level changes before character-level ones, CRLF and BOM last.
  std::sort(ops.begin(), ops.end(), [](int a, int b) {
    auto rank = [](int op) { return op == 4 ? 0 : op == 5 ? 8 : op == 7 ? 9 : op; };
    return rank(a) < rank(b);
  });
  std::string s = text;
  applied->clear();
  for (int op : ops) {
    if (!applied->empty()) *applied += "+";
    *applied += kOps[op];
    switch (op) {
      case 0:
        s = Upper(s);
        break;
      case 1:
        s = FullWidth(s, rng);
        break;
      case 2:
        s = Whitespace(s, rng);
        break;
      case 3:
        s = Punctuation(s, lang, rng);
        break;
      case 4:
        s = Rewrap(s, lang, rng);
        break;
      case 5:
        s = Crlf(s);
        break;
      case 6:
        s = Nfd(s);
        break;
      case 7:
        s.insert(0, "\xEF\xBB\xBF");
        break;
    }
  }
  return s;
}

std::string EditTokens(const std::string& text, Language lang, double rate,
                       const std::vector<std::string>& vocabulary, Rng* rng) {
  Pieces p = Split(text, lang);
  if (p.tokens.empty() || vocabulary.empty()) return text;
  size_t edits = std::max<size_t>(
      1, static_cast<size_t>(std::lround(rate * static_cast<double>(p.tokens.size()))));
  const std::string sep = lang == Language::kEnglish ? " " : "";
  for (size_t e = 0; e < edits; ++e) {
    size_t op = rng->Below(3);
    if (p.tokens.size() < 2) op = 2;
    const std::string& word = vocabulary[rng->Below(vocabulary.size())];
    if (op == 0) {  // substitute
      p.tokens[rng->Below(p.tokens.size())] = word;
    } else if (op == 1) {  // delete (its preceding gap merges with the next)
      size_t i = rng->Below(p.tokens.size());
      p.gaps[i + 1] = p.gaps[i] + p.gaps[i + 1];
      p.tokens.erase(p.tokens.begin() + static_cast<std::ptrdiff_t>(i));
      p.gaps.erase(p.gaps.begin() + static_cast<std::ptrdiff_t>(i));
    } else {  // insert before token i
      size_t i = rng->Below(p.tokens.size() + 1);
      p.tokens.insert(p.tokens.begin() + static_cast<std::ptrdiff_t>(i), word);
      p.gaps.insert(p.gaps.begin() + static_cast<std::ptrdiff_t>(i) + (i == 0 ? 0 : 1), sep);
      if (i == 0) std::swap(p.gaps[0], p.gaps[1]);
    }
  }
  return Join(p);
}

std::string ReorderParagraphs(const std::string& text, Rng* rng) {
  std::vector<std::string> paras = Paragraphs(text);
  if (paras.size() < 2) return text;
  std::vector<std::string> shuffled = paras;
  while (shuffled == paras) rng->Shuffle(&shuffled);
  std::string out;
  for (const std::string& p : shuffled) {
    if (!out.empty()) out += "\n\n";
    out += p;
  }
  return out;
}

std::string Excerpt(const std::string& text, Language lang, size_t n, Rng* rng) {
  Pieces p = Split(text, lang);
  if (p.tokens.size() < n) return "";
  size_t start = rng->Below(p.tokens.size() - n + 1);
  std::string out;
  for (size_t i = start; i < start + n; ++i) {
    if (i != start) out += p.gaps[i];
    out += p.tokens[i];
  }
  return out;
}

std::string Embed(const std::string& outer, const std::string& inner, Rng* rng) {
  // Boundaries: after a newline or after ". " / "。".
  std::vector<size_t> cuts = {0, outer.size()};
  for (size_t i = 0; i + 1 < outer.size(); ++i) {
    if (outer[i] == '\n' || (outer[i] == '.' && outer[i + 1] == ' ')) cuts.push_back(i + 1);
  }
  size_t at = cuts[rng->Below(cuts.size())];
  return outer.substr(0, at) + "\n" + inner + "\n" + outer.substr(at);
}

}  // namespace provledger::eval
