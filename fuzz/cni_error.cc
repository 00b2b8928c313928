// What a plugin that failed printed: its error object, on stdout or on
// stderr, or anything else (a panic, logs), and the error podns makes of it.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "podns/cni/result.h"
#include "podns/cni/validate.h"

namespace {

using namespace podns::cni;

ExecOutput failed(std::string_view out, std::string_view err, int signal = 0) {
  ExecOutput o;
  o.exit_code = signal == 0 ? 1 : 0;
  o.signal = signal;
  o.out = std::string(out);
  o.err = std::string(err);
  return o;
}

bool is_printable(const std::string& s) {
  return std::ranges::all_of(s, [](char c) { return c >= 0x20 && c < 0x7f; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = podns::fuzz::text(data, size);

  auto e = parse_plugin_error(text);
  if (e) FUZZ_CHECK(describe(*e).starts_with("error " + std::to_string(e->code)));

  // On stdout, then on stderr: an error object is reported with its code's
  // errno; anything else gets EIO and the tail of stderr. The message is
  // printable and bounded, whatever the plugin printed.
  for (const auto& out : {failed(text, ""), failed("", text), failed("", text, SIGSEGV)}) {
    auto r = interpret(out, Command::add, "1.0.0");
    FUZZ_CHECK(!r);
    auto message = r.error().message();
    FUZZ_CHECK(!message.empty() && is_printable(message));
    if (e) {
      FUZZ_CHECK(r.error().errno_value() == errno_for_code(e->code));
      FUZZ_CHECK(message.size() <= 4 * 2000 + 3);
    } else {
      FUZZ_CHECK(r.error().errno_value() == EIO);
      FUZZ_CHECK(message.size() <= 2000);
    }
  }

  auto shown = printable(text, 200);
  FUZZ_CHECK(is_printable(shown) && shown.size() <= 4 * 200 + 3);
  return 0;
}
