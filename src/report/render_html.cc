// The HTML rendering: one self-contained page (no scripts, no external
// assets), tables and inline SVG charts, printable to PDF from a browser.
#include <algorithm>
#include <sstream>

#include "absl/strings/str_format.h"
#include "provledger/report.h"
#include "render.h"
#include "render_util.h"

namespace provledger::report::render_internal {
namespace {

using nlohmann::json;

std::string Esc(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Num(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Bytes(uint64_t b) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1000 && u < 5) {
    v /= 1000;
    ++u;
  }
  return u == 0 ? Num(b) + " B" : absl::StrFormat("%.1f %s", v, units[u]);
}

std::string Percent(uint64_t part, uint64_t whole) {
  if (whole == 0) return "&ndash;";
  return absl::StrFormat("%.1f%%", 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

const char* kColors[] = {"#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c",
                         "#319795", "#b7791f", "#718096", "#e53e3e"};
const char* kVerdictColors[] = {"#38a169", "#d69e2e", "#e53e3e"};

// A horizontal bar chart of (label, value), largest first.
std::string BarChart(const std::string& title, std::vector<std::pair<std::string, uint64_t>> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  uint64_t max = 1;
  for (const auto& r : rows) max = std::max(max, r.second);
  const int bar_h = 22, label_w = 230, chart_w = 360;
  const int height = static_cast<int>(rows.size()) * bar_h + 10;
  std::ostringstream o;
  o << "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\""
    << label_w + chart_w + 110 << "\" height=\"" << height << "\" aria-label=\"" << Esc(title)
    << "\"><title>" << Esc(title) << "</title>";
  for (size_t i = 0; i < rows.size(); ++i) {
    const int y = static_cast<int>(i) * bar_h + 5;
    const int w =
        static_cast<int>(static_cast<double>(rows[i].second) * chart_w / static_cast<double>(max));
    o << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15
      << "\" text-anchor=\"end\" font-size=\"12\">" << Esc(rows[i].first) << "</text>"
      << "<rect x=\"" << label_w << "\" y=\"" << y << "\" width=\"" << std::max(w, 1)
      << "\" height=\"" << bar_h - 6 << "\" fill=\"" << kColors[i % 9] << "\"/>"
      << "<text x=\"" << label_w + std::max(w, 1) + 6 << "\" y=\"" << y + 15
      << "\" font-size=\"12\">" << Num(rows[i].second) << "</text>";
  }
  o << "</svg><figcaption>" << Esc(title) << "</figcaption></figure>\n";
  return o.str();
}

// Stacked columns per month: accepted, flagged, rejected.
std::string TimelineChart(const json& by_month) {
  uint64_t max = 1;
  for (const auto& [m, c] : by_month.items())
    max = std::max(max, c.at("documents").get<uint64_t>());
  const int col_w = 36, chart_h = 160, left = 40;
  const int width = left + static_cast<int>(by_month.size()) * col_w + 20;
  std::ostringstream o;
  o << "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\""
    << std::max(width, 320) << "\" height=\"" << chart_h + 60
    << "\" aria-label=\"Verdicts over time\"><title>Verdicts over time</title>";
  int i = 0;
  for (const auto& [month, c] : by_month.items()) {
    const int x = left + i * col_w;
    double y = chart_h + 10;
    const char* keys[] = {"accepted", "flagged", "rejected"};
    for (int k = 0; k < 3; ++k) {
      double h =
          static_cast<double>(c.at(keys[k]).get<uint64_t>()) * chart_h / static_cast<double>(max);
      y -= h;
      if (h > 0) {
        o << absl::StrFormat(
            "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s %s: "
            "%s</title></rect>",
            x, y, col_w - 8, h, kVerdictColors[k], Esc(month), keys[k],
            Num(c.at(keys[k]).get<uint64_t>()));
      }
    }
    o << "<text x=\"" << x + (col_w - 8) / 2 << "\" y=\"" << chart_h + 26
      << "\" font-size=\"10\" text-anchor=\"middle\">" << Esc(month) << "</text>";
    ++i;
  }
  o << "<text x=\"" << left << "\" y=\"" << chart_h + 48 << "\" font-size=\"11\">"
    << "<tspan fill=\"" << kVerdictColors[0] << "\">&#9632; accepted</tspan> "
    << "<tspan fill=\"" << kVerdictColors[1] << "\">&#9632; flagged</tspan> "
    << "<tspan fill=\"" << kVerdictColors[2] << "\">&#9632; rejected</tspan></text>";
  o << "</svg><figcaption>Documents registered per month, by verdict in force</figcaption>"
       "</figure>\n";
  return o.str();
}

// A table of Count objects keyed by name.
std::string CountTable(const std::string& what, const json& counts, uint64_t total) {
  std::ostringstream o;
  o << "<table><thead><tr><th>" << Esc(what)
    << "</th><th>documents</th><th>share</th><th>bytes</th><th>accepted</th><th>flagged</th>"
       "<th>rejected</th></tr></thead><tbody>";
  for (const auto& [k, c] : counts.items()) {
    const uint64_t n = c.at("documents").get<uint64_t>();
    o << "<tr><td>" << Esc(k) << "</td><td class=n>" << Num(n) << "</td><td class=n>"
      << Percent(n, total) << "</td><td class=n>" << Bytes(c.at("bytes").get<uint64_t>())
      << "</td><td class=n>" << Num(c.at("accepted").get<uint64_t>()) << "</td><td class=n>"
      << Num(c.at("flagged").get<uint64_t>()) << "</td><td class=n>"
      << Num(c.at("rejected").get<uint64_t>()) << "</td></tr>";
  }
  o << "</tbody></table>\n";
  return o.str();
}

std::vector<std::pair<std::string, uint64_t>> Documents(const json& counts) {
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (const auto& [k, c] : counts.items()) rows.emplace_back(k, c.at("documents").get<uint64_t>());
  return rows;
}

constexpr size_t kSampleRows = 200;

}  // namespace

std::string Html(const json& r) {
  const json& volume = r.at("volume");
  const uint64_t total = volume.at("total").at("documents").get<uint64_t>();
  const json& reviews = r.at("reviews");
  const json& sample = r.at("audit_sample");
  std::ostringstream o;
  const std::string title = "Training-data provenance report: " + SubjectName(r);
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    << "<title>" << Esc(title) << "</title><style>"
    << "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#1a202c;"
       "line-height:1.4}h1{font-size:1.6em}h2{border-bottom:1px solid #cbd5e0;margin-top:2em}"
       "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}"
       "th,td{border:1px solid #cbd5e0;padding:.25em .5em;text-align:left}"
       "td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#edf2f7}"
       ".cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #cbd5e0;"
       "border-radius:6px;padding:.6em 1em}.card b{display:block;font-size:1.4em}"
       "code{font-size:.85em;word-break:break-all}figure{margin:1em 0}"
       "figcaption{font-size:.85em;color:#4a5568}.gap{color:#c05621;font-weight:bold}"
       "@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}"
       "table,figure{page-break-inside:avoid}}"
    << "</style></head><body>\n";
  o << "<h1>" << Esc(title) << "</h1>\n";
  o << "<p>Generated " << Esc(Rfc3339(r.at("generated_unix_micros").get<int64_t>()))
    << " by the ledger <code>" << Esc(r.at("origin").get<std::string>())
    << "</code>. Every number below is computed from ledger entries up to tree size "
    << Num(r.at("anchor").at("tree_size").get<uint64_t>())
    << ", whose signed checkpoint the report carries. The signed JSON is the authoritative "
       "report; check it offline with <code>provledger verify report FILE --vkey KEY</code>.</p>\n";

  o << "<div class=cards><div class=card><b>" << Num(total) << "</b>documents</div>"
    << "<div class=card><b>" << Bytes(volume.at("total").at("bytes").get<uint64_t>())
    << "</b>of content</div><div class=card><b>" << Num(Training(volume.at("total")))
    << "</b>training documents (accepted or flagged)</div><div class=card><b>"
    << Num(volume.at("total").at("rejected").get<uint64_t>())
    << "</b>rejected (never training data)</div><div class=card><b>"
    << Esc(reviews.at("status").get<std::string>()) << "</b>audit sample review</div></div>\n";

  o << "<h2>Model and training runs</h2>\n";
  if (r.at("training_runs").empty()) {
    o << "<p>This report covers dataset versions, not a model.</p>\n";
  } else {
    o << "<table><thead><tr><th>entry</th><th>model</th><th>version</th><th>training period</th>"
         "<th>deployment</th><th>run verdict</th></tr></thead><tbody>";
    for (const json& run : r.at("training_runs")) {
      const json& dep = run.at("deployment");
      std::string deployment;
      if (dep.at("commercial").get<bool>()) deployment += "commercial ";
      if (dep.at("public_cn").get<bool>()) deployment += "public in China ";
      if (dep.at("public_eu").get<bool>()) deployment += "public in the EU";
      o << "<tr><td class=n>" << run.at("ledger_index").get<uint64_t>() << "</td><td>"
        << Esc(run.at("model_name").get<std::string>()) << "</td><td>"
        << Esc(run.at("model_version").get<std::string>()) << "</td><td>"
        << Esc(Rfc3339(run.at("training_start_unix_micros").get<int64_t>())) << " &ndash; "
        << Esc(Rfc3339(run.at("training_end_unix_micros").get<int64_t>())) << "</td><td>"
        << Esc(deployment.empty() ? "not deployed" : deployment) << "</td><td>"
        << (run.at("verdict").is_null() ? "" : Esc(run["verdict"]["verdict"].get<std::string>()))
        << "</td></tr>";
    }
    o << "</tbody></table>\n";
  }

  o << "<h2>Dataset versions</h2>\n<table><thead><tr><th>dataset</th><th>name</th>"
       "<th>version</th><th>owner</th><th>intended use</th><th>documents</th><th>bytes</th>"
       "<th>manifest root</th></tr></thead><tbody>";
  for (const json& d : r.at("datasets")) {
    o << "<tr><td><code>" << Esc(d.at("dataset_id").get<std::string>()) << "</code></td><td>"
      << Esc(d.at("name").get<std::string>()) << "</td><td>"
      << Esc(d.at("version").get<std::string>()) << "</td><td>"
      << Esc(d.at("owner").get<std::string>()) << "</td><td>"
      << Esc(d.at("intended_use").get<std::string>()) << "</td><td class=n>"
      << Num(d.at("in_force").at("documents").get<uint64_t>()) << "</td><td class=n>"
      << Bytes(d.at("in_force").at("bytes").get<uint64_t>()) << "</td><td><code>"
      << Esc(d.at("manifest_root").get<std::string>()) << "</code></td></tr>";
  }
  o << "</tbody></table>\n";
  if (!r.at("derivations").empty()) {
    o << "<p>Derived from:</p><ul>";
    for (const json& e : r.at("derivations")) {
      o << "<li><code>" << Esc(e.at("child").get<std::string>()) << "</code> &larr; "
        << Esc(e.at("transformation").get<std::string>()) << " &larr; <code>"
        << Esc(e.at("parent").get<std::string>()) << "</code></li>";
    }
    o << "</ul>\n";
  }

  o << "<h2>Sources</h2>\n"
    << BarChart("Documents by source category", Documents(volume.at("by_source_category")))
    << CountTable("source category", volume.at("by_source_category"), total)
    << CountTable("language", volume.at("by_language"), total)
    << CountTable("media type", volume.at("by_media_type"), total);

  const json& lic = r.at("licensing");
  o << "<h2>Licensing</h2>\n"
    << BarChart("Documents by license class", Documents(lic.at("by_class")))
    << CountTable("license class", lic.at("by_class"), total)
    << "<table><thead><tr><th>SPDX license id</th><th>documents</th></tr></thead><tbody>";
  for (const auto& [id, n] : lic.at("by_spdx_id").items()) {
    o << "<tr><td>" << Esc(id) << "</td><td class=n>" << Num(n.get<uint64_t>()) << "</td></tr>";
  }
  o << "</tbody></table>\n<h3>License and use conflicts</h3>\n";
  if (lic.at("conflicts").empty()) {
    o << "<p>None recorded.</p>\n";
  } else {
    o << "<table><thead><tr><th>where</th><th>reason</th><th>detail</th></tr></thead><tbody>";
    for (const json& c : lic.at("conflicts")) {
      std::string detail = c.contains("documents")
                               ? Num(c.at("documents").get<uint64_t>()) + " documents"
                               : c.value("message", "") + " (entry " +
                                     std::to_string(c.at("ledger_index").get<uint64_t>()) + ")";
      o << "<tr><td>" << Esc(c.at("scope").get<std::string>()) << "</td><td>"
        << Esc(c.at("code").get<std::string>()) << "</td><td>" << Esc(detail) << "</td></tr>";
    }
    o << "</tbody></table>\n";
  }

  o << "<h2>Legitimacy evidence</h2>\n<p>Share of documents with every piece of evidence the "
       "policy in force requires for their source category.</p><table><thead><tr><th>source "
       "category</th><th>documents</th><th>with required evidence</th><th>share</th></tr>"
       "</thead><tbody>";
  for (const auto& [cat, c] : r.at("evidence").at("coverage").items()) {
    const uint64_t n = c.at("documents").get<uint64_t>();
    const uint64_t ok = c.at("with_required_evidence").get<uint64_t>();
    o << "<tr><td>" << Esc(cat) << "</td><td class=n>" << Num(n) << "</td><td class=n>" << Num(ok)
      << "</td><td class=n>" << Percent(ok, n) << "</td></tr>";
  }
  o << "</tbody></table>\n<p>Policies in force (SHA-256 of the policy file):</p><ul>";
  for (const auto& [sha, n] : r.at("evidence").at("policies").items()) {
    o << "<li><code>" << Esc(sha) << "</code>: " << Num(n.get<uint64_t>()) << " documents</li>";
  }
  o << "</ul>\n";

  const json& opt = r.at("opt_out");
  o << "<h2>Opt-out compliance</h2>\n<p>Documents collected where an opt-out signal was "
       "observed: "
    << Num(opt.at("documents_with_signal").at("documents").get<uint64_t>()) << " (of which "
    << Num(opt.at("documents_with_signal").at("rejected").get<uint64_t>())
    << " rejected). Matches against the opt-out registry: "
    << Num(opt.at("registry_matches").at("documents").get<uint64_t>()) << " (of which "
    << Num(opt.at("registry_matches").at("rejected").get<uint64_t>()) << " rejected).</p>\n"
    << CountTable("signal observed", opt.at("signals_observed"), total);

  const json& verdicts = r.at("verdicts");
  o << "<h2>Verdicts</h2>\n"
    << TimelineChart(verdicts.at("by_month"))
    << "<table><thead><tr><th>reason</th><th>flagged</th><th>rejected</th><th>example "
       "entries</th></tr></thead><tbody>";
  for (const auto& [code, c] : verdicts.at("by_reason").items()) {
    std::string examples;
    for (const json& e : c.at("examples")) {
      examples += (examples.empty() ? "" : ", ") + std::to_string(e.get<uint64_t>());
    }
    o << "<tr><td>" << Esc(code) << "</td><td class=n>" << Num(c.at("flagged").get<uint64_t>())
      << "</td><td class=n>" << Num(c.at("rejected").get<uint64_t>()) << "</td><td>"
      << Esc(examples) << "</td></tr>";
  }
  o << "</tbody></table>\n";

  const json& crawled = r.at("crawled");
  o << "<h2>Crawled data</h2>\n<p>" << Num(crawled.at("total").at("documents").get<uint64_t>())
    << " documents from " << Num(crawled.at("domains").get<uint64_t>()) << " domains";
  if (!crawled.at("collection_period").empty()) {
    o << ", collected "
      << Esc(Rfc3339(crawled["collection_period"]["first_unix_micros"].get<int64_t>()))
      << " &ndash; "
      << Esc(Rfc3339(crawled["collection_period"]["last_unix_micros"].get<int64_t>()));
  }
  o << ". robots.txt checked for " << Num(crawled.at("robots_txt_checked").get<uint64_t>())
    << ", TDM reservation checked for "
    << Num(crawled.at("tdm_reservation_checked").get<uint64_t>()) << ".</p>\n<p>Crawlers: ";
  for (const auto& [agent, n] : crawled.at("crawlers").items()) {
    o << Esc(agent) << " (" << Num(n.get<uint64_t>()) << ") ";
  }
  o << "</p>\n<table><thead><tr><th>top domains (top 10% by bytes)</th><th>documents</th>"
       "<th>bytes</th></tr></thead><tbody>";
  for (const json& d : crawled.at("top_domains")) {
    o << "<tr><td>" << Esc(d.at("domain").get<std::string>()) << "</td><td class=n>"
      << Num(d.at("documents").get<uint64_t>()) << "</td><td class=n>"
      << Bytes(d.at("bytes").get<uint64_t>()) << "</td></tr>";
  }
  o << "</tbody></table>\n";

  o << "<h2>Audit sample</h2>\n<p>" << Num(sample.at("training_documents").get<uint64_t>())
    << " training documents drawn (requested " << Num(sample.at("requested").get<uint64_t>())
    << ", TC260-003 minimum 4,000) from " << Num(sample.at("population").get<uint64_t>())
    << " by procedure <code>" << Esc(sample.at("procedure").get<std::string>())
    << "</code>, seeded by the root of the checkpoint at tree size "
    << Num(sample.at("seed_tree_size").get<uint64_t>()) << "; "
    << Num(sample.at("excluded_rejected").get<uint64_t>())
    << " rejected documents drawn were left out. Reviewed: "
    << Num(reviews.at("reviewed").get<uint64_t>()) << ", passed "
    << Num(reviews.at("passed").get<uint64_t>()) << ", failed "
    << Num(reviews.at("failed").get<uint64_t>()) << ". Pass rate "
    << (reviews.at("pass_permille").is_null()
            ? std::string("&ndash;")
            : absl::StrFormat("%.1f%%", reviews["pass_permille"].get<double>() / 10))
    << " against the 96% bar: <b>" << Esc(reviews.at("status").get<std::string>()) << "</b>.</p>\n";
  if (sample.at("short").get<bool>()) {
    const bool all_drawn = sample.at("documents").size() == sample.at("population").get<uint64_t>();
    o << "<p class=gap>The sample holds fewer documents than requested: "
      << (all_drawn ? "every document was drawn; the datasets hold no more training documents."
                    : "the draws allowed (twice the requested size) held too many rejected "
                      "documents.")
      << "</p>\n";
  }
  o << "<table><thead><tr><th>draw</th><th>entry</th><th>dataset</th><th>source</th>"
       "<th>license</th><th>verdict</th><th>review</th></tr></thead><tbody>";
  size_t shown = 0;
  for (const json& d : sample.at("documents")) {
    if (shown++ == kSampleRows) break;
    const json& src = d.at("source");
    std::string where = src.value("url", src.value("dataset_name", src.value("counterparty", "")));
    std::string review = d.contains("review")
                             ? (d["review"]["passed"].get<bool>() ? "pass" : "fail")
                             : (d.at("excluded").get<bool>() ? "excluded" : "");
    o << "<tr><td class=n>" << d.at("draw").get<uint64_t>() << "</td><td class=n>"
      << d.at("document").at("index").get<uint64_t>() << "</td><td><code>"
      << Esc(d.at("dataset_id").get<std::string>()) << "</code></td><td>"
      << Esc(src.value("category", "")) << " " << Esc(where) << "</td><td>"
      << Esc(d.at("license").get<std::string>()) << "</td><td>"
      << Esc(d.at("verdict").at("verdict").get<std::string>()) << "</td><td>" << Esc(review)
      << "</td></tr>";
  }
  o << "</tbody></table>\n";
  if (sample.at("documents").size() > kSampleRows) {
    o << "<p>The first " << kSampleRows << " draws are shown; the signed JSON lists all "
      << Num(sample.at("documents").size()) << " with their proofs.</p>\n";
  }
  o << "<h2>Anchor</h2>\n<p>Signed checkpoint:</p><pre>"
    << Esc(r.at("anchor").at("checkpoint").get<std::string>()) << "</pre>\n</body></html>\n";
  return o.str();
}

}  // namespace provledger::report::render_internal
