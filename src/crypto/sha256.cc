#include "provledger/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <string>

#include "openssl_handles.h"

namespace provledger {
namespace {

using crypto_internal::EvpMdCtxPtr;

// The SHA-256 implementation, fetched once: an explicit fetch avoids
// OpenSSL 3's per-call implicit provider lookup on the Merkle hot path.
const EVP_MD* Sha256Md() {
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();  // OpenSSL without SHA-256.
    return fetched;
  }();
  return md;
}

// One digest context per thread, reused for every one-shot hash.
EVP_MD_CTX* ThreadCtx() {
  thread_local EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) std::abort();
  return ctx.get();
}

std::string HashParts(std::initializer_list<std::string_view> parts) {
  EVP_MD_CTX* ctx = ThreadCtx();
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  // EVP_DigestInit/Update/Final cannot fail for SHA-256 on valid contexts;
  // a failure means a broken OpenSSL and is fatal rather than silent.
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1) std::abort();
  for (std::string_view p : parts) {
    if (EVP_DigestUpdate(ctx, p.data(), p.size()) != 1) std::abort();
  }
  if (EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) != 1) {
    std::abort();
  }
  return out;
}

}  // namespace

std::string Sha256(std::string_view data) { return HashParts({data}); }

std::string Sha256Concat(std::string_view a, std::string_view b) { return HashParts({a, b}); }

std::string Sha256Concat(std::string_view a, std::string_view b, std::string_view c) {
  return HashParts({a, b, c});
}

struct Sha256Hasher::Impl {
  EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
  void Init() {
    if (ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) != 1) {
      std::abort();
    }
  }
};

Sha256Hasher::Sha256Hasher() : impl_(std::make_unique<Impl>()) { impl_->Init(); }
Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::string_view data) {
  if (EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) != 1) {
    std::abort();
  }
}

std::string Sha256Hasher::Finish() {
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) !=
      1) {
    std::abort();
  }
  impl_->Init();
  return out;
}

}  // namespace provledger
