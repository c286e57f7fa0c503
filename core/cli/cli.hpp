// Shared pieces of the `stockrelay` command line: exit codes, option
// parsing, config/store opening with operator-facing errors, progress bar.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "config/config.hpp"
#include "loader/registry.hpp"
#include "store/store.hpp"

namespace stockrelay::hub {
class Hub;
}

namespace stockrelay::cli {

// Exit codes (docs/cli.md).
enum Exit : int {
  kOk = 0,
  kFailed = 1,        // the command ran and something failed (a refused plugin, a failed sync)
  kUsage = 2,         // bad arguments
  kConfig = 3,        // the configuration has errors
  kStore = 4,         // the store could not be opened (in use, corrupt, missing)
};

namespace po = boost::program_options;

struct Command {
  std::string name;     // "run", "plugins list"
  std::string summary;  // one line for the overview
  std::function<int(const std::vector<std::string>& args)> run;
};

// Parses `args` against `opts` (+ --help). Returns an exit code when the
// command should end now (help printed, or a usage error printed).
std::optional<int> parse(const std::string& usage, const po::options_description& opts,
                         const std::vector<std::string>& args, po::variables_map& vm,
                         const po::positional_options_description* positional = nullptr);

// Loads and checks the config; prints every error (file:line:column) to stderr.
std::optional<config::Config> load_config(const std::string& path);

// Plugin search paths: the config's, then the folders beside the executable.
loader::Registry registry_for(const config::Config* cfg, const std::vector<std::string>& extra = {});

std::unique_ptr<store::Store> open_store(const config::Config& cfg, store::OpenMode mode);

std::string self_exe();

// --config and --log-level, shared by every command that runs the hub.
void common_options(po::options_description& o, std::string& config_path, std::string& level);
bool apply_level(const std::string& level);
// Opens the hub's connections; prints every error. Returns an exit code (0 ok).
int open_hub(hub::Hub& h, const loader::Registry& reg);

// Table cells: `s` padded to width `w` (at least one space after it), and
// a time as "YYYY-MM-DD HH:MM:SS" (UTC).
std::string pad(std::string s, std::size_t w);
std::string when(store::Millis ms);

// A progress bar on stderr, drawn only on a terminal and only once the work
// has taken longer than a second.
class Progress {
 public:
  explicit Progress(std::string label);
  ~Progress();
  void update(std::size_t done, std::size_t total);
  void label(std::string text);  // a new phase: the next update draws a new line
  void finish();

 private:
  std::string label_;
  std::chrono::steady_clock::time_point start_;
  bool tty_;
  bool drawn_ = false;
};

// Subcommand groups, each in its own file.
std::vector<Command> run_commands();      // run, sync, check
std::vector<Command> plugin_commands();   // plugins list|inspect|install|probe
std::vector<Command> inspect_commands();  // orders, log, links, version
std::vector<Command> pool_commands();     // pool join|leave|status
std::vector<Command> demo_commands();     // demo
std::vector<Command> links_commands();    // links list|refetch, report inactive-with-stock

}  // namespace stockrelay::cli
