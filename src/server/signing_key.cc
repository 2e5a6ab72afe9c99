// Signing-key files: PKCS#8 PEM, created 0600 in a 0700 directory.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "provledger/server.h"
#include "provledger/status_macros.h"

namespace provledger {

absl::StatusOr<Ed25519PrivateKey> LoadOrCreateSigningKey(const std::string& path, bool create) {
  std::ifstream in(path, std::ios::binary);
  if (in) {
    // As ssh does: a private key others can read is no longer private.
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return absl::FailedPreconditionError(
          "signing key " + path + " has mode " + mode +
          ": it is readable or writable by group or others; refusing to use it (chmod 600 " + path +
          ")");
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto key = Ed25519PrivateKey::FromPem(ss.str());
    if (!key.ok()) {
      return absl::InvalidArgumentError("signing key " + path + ": " +
                                        std::string(key.status().message()));
    }
    return key;
  }
  if (!create) {
    return absl::NotFoundError("signing key file " + path + " does not exist");
  }
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return absl::UnavailableError("creating " + parent.string() + ": " + ec.message());
    ::chmod(parent.c_str(), 0700);
  }
  PL_ASSIGN_OR_RETURN(Ed25519PrivateKey key, Ed25519PrivateKey::Generate());
  std::string pem = key.ToPem();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::UnavailableError("creating signing key " + path + ": " + std::strerror(errno));
  }
  bool ok =
      ::write(fd, pem.data(), pem.size()) == static_cast<ssize_t>(pem.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return absl::UnavailableError("writing signing key " + path);
  }
  return key;
}

}  // namespace provledger
