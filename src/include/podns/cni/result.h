// What a plugin's exit and output mean (spec section 5).
//
// A plugin that exits 0 succeeded; for ADD its stdout must be a result
// object of the version it was sent, for VERSION an object listing
// `supportedVersions`; for the other commands stdout is not looked at.
// A plugin that fails should print an error object (`code`, `msg`,
// `details`) on stdout; some print it on stderr, which is looked at next.
// One that fails without one (crashed, killed, printed garbage) gets an
// error that says so, with the tail of its stderr, which is where Go
// plugins' panics and logs go.
//
// Errors carry an errno a caller can act on: EAGAIN for CNI code 11 (try
// again later), ENOENT for code 3 (container unknown), EBADMSG for output
// that is not a result, EIO otherwise. The CNI code itself is in the message.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "podns/cni/exec.h"
#include "podns/cni/request.h"
#include "podns/error.h"

namespace podns::cni {

// A plugin's error object.
struct PluginError {
  long long code = 0;
  std::string msg;
  std::string details;
};

// The error object in `text`, if it is a JSON object with a numeric `code`.
std::optional<PluginError> parse_plugin_error(std::string_view text);

// "error 11: msg: details" (parts that are empty left out).
std::string describe(const PluginError& e);

// The errno for a CNI error code (see above).
int errno_for_code(long long code);

// Judges `out` of a plugin run for `cmd` that was sent `cni_version`.
// Returns the result object for ADD and VERSION, null for the others.
Result<nlohmann::json> interpret(const ExecOutput& out, Command cmd,
                                 const std::string& cni_version);

}  // namespace podns::cni
