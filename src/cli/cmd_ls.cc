// podns ls [--json]
#include <algorithm>
#include <array>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "command.h"
#include "podns/json.h"

namespace podns::cli {

namespace {

using Row = std::array<std::string, 4>;

// Each column as wide as its widest cell (IDs run to 128 characters, a
// map to several lines), one space between columns; the last is not padded.
void print_table(const std::vector<Row>& rows) {
  std::array<std::size_t, std::tuple_size_v<Row>> width{};
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width.at(i) = std::max(width.at(i), row.at(i).size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row.at(i);
      if (i + 1 < row.size()) line.append(width.at(i) - row.at(i).size() + 1, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

void add_ls(CLI::App& app, Globals& g) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("ls", "List sandboxes: a table, or a JSON array with --json");
  cmd->add_flag("--json", *json, "An array of the inspect objects");
  cmd->callback([json, &g] {
    auto m = open_manager(g);
    if (!m) return;
    auto all = m->list();
    if (!all) {
      g.exit_code = fail(all.error());
      return;
    }
    if (*json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& s : *all) out.push_back(to_json(s));
      print_json(out);
      return;
    }
    std::vector<Row> rows{{"ID", "STATE", "UID MAP", "NETNS"}};
    for (const auto& s : *all) {
      rows.push_back({s.id, to_string(s.state), s.has_userns ? to_string(s.uid_map) : "-",
                      s.host_network ? "host" : s.netns_path()});
    }
    print_table(rows);
  });
}

}  // namespace podns::cli
