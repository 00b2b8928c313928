// CreateOptions::userns holds exactly one choice (maps, automatic, none),
// and the C API's keys still map onto it, refusing two at once.
#include <gtest/gtest.h>

#include <string>

#include "podns/c_options.h"
#include "podns/podns.h"

namespace podns {
namespace {

int choices(const UsernsChoice& c) {
  return (c.is_none() ? 1 : 0) + (c.maps() ? 1 : 0) + (c.auto_size() ? 1 : 0);
}

TEST(UsernsChoice, IsExactlyOne) {
  CreateOptions opts;
  EXPECT_TRUE(opts.userns.is_none());  // the default
  EXPECT_EQ(choices(opts.userns), 1);

  opts.userns = UsernsChoice::with_maps({{{0, 100000, 65536}}, {{0, 200000, 65536}}});
  ASSERT_NE(opts.userns.maps(), nullptr);
  EXPECT_EQ(opts.userns.maps()->gid, (IdMap{{0, 200000, 65536}}));
  EXPECT_EQ(choices(opts.userns), 1);

  // A second choice replaces the first: maps and a range cannot both be held.
  opts.userns = UsernsChoice::automatic(4096);
  EXPECT_EQ(opts.userns.auto_size(), 4096U);
  EXPECT_EQ(opts.userns.maps(), nullptr);
  EXPECT_EQ(choices(opts.userns), 1);
  EXPECT_EQ(UsernsChoice::automatic().auto_size(), UsernsChoice::kDefaultAutoSize);

  opts.userns = UsernsChoice::none();
  EXPECT_TRUE(opts.userns.is_none());
  EXPECT_EQ(choices(opts.userns), 1);
}

TEST(UsernsChoice, TheCApiKeysMapOntoIt) {
  auto maps = capi::create_from_json(
      R"({"id": "a", "uid_mappings": [{"container_id": 0, "host_id": 100000, "size": 10}],
          "gid_mappings": [{"container_id": 0, "host_id": 100000, "size": 10}]})");
  ASSERT_TRUE(maps) << maps.error().message();
  ASSERT_NE(maps->options.userns.maps(), nullptr);
  EXPECT_EQ(maps->options.userns.maps()->uid, (IdMap{{0, 100000, 10}}));

  auto automatic = capi::create_from_json(R"({"id": "a", "userns_auto": true})");
  ASSERT_TRUE(automatic) << automatic.error().message();
  EXPECT_EQ(automatic->options.userns.auto_size(), 65536U);
  auto sized = capi::create_from_json(R"({"id": "a", "userns_auto": 1000})");
  ASSERT_TRUE(sized) << sized.error().message();
  EXPECT_EQ(sized->options.userns.auto_size(), 1000U);

  auto none = capi::create_from_json(R"({"id": "a", "no_userns": true})");
  ASSERT_TRUE(none) << none.error().message();
  EXPECT_TRUE(none->options.userns.is_none());
}

TEST(UsernsChoice, TheCApiRefusesTwoChoices) {
  const char* map = R"([{"container_id": 0, "host_id": 100000, "size": 10}])";
  for (const std::string& text :
       {std::string(R"({"id": "a", "userns_auto": true, "uid_mappings": )") + map +
            R"(, "gid_mappings": )" + map + "}",
        std::string(R"({"id": "a", "userns_auto": 10, "no_userns": true})"),
        std::string(R"({"id": "a", "no_userns": true, "uid_mappings": )") + map +
            R"(, "gid_mappings": )" + map + "}",
        std::string(R"({"id": "a"})")}) {
    auto r = capi::create_from_json(text.c_str());
    ASSERT_FALSE(r) << text;
    EXPECT_TRUE(r.error().is_invalid_input());
    EXPECT_NE(r.error().message().find("give exactly one of"), std::string::npos)
        << r.error().message();
  }
}

}  // namespace
}  // namespace podns
