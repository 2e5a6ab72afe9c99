// RAII owners for the OpenSSL handles used in src/crypto. Internal to the
// crypto layer: no other layer includes OpenSSL headers.
#ifndef PROVLEDGER_SRC_CRYPTO_OPENSSL_HANDLES_H_
#define PROVLEDGER_SRC_CRYPTO_OPENSSL_HANDLES_H_

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"

namespace provledger::crypto_internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Internal status naming `what` and the first queued OpenSSL error; clears
// the thread's OpenSSL error queue.
inline absl::Status OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int)
  std::string detail = "unknown error";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    detail = buf;
  }
  ERR_clear_error();
  return absl::InternalError(what + ": " + detail);
}

}  // namespace provledger::crypto_internal

#endif  // PROVLEDGER_SRC_CRYPTO_OPENSSL_HANDLES_H_
