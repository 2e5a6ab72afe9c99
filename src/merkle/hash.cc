#include <string>

#include "provledger/merkle.h"
#include "provledger/sha256.h"

namespace provledger::merkle {

std::string HashLeaf(std::string_view data) {
  static constexpr char kLeafPrefix[1] = {0x00};
  return Sha256Concat(std::string_view(kLeafPrefix, 1), data);
}

std::string HashChildren(std::string_view left, std::string_view right) {
  static constexpr char kNodePrefix[1] = {0x01};
  return Sha256Concat(std::string_view(kNodePrefix, 1), left, right);
}

std::string EmptyRoot() { return Sha256(""); }

}  // namespace provledger::merkle
