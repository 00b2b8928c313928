// Parsing JSON that comes from outside podns: plugins' output, configuration
// files, cache files.
//
// nlohmann's parser recurses once per nesting level, so a plugin that prints
// a megabyte of "[" would overflow podns's stack. Nesting is counted first,
// without recursion, and text nested deeper than kMaxJsonDepth is refused.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string_view>

#include "podns/error.h"

namespace podns::cni {

// Far deeper than any CNI configuration or result needs.
inline constexpr std::size_t kMaxJsonDepth = 128;

// Parses `text`; `what` names it in the error ("result of plugin bridge").
// EBADMSG for text that is not JSON or is nested too deeply.
Result<nlohmann::json> parse_json(std::string_view text, std::string_view what);

// Serialises compactly. Strings that are not valid UTF-8 (which can only
// come from a caller's own JSON values) are written with U+FFFD in place of
// the bad bytes instead of throwing.
std::string dump_json(const nlohmann::json& j);

}  // namespace podns::cni
