// What the fuzz targets share: a check of an invariant that stops the run
// with a message when it does not hold (libFuzzer then saves the input as a
// crash), and the input as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if (!static_cast<bool>(cond)) podns::fuzz::fail(__FILE__, __LINE__, #cond); \
  } while (0)

namespace podns::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond) {
  (void)std::fprintf(stderr, "%s:%d: invariant does not hold: %s\n", file, line, cond);
  std::abort();
}

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace podns::fuzz
