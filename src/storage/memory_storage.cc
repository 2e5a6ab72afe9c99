// In-memory Storage for tests, with write- and sync-failure injection.
#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "provledger/storage.h"

namespace provledger {
namespace {

class MemoryStorage final : public Storage {
 public:
  MemoryStorage(int fail_writes_after, int fail_syncs_after)
      : writes_left_(fail_writes_after), syncs_left_(fail_syncs_after) {}

  absl::Status Write(const WriteBatch& batch, bool /*sync*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (writes_left_ == 0) {
      return absl::UnavailableError("memory storage: injected write failure");
    }
    if (writes_left_ > 0) --writes_left_;
    for (const auto& op : batch.ops()) {
      data_[static_cast<size_t>(op.column)][op.key] = op.value;
    }
    return absl::OkStatus();
  }

  absl::Status SyncWal() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (syncs_left_ == 0) return absl::UnavailableError("memory storage: injected sync failure");
    if (syncs_left_ > 0) --syncs_left_;
    return absl::OkStatus();
  }

  absl::Status Resume() override {
    std::lock_guard<std::mutex> lock(mu_);
    writes_left_ = -1;
    syncs_left_ = -1;
    return absl::OkStatus();
  }

  absl::Status VerifyChecksums() override { return absl::OkStatus(); }

  absl::StatusOr<std::optional<std::string>> Get(Column column, std::string_view key) override {
    std::lock_guard<std::mutex> lock(mu_);
    const auto& m = data_[static_cast<size_t>(column)];
    auto it = m.find(std::string(key));
    if (it == m.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

  absl::StatusOr<std::vector<std::optional<std::string>>> MultiGet(
      Column column, const std::vector<std::string>& keys) override {
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const auto& k : keys) {
      auto v = Get(column, k);
      if (!v.ok()) return v.status();
      out.push_back(*std::move(v));
    }
    return out;
  }

  absl::Status Scan(Column column, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override {
    // Copy the range first so `fn` may call back into the store.
    std::vector<std::pair<std::string, std::string>> rows;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const auto& m = data_[static_cast<size_t>(column)];
      for (auto it = m.lower_bound(std::string(begin));
           it != m.end() && (end.empty() || it->first < end); ++it) {
        rows.emplace_back(it->first, it->second);
      }
    }
    for (const auto& [k, v] : rows) {
      if (!fn(k, v)) break;
    }
    return absl::OkStatus();
  }

  absl::Status ScanPrefixes(
      Column column, const std::vector<std::string>& prefixes,
      const std::function<bool(size_t, std::string_view, std::string_view)>& fn) override {
    std::vector<size_t> order(prefixes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return prefixes[a] < prefixes[b]; });
    for (size_t i : order) {
      std::vector<std::pair<std::string, std::string>> rows;
      {
        std::lock_guard<std::mutex> lock(mu_);
        const auto& m = data_[static_cast<size_t>(column)];
        for (auto it = m.lower_bound(prefixes[i]);
             it != m.end() && it->first.compare(0, prefixes[i].size(), prefixes[i]) == 0; ++it) {
          rows.emplace_back(it->first, it->second);
        }
      }
      for (const auto& [k, v] : rows) {
        if (!fn(i, k, v)) break;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> Last(
      Column column, std::string_view begin, std::string_view end) override {
    std::lock_guard<std::mutex> lock(mu_);
    const auto& m = data_[static_cast<size_t>(column)];
    auto it = end.empty() ? m.end() : m.lower_bound(std::string(end));
    if (it == m.begin()) return std::optional<std::pair<std::string, std::string>>();
    --it;
    if (it->first < begin) return std::optional<std::pair<std::string, std::string>>();
    return std::optional<std::pair<std::string, std::string>>(*it);
  }

  absl::Status IngestSorted(Column column,
                            const std::function<bool(std::string*, std::string*)>& next,
                            Lifetime /*lifetime*/) override {
    std::vector<std::pair<std::string, std::string>> run;
    std::string key, value;
    while (next(&key, &value)) {
      if (!run.empty() && key <= run.back().first) {
        return absl::InvalidArgumentError("ingest: keys are not strictly ascending");
      }
      run.emplace_back(std::move(key), std::move(value));
      key.clear();
      value.clear();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (writes_left_ == 0) {
      return absl::UnavailableError("memory storage: injected write failure");
    }
    if (writes_left_ > 0) --writes_left_;
    auto& m = data_[static_cast<size_t>(column)];
    for (auto& [k, v] : run) m[std::move(k)] = std::move(v);
    return absl::OkStatus();
  }

  absl::Status DeleteRange(Column column, std::string_view begin, std::string_view end) override {
    if (begin.empty() || end.empty() || begin >= end) {
      return absl::InvalidArgumentError("delete range: begin must be below end, both non-empty");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (writes_left_ == 0) {
      return absl::UnavailableError("memory storage: injected write failure");
    }
    if (writes_left_ > 0) --writes_left_;
    auto& m = data_[static_cast<size_t>(column)];
    m.erase(m.lower_bound(std::string(begin)), m.lower_bound(std::string(end)));
    return absl::OkStatus();
  }

  absl::StatusOr<BackgroundWork> PendingBackgroundWork() override { return BackgroundWork{}; }

  absl::StatusOr<uint64_t> ApproximateBytes(Column column) override {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t n = 0;
    for (const auto& [k, v] : data_[static_cast<size_t>(column)]) n += k.size() + v.size();
    return n;
  }

 private:
  std::mutex mu_;
  int writes_left_;
  int syncs_left_;
  std::array<std::map<std::string, std::string>, kNumColumns> data_;
};

}  // namespace

std::unique_ptr<Storage> NewMemoryStorage(int fail_writes_after, int fail_syncs_after) {
  return std::make_unique<MemoryStorage>(fail_writes_after, fail_syncs_after);
}

}  // namespace provledger
