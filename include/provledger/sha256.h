// SHA-256, the content address and the Merkle tree hash of provledger.
//
//   std::string id = provledger::Sha256("hello");      // 32 raw bytes
//   provledger::Sha256Hasher h;                          // streaming
//   h.Update(part1); h.Update(part2); std::string d = h.Finish();
//
// Backed by OpenSSL's EVP API (hardware SHA extensions when present).
// Functions are thread-safe; a Sha256Hasher is not (one per thread).
#ifndef PROVLEDGER_SHA256_H_
#define PROVLEDGER_SHA256_H_

#include <memory>
#include <string>
#include <string_view>

namespace provledger {

inline constexpr size_t kSha256Size = 32;

// SHA-256 of the concatenation of `parts` (32 raw bytes).
std::string Sha256(std::string_view data);
std::string Sha256Concat(std::string_view a, std::string_view b);
std::string Sha256Concat(std::string_view a, std::string_view b, std::string_view c);

// Incremental SHA-256 for content that arrives in parts.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;

  void Update(std::string_view data);
  // Returns the digest and resets the hasher for reuse.
  std::string Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace provledger

#endif  // PROVLEDGER_SHA256_H_
