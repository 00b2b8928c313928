#include "podns/cni/parse.h"

#include "podns/cni/validate.h"

namespace podns::cni {
namespace {

// The deepest nesting of arrays and objects in `text`, outside strings.
// Malformed text gives some number; the parser judges it afterwards.
std::size_t nesting(std::string_view text) {
  std::size_t depth = 0;
  std::size_t deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, std::string_view what) {
  if (nesting(text) > kMaxJsonDepth) {
    return plain_error(EBADMSG, std::string(what) + " is nested deeper than " +
                                    std::to_string(kMaxJsonDepth) + " levels");
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // "[json.exception.parse_error.101] parse error at ...": the tag tells a user nothing.
    std::string why = e.what();
    if (auto tag_end = why.find("] "); why.starts_with("[json.") && tag_end != std::string::npos)
      why.erase(0, tag_end + 2);
    std::string shown = text.empty() ? "empty" : "\"" + printable(text, 120) + "\"";
    return plain_error(EBADMSG, std::string(what) + " is not valid JSON (" + shown + "): " + why);
  }
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace podns::cni
