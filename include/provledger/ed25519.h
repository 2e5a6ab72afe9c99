// Ed25519 keys, signatures and verification (RFC 8032, pure Ed25519).
//
//   PL_ASSIGN_OR_RETURN(auto key, Ed25519PrivateKey::Generate());
//   PL_ASSIGN_OR_RETURN(std::string sig, key.Sign("message"));
//   bool ok = Ed25519Verify(key.PublicKey(), "message", sig);
//
// Private keys are stored as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), the
// form `openssl genpkey -algorithm ed25519` writes, so operators can create
// and inspect keys with standard tools. Backed by OpenSSL EVP; the key handle
// is owned by the object and freed with it. A key object is immutable after
// construction and may be used from several threads at once.
#ifndef PROVLEDGER_ED25519_H_
#define PROVLEDGER_ED25519_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace provledger {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

class Ed25519PrivateKey {
 public:
  // A fresh key from the OpenSSL CSPRNG. Internal on an OpenSSL failure.
  static absl::StatusOr<Ed25519PrivateKey> Generate();
  // Parses a PKCS#8 PEM private key. InvalidArgument if it is not PEM or
  // not an Ed25519 key.
  static absl::StatusOr<Ed25519PrivateKey> FromPem(std::string_view pem);

  Ed25519PrivateKey(Ed25519PrivateKey&&) noexcept;
  Ed25519PrivateKey& operator=(Ed25519PrivateKey&&) noexcept;
  ~Ed25519PrivateKey();

  // PKCS#8 PEM of the private key (secret: write it with mode 0600).
  std::string ToPem() const;
  // The 32-byte raw public key.
  const std::string& PublicKey() const { return public_key_; }
  // A 64-byte signature over `message`. Internal on an OpenSSL failure.
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  struct Impl;
  explicit Ed25519PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string public_key_;
};

// True iff `signature` is a valid Ed25519 signature of `message` under the
// raw 32-byte `public_key`. Malformed keys or signatures give false.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);

}  // namespace provledger

#endif  // PROVLEDGER_ED25519_H_
