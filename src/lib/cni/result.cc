#include "podns/cni/result.h"

#include <cstring>

#include "podns/cni/parse.h"
#include "podns/cni/validate.h"

namespace podns::cni {

using nlohmann::json;

namespace {

// The last lines of stderr, on one line: enough to see a panic or the last
// log message, not a megabyte of logs.
std::string stderr_tail(std::string_view err) {
  constexpr std::size_t kMax = 400;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ' || err.back() == '\r'))
    err.remove_suffix(1);
  if (err.empty()) return {};
  bool cut = err.size() > kMax;
  if (cut) err = err.substr(err.size() - kMax);
  std::string text;
  for (char c : err) text += c == '\n' ? '|' : c;
  return "; stderr: " + std::string(cut ? "..." : "") + printable(text, kMax);
}

Result<json> parse_object(std::string_view text, Command cmd) {
  std::string what = std::string("its ") + to_string(cmd) + " result";
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return plain_error(EBADMSG,
                       "exited 0 but printed no " + std::string(to_string(cmd)) + " result");
  }
  PODNS_TRY(doc, parse_json(text, what));
  if (!doc.is_object())
    return plain_error(EBADMSG, what + " is not a JSON object: " + printable(doc.dump(), 120));
  return doc;
}

}  // namespace

std::optional<PluginError> parse_plugin_error(std::string_view text) {
  auto doc = parse_json(text, "error");
  if (!doc || !doc->is_object() || !doc->contains("code") || !(*doc)["code"].is_number_integer())
    return std::nullopt;
  PluginError e;
  e.code = (*doc)["code"].get<long long>();
  if (doc->contains("msg") && (*doc)["msg"].is_string()) e.msg = (*doc)["msg"].get<std::string>();
  if (doc->contains("details") && (*doc)["details"].is_string())
    e.details = (*doc)["details"].get<std::string>();
  return e;
}

std::string describe(const PluginError& e) {
  std::string s = "error " + std::to_string(e.code);
  if (!e.msg.empty()) s += ": " + e.msg;
  if (!e.details.empty()) s += ": " + e.details;
  return s;
}

int errno_for_code(long long code) {
  switch (code) {
    case 3:
      return ENOENT;
    case 11:
      return EAGAIN;
    default:
      return EIO;
  }
}

Result<json> interpret(const ExecOutput& out, Command cmd, const std::string& cni_version) {
  if (!out.succeeded()) {
    auto e = parse_plugin_error(out.out);
    if (!e) e = parse_plugin_error(out.err);
    if (e) return plain_error(errno_for_code(e->code), printable(describe(*e), 2000));
    std::string how = "exited with status " + std::to_string(out.exit_code);
    if (out.signal != 0) {
      const char* abbrev = ::sigabbrev_np(out.signal);
      how = "killed by signal " + std::to_string(out.signal) +
            (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
    }
    return plain_error(EIO, how + " without an error result" + stderr_tail(out.err));
  }

  if (cmd == Command::add) {
    PODNS_TRY(res, parse_object(out.out, cmd));
    if (res.contains("cniVersion") &&
        (!res["cniVersion"].is_string() || res["cniVersion"].get<std::string>() != cni_version)) {
      return plain_error(EBADMSG, "returned a result of CNI version " + res["cniVersion"].dump() +
                                      ", not the " + cni_version + " it was sent");
    }
    return res;
  }
  if (cmd == Command::version) {
    PODNS_TRY(res, parse_object(out.out, cmd));
    bool ok = res.contains("supportedVersions") && res["supportedVersions"].is_array();
    if (ok) {
      for (const auto& v : res["supportedVersions"]) ok = ok && v.is_string();
    }
    if (!ok) {
      return plain_error(
          EBADMSG, "its VERSION result lists no supportedVersions: " + printable(res.dump(), 200));
    }
    return res;
  }
  return json(nullptr);
}

}  // namespace podns::cni
