#include "optout_index.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

#include "provledger/encoding.h"

namespace provledger {
namespace {

std::string UrlHostImpl(const std::string& url) { return policy::UrlHost(url); }

}  // namespace

void OptOutIndex::Add(uint64_t ledger_index, const OptOutEntry& e) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  size_t id = declarations_.size();
  Declaration d{ledger_index, e.declarant, e.kind,
                e.kind == OptOutKind::kDomain ? AsciiLower(e.pattern) : e.pattern, std::nullopt};
  if (e.kind == OptOutKind::kWork) {
    by_content_id_[e.content_id].push_back(id);
    if (e.text.has_value() && e.text->minhash.size() == fingerprint::kMinHashSize &&
        e.text->minhash_version == fingerprint::kMinHashVersion) {
      by_normalized_hash_[e.text->normalized_hash].push_back(id);
      fingerprint::MinHashSignature sig;
      std::copy(e.text->minhash.begin(), e.text->minhash.end(), sig.begin());
      for (uint64_t band : fingerprint::LshBands(sig)) by_band_[band].push_back(id);
      d.minhash = sig;
    }
  } else if (e.kind == OptOutKind::kDomain) {
    by_domain_[d.pattern].push_back(id);
  } else if (auto host = UrlPatternHost(d.pattern); host.has_value()) {
    (host->subdomains ? by_domain_ : by_host_)[host->host].push_back(id);
  } else {
    unindexed_.push_back(id);
  }
  declarations_.push_back(std::move(d));
}

std::optional<PatternHost> UrlPatternHost(std::string_view pattern) {
  size_t sep = pattern.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string_view rest = pattern.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  size_t colon = authority.find(':');  // a port, literal or '*'
  std::string_view host = authority.substr(0, colon);
  PatternHost out;
  if (host.size() > 2 && host.substr(0, 2) == "*.") {
    out.subdomains = true;
    host.remove_prefix(2);
  }
  if (host.empty() || host.front() == '.' || host.back() == '.') return std::nullopt;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return std::nullopt;  // '*', '?', '@' (user info), ...
  }
  out.host = AsciiLower(host);
  return out;
}

size_t OptOutIndex::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return declarations_.size();
}

std::vector<policy::OptOutMatch> OptOutIndex::Match(const std::string& content_id,
                                                    const fingerprint::TextFingerprints* text,
                                                    const std::string& url) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<policy::OptOutMatch> out;
  std::set<size_t> matched;
  auto add = [&](size_t id, const char* how) {
    if (!matched.insert(id).second) return;
    out.push_back(
        policy::OptOutMatch{declarations_[id].ledger_index, declarations_[id].declarant, how});
  };
  if (auto it = by_content_id_.find(content_id); it != by_content_id_.end()) {
    for (size_t id : it->second) add(id, "content_id");
  }
  if (text != nullptr) {
    if (auto it = by_normalized_hash_.find(text->normalized_hash);
        it != by_normalized_hash_.end()) {
      for (size_t id : it->second) add(id, "normalized_hash");
    }
    for (uint64_t band : text->lsh_bands) {
      auto it = by_band_.find(band);
      if (it == by_band_.end()) continue;
      for (size_t id : it->second) {
        if (matched.count(id)) continue;
        const auto& sig = declarations_[id].minhash;
        if (sig && fingerprint::EstimateJaccard(*sig, text->minhash) >=
                       fingerprint::kNearDuplicateThreshold) {
          add(id, "near_duplicate");
        }
      }
    }
  }
  if (!url.empty()) {
    auto check = [&](size_t id) {
      const Declaration& d = declarations_[id];
      if (d.kind == OptOutKind::kUrlPattern && policy::GlobMatch(d.pattern, url)) {
        add(id, "url_pattern");
      }
    };
    const std::string host = UrlHostImpl(url);
    if (!host.empty()) {
      if (auto it = by_host_.find(host); it != by_host_.end()) {
        for (size_t id : it->second) check(id);
      }
      // The host, then each parent domain: domain declarations cover their
      // subdomains, and "*." patterns are compared.
      for (std::string_view domain = host;;) {
        if (auto it = by_domain_.find(std::string(domain)); it != by_domain_.end()) {
          for (size_t id : it->second) {
            if (declarations_[id].kind == OptOutKind::kDomain) {
              add(id, "domain");
            } else {
              check(id);
            }
          }
        }
        size_t dot = domain.find('.');
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
      }
    }
    for (size_t id : unindexed_) check(id);
  }
  std::sort(out.begin(), out.end(), [](const policy::OptOutMatch& a, const policy::OptOutMatch& b) {
    return a.declaration_index < b.declaration_index;
  });
  return out;
}

std::string UrlHostOf(const std::string& url) { return UrlHostImpl(url); }

std::string ReversedHost(const std::string& host) {
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    labels.push_back(
        host.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string out;
  for (size_t i = labels.size(); i-- > 0;) {
    out += labels[i];
    if (i != 0) out += '.';
  }
  return out;
}

void SourceBlacklist::Add(const AssessmentEntry& a) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  (a.kind == SourceKind::kDomain ? domains_ : datasets_)[a.source] = a;
}

std::vector<std::string> SourceBlacklist::Match(const std::string& url,
                                                const std::string& dataset_name) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<std::string> out;
  auto describe = [](const char* kind, const AssessmentEntry& a) {
    return std::string(kind) + " " + a.source + ": " + std::to_string(a.failures) + " of " +
           std::to_string(a.sample_size) + " sampled items failed (assessed by " + a.assessor + ")";
  };
  if (!domains_.empty()) {
    std::string host = UrlHostImpl(url);
    // The host, then each parent domain.
    while (!host.empty()) {
      auto it = domains_.find(host);
      if (it != domains_.end() && it->second.blacklisted)
        out.push_back(describe("domain", it->second));
      size_t dot = host.find('.');
      if (dot == std::string::npos) break;
      host = host.substr(dot + 1);
    }
  }
  if (!dataset_name.empty()) {
    auto it = datasets_.find(AsciiLower(dataset_name));
    if (it != datasets_.end() && it->second.blacklisted) {
      out.push_back(describe("dataset", it->second));
    }
  }
  return out;
}

}  // namespace provledger
