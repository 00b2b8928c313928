// Strings joined by appending each part into one buffer sized once.
//
// Written as `"a \"" + std::string(b) + "\""`, a message is built through
// operator+(const char*, std::string&&), which is basic_string::insert(0, ...):
// GCC 12 at -O3 (a Release build) reports a false -Wrestrict on the memcpy
// inside (GCC bug 105329). concat only appends, and allocates once.
#pragma once

#include <string>
#include <string_view>

namespace podns {

template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ... + 0));
  (out.append(std::string_view(parts)), ...);
  return out;
}

}  // namespace podns
