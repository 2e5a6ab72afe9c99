#include "provledger/ed25519.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>
#include <utility>

#include "openssl_handles.h"

namespace provledger {

using crypto_internal::BioPtr;
using crypto_internal::EvpMdCtxPtr;
using crypto_internal::EvpPkeyPtr;
using crypto_internal::OpenSslError;

struct Ed25519PrivateKey::Impl {
  EvpPkeyPtr pkey;
};

namespace {

absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* pkey) {
  std::string pub(kEd25519PublicKeySize, '\0');
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(pub.data()), &len) != 1 ||
      len != kEd25519PublicKeySize) {
    return OpenSslError("reading Ed25519 public key");
  }
  return pub;
}

}  // namespace

Ed25519PrivateKey::Ed25519PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ed25519PrivateKey::Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey& Ed25519PrivateKey::operator=(Ed25519PrivateKey&&) noexcept = default;
Ed25519PrivateKey::~Ed25519PrivateKey() = default;

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) return OpenSslError("generating Ed25519 key");
  auto pub = RawPublicKey(pkey.get());
  if (!pub.ok()) return pub.status();
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  Ed25519PrivateKey key(std::move(impl));
  key.public_key_ = *std::move(pub);
  return key;
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("allocating BIO");
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (pkey == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("not a PEM private key");
  }
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("private key is not an Ed25519 key");
  }
  auto pub = RawPublicKey(pkey.get());
  if (!pub.ok()) return pub.status();
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  Ed25519PrivateKey key(std::move(impl));
  key.public_key_ = *std::move(pub);
  return key;
}

std::string Ed25519PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    ERR_clear_error();
    return "";
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(google-runtime-int)
  return std::string(data, static_cast<size_t>(len));
}

absl::StatusOr<std::string> Ed25519PrivateKey::Sign(std::string_view message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey.get()) != 1) {
    return OpenSslError("initialising Ed25519 signing");
  }
  std::string sig(kEd25519SignatureSize, '\0');
  size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      len != kEd25519SignatureSize) {
    return OpenSslError("Ed25519 signing");
  }
  return sig;
}

bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeySize || signature.size() != kEd25519SignatureSize) {
    return false;
  }
  EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size()));
  if (pkey == nullptr) {
    ERR_clear_error();
    return false;
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return rc == 1;
}

}  // namespace provledger
