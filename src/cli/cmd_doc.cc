// podns __doc man DIR | podns __doc bash-completion FILE: the man pages and
// the bash completion, written from the CLI11 definitions that parse the
// command line (hidden: the build runs it, cmake/doc.cmake).
//
// Why not help2man: it reads --help text back by heuristics, makes one page
// per program rather than per subcommand, and cannot write a completion. The
// App already knows every subcommand, option, argument, default and
// constraint; walking it gives podns(8), podns-SUBCOMMAND(8) and the
// completion, always in step with the parser.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "command.h"
#include "podns/version.h"

namespace podns::cli {
namespace {

// Subcommands that are shown (a hidden one has an empty group).
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<const CLI::Option*> named_options(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) {
    return !o->get_positional() && !o->get_group().empty();
  });
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

bool takes_value(const CLI::Option& o) { return o.get_type_size() != 0; }
bool repeats(const CLI::Option& o) { return o.get_expected_max() >= CLI::detail::expected_max_vector_size; }

// Text for roff: backslashes and hyphens escaped, and no line that starts
// with a control character ('.' or '\'').
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

// The description's first clause, for the NAME line: up to ": ", ". " or a
// line break, after a leading "podns: ".
std::string summary(std::string description) {
  if (description.starts_with("podns: ")) description.erase(0, 7);
  auto end = std::min({description.find(": "), description.find(". "), description.find('\n')});
  auto s = description.substr(0, end);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// "ID", "[ID]", "CMD..."
std::string usage_of(const CLI::Option& p) {
  std::string name = "\\fI" + roff(p.get_name(true)) + "\\fR" + (repeats(p) ? "..." : "");
  return p.get_required() ? name : "[" + name + "]";
}

// "-h, --help"
std::string names_of(const CLI::Option& o) {
  std::string out;
  for (const auto& s : o.get_snames()) out += (out.empty() ? "-" : ", -") + s;
  for (const auto& l : o.get_lnames()) out += (out.empty() ? "--" : ", --") + l;
  return out;
}

void option_entry(std::ostream& out, const CLI::Option& o) {
  out << ".TP\n\\fB" << roff(names_of(o)) << "\\fR";
  if (takes_value(o)) out << " \\fI" << roff(o.get_type_name()) << "\\fR" << (repeats(o) ? "..." : "");
  out << "\n" << roff(o.get_description());
  std::vector<std::string> notes;
  if (!o.get_default_str().empty()) notes.push_back("default: " + o.get_default_str());
  if (o.get_required()) notes.emplace_back("required");
  for (const auto* n : o.get_needs()) notes.push_back("needs " + n->get_name());
  for (const auto* x : o.get_excludes()) notes.push_back("excludes " + x->get_name());
  if (!notes.empty()) {
    std::string joined;
    for (const auto& n : notes) joined += (joined.empty() ? "" : "; ") + n;
    out << " (" << roff(joined) << ")";
  }
  out << "\n";
}

void header(std::ostream& out, const std::string& page, const std::string& name,
            const std::string& what) {
  std::string upper = page;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  out << ".\\\" Written by `podns __doc man` from podns's own options; do not edit.\n"
      << ".TH " << roff(upper) << R"( 8 "" "podns )" << PODNS_VERSION
      << "\" \"System Administration\"\n"
      // Left-aligned and never hyphenated: option names stay whole.
      << ".ad l\n.nh\n"
      << ".SH NAME\n"
      << roff(name) << " \\- " << roff(what) << "\n";
}

void exit_status(std::ostream& out) {
  out << ".SH EXIT STATUS\n"
      << ".TP\n0\nSuccess.\n"
      << ".TP\n1\nThe operation failed; the message on standard error names the step, the path "
         "and the system's error.\n"
      << ".TP\n2\nThe command line or a value in it was wrong; nothing was changed.\n"
      << ".TP\n128 + N\nSignal N (SIGINT: 130, SIGTERM: 143, SIGHUP: 129) arrived during "
         "create, stop or rm. The operation was finished first, and a create then undone; a "
         "second signal does not interrupt that. Standard error says which.\n";
}

void global_options(std::ostream& out, const CLI::App& root, const std::string& intro) {
  out << ".SH GLOBAL OPTIONS\n" << roff(intro) << "\n";
  for (const auto* o : named_options(root)) {
    if (o == root.get_help_ptr() || o == root.get_version_ptr()) continue;
    option_entry(out, *o);
  }
}

std::string main_page(const CLI::App& root) {
  std::ostringstream out;
  header(out, "podns", "podns", summary(root.get_description()));
  out << ".SH SYNOPSIS\n.B podns\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
         "[\\fIARGUMENTS\\fR]\n"
      << ".br\n.B podns \\-\\-version\n"
      << ".SH DESCRIPTION\n" << roff(root.get_description()) << "\n"
      << ".PP\nGlobal options may be given before or after the command.\n"
      << ".SH COMMANDS\n";
  for (const auto* sub : visible_subcommands(root)) {
    auto text = sub->get_description();
    if (!text.empty() && text.back() != '.') text += '.';
    out << ".TP\n\\fB" << roff(sub->get_name()) << "\\fR\n" << roff(text) << " See \\fBpodns\\-"
        << roff(sub->get_name()) << "\\fR(8).\n";
  }
  out << ".SH OPTIONS\n";
  option_entry(out, *root.get_help_ptr());
  if (root.get_version_ptr() != nullptr) option_entry(out, *root.get_version_ptr());
  global_options(out, root, "These may be given before or after the command.");
  exit_status(out);
  out << ".SH ENVIRONMENT\n.TP\nPODNS_FAULT\n"
      << roff("STEP:error or STEP:crash: fail, or SIGKILL the process, at the named step "
              "(for tests; podns fault-steps lists the steps).")
      << "\n.TP\nPODNS_DB_TIMEOUT\n"
      << roff("Seconds a write waits for another process's write transaction on the state "
              "database before failing with \"database is locked\" (0 to 3600, default 30).")
      << "\n.SH FILES\n"
      << ".TP\n/run/podns/ID/\n" << roff("The pins of sandbox ID: user, net, ipc, uts.") << "\n"
      << ".TP\n/var/lib/podns/podns.db\n" << roff("The state database (SQLite).") << "\n"
      << ".TP\n/etc/cni/net.d/\n" << roff("CNI network configurations.") << "\n"
      << ".TP\n/var/lib/cni/results/\n" << roff("The CNI result cache, as libcni lays it out.")
      << "\n.SH SEE ALSO\n";
  std::string see;
  for (const auto* sub : visible_subcommands(root))
    see += (see.empty() ? "" : ",\n") + ("\\fBpodns\\-" + roff(sub->get_name()) + "\\fR(8)");
  out << see << "\n";
  return out.str();
}

std::string sub_page(const CLI::App& root, const CLI::App& sub) {
  std::ostringstream out;
  const std::string name = "podns-" + sub.get_name();
  header(out, name, name, summary(sub.get_description()));
  out << ".SH SYNOPSIS\n.B podns " << roff(sub.get_name()) << "\n[\\fIOPTIONS\\fR]";
  for (const auto* p : positionals(sub)) out << " " << usage_of(*p);
  out << "\n.SH DESCRIPTION\n" << roff(sub.get_description()) << "\n";
  if (auto args = positionals(sub); !args.empty()) {
    out << ".SH ARGUMENTS\n";
    for (const auto* p : args) {
      out << ".TP\n\\fI" << roff(p->get_name(true)) << "\\fR\n" << roff(p->get_description())
          << (p->get_required() ? "" : " (optional)") << "\n";
    }
  }
  out << ".SH OPTIONS\n";
  for (const auto* o : named_options(sub)) option_entry(out, *o);
  global_options(out, root,
                 "Those of podns(8), given before or after \"" + sub.get_name() + "\":");
  exit_status(out);
  out << ".SH SEE ALSO\n\\fBpodns\\fR(8)\n";
  return out.str();
}

Result<void> write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) return errno_error(errno != 0 ? errno : EIO, "write", path);
  return {};
}

// The words that complete an App's options, and those that take a value.
std::string option_words(const CLI::App& app, bool with_value_only) {
  std::string out;
  for (const auto* o : named_options(app)) {
    if (with_value_only && !takes_value(*o)) continue;
    for (const auto& s : o->get_snames()) out += (out.empty() ? "-" : " -") + s;
    for (const auto& l : o->get_lnames()) out += (out.empty() ? "--" : " --") + l;
  }
  return out;
}

std::string bash_completion(const CLI::App& root) {
  std::ostringstream out;
  std::string commands;
  for (const auto* sub : visible_subcommands(root))
    commands += (commands.empty() ? "" : " ") + sub->get_name();
  out << "# bash completion for podns " << PODNS_VERSION
      << ". Written by `podns __doc bash-completion`\n"
         "# from podns's own options; do not edit.\n"
         "_podns() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]}\n"
         "  local prev=\n"
         "  [ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  local commands='" << commands << "'\n"
      << "  local globals='" << option_words(root, false) << "'\n"
      << "  local valued='" << option_words(root, true);
  for (const auto* sub : visible_subcommands(root)) {
    auto v = option_words(*sub, true);
    if (!v.empty()) out << " " << v;
  }
  out << "'\n"
         "  # The command: the first word that is neither an option nor an option's value.\n"
         "  local cmd= i w\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    w=${COMP_WORDS[i]}\n"
         "    case \" $valued \" in *\" $w \"*) i=$((i + 1)); continue ;; esac\n"
         "    case $w in -*) continue ;; esac\n"
         "    cmd=$w\n"
         "    break\n"
         "  done\n"
         "  COMPREPLY=()\n"
         "  # The value of an option: directories for directories, else the default.\n"
         "  case \" $valued \" in *\" $prev \"*)\n"
         "    case $prev in *dir | --root | --bundle) COMPREPLY=($(compgen -d -- \"$cur\")) ;; esac\n"
         "    return 0 ;;\n"
         "  esac\n"
         "  if [ -z \"$cmd\" ]; then\n"
         "    case $cur in\n"
         "      -*) COMPREPLY=($(compgen -W \"$globals\" -- \"$cur\")) ;;\n"
         "      *) COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\")) ;;\n"
         "    esac\n"
         "    return 0\n"
         "  fi\n"
         "  local opts=\n"
         "  case $cmd in\n";
  for (const auto* sub : visible_subcommands(root))
    out << "    " << sub->get_name() << ") opts='" << option_words(*sub, false) << "' ;;\n";
  out << "  esac\n"
         "  case $cur in -*) COMPREPLY=($(compgen -W \"$opts $globals\" -- \"$cur\")) ;; esac\n"
         "  return 0\n"
         "}\n"
         "complete -o default -F _podns podns\n";
  return out.str();
}

}  // namespace

void add_doc(CLI::App& app, Globals& g) {
  struct Opts {
    std::string what, where;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("__doc", "Write the man pages or the bash completion");
  cmd->group("");  // hidden: for the build
  cmd->add_option("WHAT", o->what, "man or bash-completion")
      ->required()
      ->check(CLI::IsMember({"man", "bash-completion"}));
  cmd->add_option("WHERE", o->where, "man: a directory; bash-completion: a file")->required();
  const CLI::App* root = &app;
  cmd->callback([o, root, &g] {
    Result<void> done;
    if (o->what == "man") {
      done = write_file(o->where + "/podns.8", main_page(*root));
      for (const auto* sub : visible_subcommands(*root)) {
        if (done) done = write_file(o->where + "/podns-" + sub->get_name() + ".8", sub_page(*root, *sub));
      }
    } else {
      done = write_file(o->where, bash_completion(*root));
    }
    if (!done) g.exit_code = fail(done.error());
  });
}

}  // namespace podns::cli
