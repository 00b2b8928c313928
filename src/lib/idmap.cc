#include "podns/idmap.h"

#include "podns/concat.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

namespace podns {
namespace {

constexpr std::uint64_t kMaxId = 0xFFFFFFFFULL;  // 2^32-1: the last value, and "no ID"

// Splits on any of `seps`, keeping empty fields so "1:2:" is caught.
std::vector<std::string_view> split(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || seps.find(s[i]) != std::string_view::npos) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// A decimal number: digits only (no sign, no blanks), at most 2^32-1.
Result<std::uint32_t> parse_number(std::string_view field, std::string_view line,
                                   const char* what) {
  auto fail = [&](const char* why) {
    return invalid_argument(concat("ID map line \"", line, "\": ", what, " ", why));
  };
  if (field.empty()) return fail("is empty");
  if (!std::all_of(field.begin(), field.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail(concat("\"", field, "\" is not a decimal number").c_str());
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
  if (ec != std::errc() || ptr != field.data() + field.size() || v > kMaxId)
    return fail("is above 4294967295");
  return static_cast<std::uint32_t>(v);
}

std::string describe(const IdMapping& m) {
  return std::to_string(m.container_id) + ":" + std::to_string(m.host_id) + ":" +
         std::to_string(m.size);
}

// The first pair of lines whose [start, start+size) ranges overlap, as
// selected by `start`; empty when none do.
template <class Start>
std::string find_overlap(const IdMap& map, Start start) {
  std::vector<const IdMapping*> sorted;
  for (const auto& m : map) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [&](auto* a, auto* b) { return start(*a) < start(*b); });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const auto& prev = *sorted[i - 1];
    if (std::uint64_t{start(prev)} + prev.size > start(*sorted[i]))
      return describe(prev) + " and " + describe(*sorted[i]);
  }
  return {};
}

}  // namespace

namespace {

// Lines separated by any of `line_seps`, fields by `field_sep`.
Result<IdMap> parse_lines(std::string_view text, std::string_view line_seps,
                          std::string_view field_sep, const char* form) {
  IdMap map;
  if (text.empty()) return invalid_argument("ID map is empty");
  for (auto line : split(text, line_seps)) {
    if (line.empty()) return invalid_argument(concat("ID map \"", text, "\" has an empty line"));
    auto fields = split(line, field_sep);
    if (fields.size() != 3) {
      return invalid_argument(concat("ID map line \"", line, "\" is not ", form));
    }
    PODNS_TRY(c, parse_number(fields[0], line, "container ID"));
    PODNS_TRY(h, parse_number(fields[1], line, "host ID"));
    PODNS_TRY(s, parse_number(fields[2], line, "size"));
    map.push_back({c, h, s});
    if (map.size() > kMaxIdMapLines) break;  // validate says why
  }
  PODNS_CHECK(validate_id_map(map));
  return map;
}

}  // namespace

Result<IdMap> parse_id_map(std::string_view text) {
  return parse_lines(text, ",\n", ":", "CONTAINER:HOST:SIZE");
}

Result<IdMap> parse_pinns_id_map(std::string_view text) {
  // Every line ends with '@' as CRI-O writes them; the last may go without.
  if (text.ends_with('@')) text.remove_suffix(1);
  return parse_lines(text, "@", "-", "CONTAINER-HOST-SIZE");
}

Result<void> validate_id_map(const IdMap& map) {
  if (map.empty()) return invalid_argument("ID map is empty");
  if (map.size() > kMaxIdMapLines) {
    return invalid_argument("ID map has more than " + std::to_string(kMaxIdMapLines) +
                            " lines (the kernel's limit)");
  }
  // The exact text to_kernel_text writes, counted without building it.
  std::size_t text = 0;
  for (const auto& m : map) {
    text += std::to_string(m.container_id).size() + std::to_string(m.host_id).size() +
            std::to_string(m.size).size() + 3;
  }
  if (text > kMaxIdMapText) {
    return invalid_argument("ID map is " + std::to_string(text) +
                            " bytes as written to the kernel (\"C H S\\n\" per line); the "
                            "kernel takes at most " + std::to_string(kMaxIdMapText) +
                            " (less than a page of 4096)");
  }
  for (const auto& m : map) {
    if (m.size == 0) return invalid_argument("ID map line " + describe(m) + ": size is 0");
    if (std::uint64_t{m.container_id} + m.size > kMaxId) {
      return invalid_argument("ID map line " + describe(m) +
                              ": container range ends beyond 4294967294");
    }
    if (std::uint64_t{m.host_id} + m.size > kMaxId)
      return invalid_argument("ID map line " + describe(m) + ": host range ends beyond 4294967294");
  }
  if (auto o = find_overlap(map, [](const IdMapping& m) { return m.container_id; }); !o.empty())
    return invalid_argument("ID map lines " + o + " overlap on the container side");
  if (auto o = find_overlap(map, [](const IdMapping& m) { return m.host_id; }); !o.empty())
    return invalid_argument("ID map lines " + o + " overlap on the host side");
  return {};
}

Result<void> validate_pod_maps(const IdMap& uid, const IdMap& gid, bool allow_host_root) {
  PODNS_CHECK_CTX(validate_id_map(uid), "uid map");
  PODNS_CHECK_CTX(validate_id_map(gid), "gid map");
  auto maps_root = [](const IdMap& map) {
    return std::any_of(map.begin(), map.end(), [](const IdMapping& m) { return m.container_id == 0; });
  };
  for (const auto& [kind, map] : {std::pair{"uid", &uid}, std::pair{"gid", &gid}}) {
    if (!maps_root(*map)) {
      return invalid_argument(std::string("the ") + kind + " map does not map container " + kind +
                              " 0: the pod would have no root (podns exec and its containers run "
                              "as it); give a line 0:HOST:SIZE");
    }
  }
  if (!allow_host_root && (maps_host_id(uid, 0) || maps_host_id(gid, 0))) {
    return invalid_argument("the maps would map host uid or gid 0 into the pod (its root "
                            "would own the host's root files); allow it with --allow-host-root");
  }
  return {};
}

std::string to_kernel_text(const IdMap& map) {
  std::string out;
  for (const auto& m : map) {
    out += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
           std::to_string(m.size) + "\n";
  }
  return out;
}

Result<IdMap> parse_kernel_text(std::string_view text) {
  IdMap map;
  for (auto line : split(text, "\n")) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::array<std::uint64_t, 3> v{};
    int n = 0;
    std::size_t i = 0;
    while (n < 3) {
      i = line.find_first_not_of(" \t", i);
      if (i == std::string_view::npos) break;
      std::size_t end = line.find_first_of(" \t", i);
      auto field = line.substr(i, end == std::string_view::npos ? line.size() - i : end - i);
      auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), v[n]);
      if (ec != std::errc() || p != field.data() + field.size() || v[n] > kMaxId) break;
      ++n;
      i = end == std::string_view::npos ? line.size() : end;
    }
    if (n != 3) return invalid_argument(concat("unreadable ID map line \"", line, "\""));
    map.push_back({static_cast<std::uint32_t>(v[0]), static_cast<std::uint32_t>(v[1]),
                   static_cast<std::uint32_t>(v[2])});
  }
  return map;
}

std::string to_string(const IdMap& map) {
  std::string out;
  for (const auto& m : map) {
    if (!out.empty()) out += ",";
    out += describe(m);
  }
  return out;
}

bool maps_host_id(const IdMap& map, std::uint32_t id) {
  return std::any_of(map.begin(), map.end(), [id](const IdMapping& m) {
    return id >= m.host_id && std::uint64_t{id} < std::uint64_t{m.host_id} + m.size;
  });
}

}  // namespace podns
