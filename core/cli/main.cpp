// stockrelay: the command line. `stockrelay --help` lists the commands;
// every command takes --help.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

using namespace stockrelay::cli;

namespace {

void overview(const std::vector<Command>& cmds) {
  std::cout << "stockrelay — keeps stock and orders consistent between shops and back-office systems\n\n"
               "usage: stockrelay <command> [options]   (stockrelay <command> --help for details)\n\ncommands:\n";
  for (const auto& c : cmds) {
    std::string pad(c.name.size() < 18 ? 18 - c.name.size() : 1, ' ');
    std::cout << "  " << c.name << pad << c.summary << "\n";
  }
  std::cout << "\nexit codes: 0 ok, 1 failed, 2 usage error, 3 configuration error, 4 store unavailable\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Command> cmds;
  for (auto group : {run_commands(), plugin_commands(), inspect_commands(), links_commands(), pool_commands(), demo_commands()})
    cmds.insert(cmds.end(), group.begin(), group.end());
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    overview(cmds);
    return args.empty() ? kUsage : kOk;
  }
  if (args[0] == "--version") args[0] = "version";
  // Longest match first: "plugins list" before "plugins".
  for (std::size_t words = 2; words >= 1; --words) {
    if (args.size() < words) continue;
    std::string name = args[0];
    for (std::size_t i = 1; i < words; ++i) name += " " + args[i];
    for (const auto& c : cmds) {
      if (c.name == name) return c.run(std::vector<std::string>(args.begin() + static_cast<long>(words), args.end()));
    }
  }
  // A group name alone ("plugins") lists its subcommands.
  bool group = false;
  for (const auto& c : cmds) {
    if (c.name.rfind(args[0] + " ", 0) == 0) {
      if (!group) std::cout << "usage: stockrelay " << args[0] << " <subcommand>\n\n";
      group = true;
      std::cout << "  " << c.name << "  " << c.summary << "\n";
    }
  }
  if (group) return args.size() == 1 ? kUsage : (std::cerr << "unknown subcommand '" << args[1] << "'\n", kUsage);
  std::cerr << "stockrelay: unknown command '" << args[0] << "' (stockrelay --help lists the commands)\n";
  return kUsage;
}
