// The high-water mark file (docs/ledger-format.md §4a) and its in-memory
// stand-in for tests.
#include "provledger/high_water_mark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace provledger {
namespace {

constexpr char kMagic[8] = {'p', 'l', 'h', 'w', 'm', '\0', '\0', '\1'};  // v1
constexpr size_t kRecordBytes = 64;
constexpr off_t kSlotStride = 4096;  // each record in a page of its own

void PutU64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
}
uint64_t GetU64(const char* in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

// magic (8) ‖ sequence (u64 BE) ‖ size (u64 BE) ‖ root (32) ‖ XXH3-64 of
// the 56 bytes before it (u64 BE).
void EncodeRecord(uint64_t seq, const HighWaterMark& m, char* out) {
  std::memcpy(out, kMagic, 8);
  PutU64(seq, out + 8);
  PutU64(m.size, out + 16);
  std::memcpy(out + 24, m.root_hash.data(), 32);
  PutU64(XXH3_64bits(out, 56), out + 56);
}

struct Decoded {
  uint64_t seq;
  HighWaterMark mark;
};
std::optional<Decoded> DecodeRecord(const char* in) {
  if (std::memcmp(in, kMagic, 8) != 0 || GetU64(in + 56) != XXH3_64bits(in, 56)) {
    return std::nullopt;
  }
  return Decoded{GetU64(in + 8), HighWaterMark{GetU64(in + 16), std::string(in + 24, 32)}};
}

absl::Status Errno(const std::string& what) {
  return absl::UnavailableError(what + ": " + std::strerror(errno));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor& operator=(FileDescriptor&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status WriteAllAt(int fd, const char* data, size_t n, off_t at, const std::string& path) {
  while (n > 0) {
    ssize_t w = pwrite(fd, data, n, at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return Errno("writing " + path);
    data += w;
    n -= static_cast<size_t>(w);
    at += w;
  }
  return absl::OkStatus();
}

class FileHighWaterMark final : public HighWaterMarkStore {
 public:
  explicit FileHighWaterMark(std::string path) : path_(std::move(path)) {}

  absl::StatusOr<std::optional<HighWaterMark>> Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    return LoadLocked();
  }

  absl::Status Store(const HighWaterMark& mark) override {
    if (mark.root_hash.size() != 32) {
      return absl::InvalidArgumentError("high-water mark: the root must be 32 bytes");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (!known_) {
      // Never overwrite a file whose mark could not be read.
      auto loaded = LoadLocked();
      if (!loaded.ok()) return loaded.status();
    }
    if (fd_.get() < 0) return Create(mark);
    // Overwrite the older slot: the newer one stays whole whatever happens
    // to this write.
    ++seq_;
    char record[kRecordBytes];
    EncodeRecord(seq_, mark, record);
    absl::Status s = WriteAllAt(fd_.get(), record, kRecordBytes,
                                static_cast<off_t>(seq_ % 2) * kSlotStride, path_);
    if (s.ok() && fdatasync(fd_.get()) != 0) s = Errno("syncing " + path_);
    return s;
  }

  std::string Describe() const override { return path_; }

 private:
  absl::StatusOr<std::optional<HighWaterMark>> LoadLocked() {
    if (fd_.get() < 0) {
      int fd = open(path_.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) {
        known_ = true;
        return std::optional<HighWaterMark>();
      }
      if (fd < 0) return Errno("opening " + path_);
      fd_ = FileDescriptor(fd);
    }
    std::optional<Decoded> best;
    for (int slot = 0; slot < 2; ++slot) {
      char record[kRecordBytes];
      ssize_t r = pread(fd_.get(), record, kRecordBytes, slot * kSlotStride);
      if (r < 0) return Errno("reading " + path_);
      if (r != static_cast<ssize_t>(kRecordBytes)) continue;
      auto d = DecodeRecord(record);
      if (d.has_value() && (!best.has_value() || d->seq > best->seq)) best = d;
    }
    if (!best.has_value()) {
      return absl::DataLossError("high-water mark file " + path_ +
                                 " holds no readable mark (both records damaged)");
    }
    seq_ = best->seq;
    known_ = true;
    return std::optional<HighWaterMark>(best->mark);
  }

  // The first mark: a complete file renamed into place, so the file never
  // exists without a readable record.
  absl::Status Create(const HighWaterMark& mark) {
    const std::string tmp = path_ + ".tmp";
    FileDescriptor fd(open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0) return Errno("creating " + tmp);
    char record[kRecordBytes];
    seq_ = 0;
    EncodeRecord(seq_, mark, record);
    absl::Status s = WriteAllAt(fd.get(), record, kRecordBytes, 0, tmp);
    if (s.ok() && fsync(fd.get()) != 0) s = Errno("syncing " + tmp);
    if (s.ok() && rename(tmp.c_str(), path_.c_str()) != 0) s = Errno("renaming " + tmp);
    if (!s.ok()) return s;
    std::string dir = std::filesystem::path(path_).parent_path().string();
    if (dir.empty()) dir = ".";
    FileDescriptor dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() < 0 || fsync(dfd.get()) != 0) return Errno("syncing directory " + dir);
    fd_ = std::move(fd);
    return absl::OkStatus();
  }

  const std::string path_;
  std::mutex mu_;
  FileDescriptor fd_;   // open once the file exists
  uint64_t seq_ = 0;    // the sequence of the newest record
  bool known_ = false;  // the file was read whole (or found absent)
};

class MemoryHighWaterMark final : public HighWaterMarkStore {
 public:
  explicit MemoryHighWaterMark(int fail_stores_after) : fail_after_(fail_stores_after) {}
  absl::StatusOr<std::optional<HighWaterMark>> Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    return mark_;
  }
  absl::Status Store(const HighWaterMark& mark) override {
    if (mark.root_hash.size() != 32) {
      return absl::InvalidArgumentError("high-water mark: the root must be 32 bytes");
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_after_ >= 0 && stores_ >= fail_after_) {
      return absl::UnavailableError("high-water mark: injected store failure");
    }
    ++stores_;
    mark_ = mark;
    return absl::OkStatus();
  }
  std::string Describe() const override { return "(memory)"; }

 private:
  std::mutex mu_;
  const int fail_after_;
  int stores_ = 0;
  std::optional<HighWaterMark> mark_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<HighWaterMarkStore>> OpenHighWaterMarkFile(const std::string& path) {
  auto store = std::make_unique<FileHighWaterMark>(path);
  auto loaded = store->Load();  // opens an existing file, checks it is readable
  if (!loaded.ok() && !absl::IsDataLoss(loaded.status())) return loaded.status();
  return std::unique_ptr<HighWaterMarkStore>(std::move(store));
}

std::unique_ptr<HighWaterMarkStore> NewMemoryHighWaterMark(int fail_stores_after) {
  return std::make_unique<MemoryHighWaterMark>(fail_stores_after);
}

}  // namespace provledger
