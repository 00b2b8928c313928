// ID maps, every form, on the same input: the command line's
// "C:H:S,C:H:S" (parse_id_map), CRI-O's pinns form "C-H-S@C-H-S@"
// (parse_pinns_id_map) and the kernel's "C H S\n" (parse_kernel_text).
#include "podns/idmap.h"

#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"

namespace {

using podns::IdMap;

// The last ID there is; the kernel truncates anything above to 32 bits.
constexpr std::uint64_t kMaxId = 0xFFFFFFFF;

// What holds for a map that validates: every range is inside the 32-bit ID
// space on both sides (no wrap past 2^32-1), and both textual forms give the
// same map back.
void check_valid(const IdMap& map) {
  FUZZ_CHECK(!map.empty() && map.size() <= podns::kMaxIdMapLines);
  // The kernel refuses a map text of a page or more.
  FUZZ_CHECK(podns::to_kernel_text(map).size() <= podns::kMaxIdMapText);
  for (const auto& m : map) {
    FUZZ_CHECK(m.size > 0);
    FUZZ_CHECK(std::uint64_t{m.host_id} + m.size <= kMaxId);
    FUZZ_CHECK(std::uint64_t{m.container_id} + m.size <= kMaxId);
    FUZZ_CHECK(podns::maps_host_id(map, m.host_id));
    FUZZ_CHECK(podns::maps_host_id(map, m.host_id + (m.size - 1)));
  }
  auto cli = podns::parse_id_map(podns::to_string(map));
  FUZZ_CHECK(cli && *cli == map);
  auto kernel = podns::parse_kernel_text(podns::to_kernel_text(map));
  FUZZ_CHECK(kernel && *kernel == map);
  // As CRI-O writes it: every line ended by '@'.
  std::string crio;
  for (const auto& m : map) {
    crio += std::to_string(m.container_id) + "-" + std::to_string(m.host_id) + "-" +
            std::to_string(m.size) + "@";
  }
  auto pinns = podns::parse_pinns_id_map(crio);
  FUZZ_CHECK(pinns && *pinns == map);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = podns::fuzz::text(data, size);

  if (auto map = podns::parse_id_map(text)) {
    FUZZ_CHECK(podns::validate_id_map(*map));
    check_valid(*map);
  } else {
    // Bad input is the caller's mistake (the CLI exits 2), never a system error.
    FUZZ_CHECK(map.error().is_invalid_input());
  }

  if (auto map = podns::parse_pinns_id_map(text)) {
    FUZZ_CHECK(podns::validate_id_map(*map));
    check_valid(*map);
  } else {
    FUZZ_CHECK(map.error().is_invalid_input());
  }

  if (auto map = podns::parse_kernel_text(text)) {
    // The kernel's text need not validate ("0 0 4294967295" is the initial
    // namespace's), but it always reads back as written.
    auto again = podns::parse_kernel_text(podns::to_kernel_text(*map));
    FUZZ_CHECK(again && *again == *map);
    if (podns::validate_id_map(*map)) check_valid(*map);
  } else {
    FUZZ_CHECK(map.error().is_invalid_input());
  }
  return 0;
}
