// What a plugin's exit and output mean.
#include <gtest/gtest.h>
#include <signal.h>

#include "podns/concat.h"
#include "podns/cni/parse.h"
#include "podns/cni/result.h"

namespace podns::cni {
namespace {

using nlohmann::json;

ExecOutput exited(int code, std::string out, std::string err = {}) {
  ExecOutput o;
  o.exit_code = code;
  o.out = std::move(out);
  o.err = std::move(err);
  return o;
}

TEST(Result, ParsesErrorObjects) {
  auto e = parse_plugin_error(
      R"({"cniVersion":"1.1.0","code":7,"msg":"Invalid Configuration","details":"too small"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, 7);
  EXPECT_EQ(e->msg, "Invalid Configuration");
  EXPECT_EQ(e->details, "too small");
  EXPECT_EQ(describe(*e), "error 7: Invalid Configuration: too small");
  EXPECT_EQ(describe(PluginError{11, "busy", ""}), "error 11: busy");
  EXPECT_EQ(describe(PluginError{100, "", ""}), "error 100");

  EXPECT_FALSE(parse_plugin_error(""));
  EXPECT_FALSE(parse_plugin_error("panic: runtime error"));
  EXPECT_FALSE(parse_plugin_error(R"({"msg":"no code"})"));
  EXPECT_FALSE(parse_plugin_error(R"({"code":"7"})"));
  EXPECT_FALSE(parse_plugin_error("[1]"));
}

TEST(Result, AFailureWithAnErrorObjectReportsIt) {
  auto r = interpret(exited(1, R"({"code":11,"msg":"failed to lock","details":"busy"})"),
                     Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "error 11: failed to lock: busy");
  EXPECT_EQ(r.error().errno_value(), EAGAIN);

  // Some plugins print it on stderr.
  r = interpret(exited(1, "", R"({"code":3,"msg":"container unknown"})"), Command::del, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "error 3: container unknown");
  EXPECT_EQ(r.error().errno_value(), ENOENT);

  r = interpret(exited(2, R"({"code":7,"msg":"bad"})"), Command::check, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EIO);
}

TEST(Result, AFailureWithoutOneSaysHowItEnded) {
  auto r = interpret(exited(2, "", "line one\npanic: boom\n"), Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "exited with status 2 without an error result; stderr: line one|panic: boom");

  ExecOutput killed;
  killed.signal = SIGSEGV;
  r = interpret(killed, Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "killed by signal 11 (SIGSEGV) without an error result");

  // A long stderr is cut to its tail.
  std::string long_err(5000, 'x');
  long_err += "the end";
  r = interpret(exited(1, "", long_err), Command::del, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_LT(r.error().message().size(), 600u);
  EXPECT_NE(r.error().message().find("the end"), std::string::npos);
}

TEST(Result, AddNeedsAResultObjectOfTheVersionItWasSent) {
  auto r = interpret(exited(0, R"({"cniVersion":"1.0.0","ips":[]})"), Command::add, "1.0.0");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)["ips"], json::array());

  r = interpret(exited(0, "this is {not json"), Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBADMSG);
  EXPECT_NE(r.error().message().find("its ADD result is not valid JSON (\"this is {not json\")"),
            std::string::npos)
      << r.error().message();

  r = interpret(exited(0, ""), Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "exited 0 but printed no ADD result");

  r = interpret(exited(0, "[1]"), Command::add, "1.0.0");
  ASSERT_FALSE(r);

  r = interpret(exited(0, R"({"cniVersion":"0.4.0"})"), Command::add, "1.0.0");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "returned a result of CNI version \"0.4.0\", not the 1.0.0 it was sent");
}

TEST(Result, OtherCommandsIgnoreStdoutOnSuccess) {
  for (auto cmd : {Command::del, Command::check, Command::status, Command::gc}) {
    auto r = interpret(exited(0, "whatever"), cmd, "1.1.0");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->is_null());
  }
}

TEST(Result, VersionNeedsSupportedVersions) {
  auto r = interpret(exited(0, R"({"cniVersion":"1.1.0","supportedVersions":["1.0.0"]})"),
                     Command::version, "1.1.0");
  ASSERT_TRUE(r) << r.error().message();
  r = interpret(exited(0, R"({"cniVersion":"1.1.0"})"), Command::version, "1.1.0");
  ASSERT_FALSE(r);
  r = interpret(exited(0, R"({"supportedVersions":[1]})"), Command::version, "1.1.0");
  ASSERT_FALSE(r);
}

TEST(Result, JsonNestingIsBounded) {
  EXPECT_TRUE(parse_json(std::string(100, '[') + std::string(100, ']'), "x"));
  auto r = parse_json(std::string(1 << 20, '['), "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errno_value(), EBADMSG);
  // Brackets inside strings do not count.
  EXPECT_TRUE(parse_json(concat("\"", std::string(1000, '['), "\""), "x"));
  EXPECT_TRUE(parse_json(R"(["\"[[[[[[[["])", "x"));
}

TEST(Result, DumpsInvalidUtf8WithoutThrowing) {
  json j{{"k", std::string("a\xff"
                           "b")}};
  EXPECT_EQ(dump_json(j),
            "{\"k\":\"a\xef\xbf\xbd"
            "b\"}");
}

}  // namespace
}  // namespace podns::cni
