#include "corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "provledger/utf8.h"

namespace provledger::eval {
namespace fs = std::filesystem;
namespace {

bool ReadFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Drops ANSI colour escapes (fortunes-zh colours titles) and carriage returns.
std::string StripEscapes(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      i += 2;
      while (i < s.size() && !((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) ++i;
      continue;
    }
    if (s[i] == '\r') continue;
    out.push_back(s[i]);
  }
  return out;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

// The entries of a fortune file (separated by lines holding only "%").
std::vector<std::string> FortuneEntries(const std::string& file) {
  std::vector<std::string> out;
  std::istringstream in(file);
  std::string line, cur;
  while (std::getline(in, line)) {
    if (line == "%") {
      std::string t = Trim(cur);
      if (!t.empty()) out.push_back(t);
      cur.clear();
    } else {
      cur += line;
      cur += '\n';
    }
  }
  std::string t = Trim(cur);
  if (!t.empty()) out.push_back(t);
  return out;
}

size_t WordCount(const std::string& s) {
  size_t n = 0;
  bool in_word = false;
  for (char c : s) {
    bool sp = c == ' ' || c == '\n' || c == '\t';
    if (!sp && !in_word) ++n;
    in_word = !sp;
  }
  return n;
}

size_t HanCount(const std::string& s) {
  size_t n = 0;
  for (char32_t cp : CodePoints(s)) n += IsHan(cp);
  return n;
}

// Size of a text in tokens of the language (words, or Han characters).
size_t Units(Language lang, const std::string& s) {
  return lang == Language::kEnglish ? WordCount(s) : HanCount(s);
}

// Groups consecutive entries into documents of a random size in [lo, hi]
// units; every fourth document goes to the filler pool.
void GroupEntries(const std::string& source, const std::vector<std::string>& entries, Language lang,
                  size_t lo, size_t hi, Rng* rng, Corpus* corpus) {
  size_t target = rng->Between(lo, hi);
  std::string cur;
  size_t units = 0;
  size_t n = 0;
  for (const std::string& e : entries) {
    if (!IsValidUtf8(e)) continue;
    if (!cur.empty()) cur += "\n\n";
    cur += e;
    units += Units(lang, e);
    if (units >= target) {
      Document d{source + ":" + std::to_string(n), std::move(cur)};
      (n % 4 == 3 ? corpus->filler : corpus->originals).push_back(std::move(d));
      ++n;
      cur.clear();
      units = 0;
      target = rng->Between(lo, hi);
    }
  }
}

void BuildVocabulary(Corpus* corpus) {
  std::set<std::string> vocab;
  for (const Document& d : corpus->originals) {
    if (corpus->language == Language::kEnglish) {
      std::istringstream in(d.text);
      std::string w;
      while (in >> w) {
        std::string clean;
        for (char c : w) {
          if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) clean.push_back(c);
        }
        if (clean.size() >= 2) vocab.insert(clean);
      }
    } else {
      for (char32_t cp : CodePoints(d.text)) {
        if (!IsHan(cp)) continue;
        std::string s;
        AppendUtf8(cp, &s);
        vocab.insert(s);
      }
    }
  }
  corpus->vocabulary.assign(vocab.begin(), vocab.end());
}

// Headers for hard negatives: contiguous blocks of [lo, hi] units cut from
// filler text (never registered themselves).
void CutHeaders(Language lang, size_t lo, size_t hi, Rng* rng, Corpus* corpus,
                const std::vector<std::string>& sources) {
  for (const std::string& src : sources) {
    std::vector<char32_t> cps = CodePoints(src);
    if (lang == Language::kEnglish) {
      std::istringstream in(src);
      std::vector<std::string> words;
      std::string w;
      while (in >> w) words.push_back(w);
      size_t len = rng->Between(lo, hi);
      if (words.size() < len) continue;
      size_t start = rng->Below(words.size() - len + 1);
      std::string h;
      for (size_t i = start; i < start + len; ++i) {
        if (!h.empty()) h += ' ';
        h += words[i];
      }
      corpus->headers.push_back(h);
    } else {
      size_t len = rng->Between(lo, hi);
      if (cps.size() < len * 2) continue;
      size_t start = rng->Below(cps.size() - len * 2 + 1);
      std::string h;
      size_t han = 0;
      for (size_t i = start; i < cps.size() && han < len; ++i) {
        AppendUtf8(cps[i], &h);
        han += IsHan(cps[i]);
      }
      if (han == len) corpus->headers.push_back(h);
    }
  }
}

}  // namespace

std::vector<std::string> Paragraphs(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t next = text.find("\n\n", pos);
    std::string p =
        Trim(text.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (!p.empty()) out.push_back(p);
    if (next == std::string::npos) break;
    pos = next + 2;
  }
  return out;
}

std::vector<char32_t> CodePoints(const std::string& utf8) {
  std::vector<char32_t> out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    auto c = static_cast<unsigned char>(utf8[i]);
    int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsHan(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0xF900 && cp <= 0xFAFF);
}

absl::StatusOr<Corpus> LoadCorpus(Language language, const CorpusPaths& paths, size_t max_documents,
                                  Rng* rng) {
  Corpus corpus;
  corpus.language = language;
  std::error_code ec;
  if (!fs::is_directory(paths.fortunes_dir, ec)) {
    return absl::NotFoundError(paths.fortunes_dir +
                               " not found: install the Debian packages fortunes and fortunes-zh");
  }
  // Fortune files, in name order; UTF-8 (".u8") versions where they exist.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(paths.fortunes_dir)) {
    if (!e.is_regular_file()) continue;
    std::string name = e.path().filename().string();
    if (name.size() < 3 || name.substr(name.size() - 3) != ".u8") continue;
    std::string base = name.substr(0, name.size() - 3);
    bool chinese = base == "chinese" || base == "tang300" || base == "song100";
    if (chinese != (language == Language::kChinese)) continue;
    if (base == "art" || base == "ascii-art") continue;  // pictures, not text
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (language == Language::kChinese && files.empty()) {
    return absl::NotFoundError("no Chinese fortunes in " + paths.fortunes_dir +
                               ": install the Debian package fortunes-zh");
  }
  for (const fs::path& f : files) {
    std::string content;
    if (!ReadFile(f, &content)) continue;
    std::string base = f.stem().string();
    if (language == Language::kEnglish) {
      GroupEntries(base, FortuneEntries(StripEscapes(content)), language, 150, 600, rng, &corpus);
    } else {
      GroupEntries(base, FortuneEntries(StripEscapes(content)), language, 200, 800, rng, &corpus);
    }
  }
  if (language == Language::kEnglish) {
    // License texts and package copyright files: long documents, and
    // copyright files share license boilerplate with each other.
    std::vector<fs::path> more;
    if (fs::is_directory(paths.licenses_dir, ec)) {
      for (const auto& e : fs::directory_iterator(paths.licenses_dir)) more.push_back(e.path());
    }
    if (fs::is_directory(paths.doc_dir, ec)) {
      for (const auto& e : fs::directory_iterator(paths.doc_dir)) {
        fs::path c = e.path() / "copyright";
        if (fs::is_regular_file(c, ec)) more.push_back(c);
      }
    }
    std::sort(more.begin(), more.end());
    std::set<std::string> seen;
    std::vector<std::string> license_texts;
    for (const fs::path& p : more) {
      std::string content;
      if (!ReadFile(p, &content)) continue;
      content = StripEscapes(content);
      if (!IsValidUtf8(content) || WordCount(content) < 60) continue;
      if (!seen.insert(content).second) continue;
      if (p.parent_path() == fs::path(paths.licenses_dir)) license_texts.push_back(content);
      std::string id = p.parent_path().filename().string() + "/" + p.filename().string();
      corpus.originals.push_back(Document{id, Trim(content)});
    }
    // Headers: blocks of license text, as at the top of source files.
    for (int round = 0; round < 8; ++round) {
      CutHeaders(language, 80, 150, rng, &corpus, license_texts);
    }
  } else {
    std::vector<std::string> sources;
    for (const Document& d : corpus.filler) sources.push_back(d.text);
    CutHeaders(language, 80, 150, rng, &corpus, sources);
  }
  // Order originals deterministically, then bound them.
  rng->Shuffle(&corpus.originals);
  if (max_documents != 0 && corpus.originals.size() > max_documents) {
    corpus.originals.resize(max_documents);
  }
  BuildVocabulary(&corpus);
  if (corpus.originals.empty() || corpus.filler.empty() || corpus.headers.empty()) {
    return absl::NotFoundError("the evaluation corpus is empty: install fortunes and fortunes-zh");
  }
  return corpus;
}

}  // namespace provledger::eval
