#include "cli/cli.hpp"

#include <unistd.h>

#include <filesystem>
#include <ctime>
#include <iostream>

#include "common/log.hpp"
#include "config/loader.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli {

std::optional<int> parse(const std::string& usage, const po::options_description& opts,
                         const std::vector<std::string>& args, po::variables_map& vm,
                         const po::positional_options_description* positional) {
  po::options_description all;
  all.add_options()("help,h", "show this help");
  all.add(opts);
  try {
    auto parser = po::command_line_parser(args).options(all);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << all << "\n";
      return kOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stockrelay: " << e.what() << "\nusage: " << usage << "\n(try --help)\n";
    return kUsage;
  }
  return std::nullopt;
}

std::optional<config::Config> load_config(const std::string& path) {
  auto r = config::load_file(path);
  if (!r.errors.empty()) {
    for (const auto& e : r.errors) std::cerr << "error: " << e.message() << "\n";
    std::cerr << r.errors.size() << (r.errors.size() == 1 ? " error" : " errors") << " in " << path << "\n";
    return std::nullopt;
  }
  for (const auto& s : r.config->secrets) log::add_secret(s);
  return std::move(r.config);
}

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("stockrelay") : p.string();
}

loader::Registry registry_for(const config::Config* cfg, const std::vector<std::string>& extra) {
  std::vector<std::string> paths = extra;
  if (cfg) paths.insert(paths.end(), cfg->plugin_paths.begin(), cfg->plugin_paths.end());
  return loader::Registry(paths);
}

std::unique_ptr<store::Store> open_store(const config::Config& cfg, store::OpenMode mode) {
  auto s = store::open_sqlite(cfg.store.path, mode);
  if (!s) {
    std::cerr << "error: " << s.error().message() << "\n";
    return nullptr;
  }
  return std::move(*s);
}

void common_options(po::options_description& o, std::string& config_path, std::string& level) {
  o.add_options()("config,c", po::value(&config_path)->default_value("stockrelay.yaml"), "configuration file")(
      "log-level", po::value(&level)->default_value("info"), "debug | info | warn | error");
}

bool apply_level(const std::string& level) {
  log::Level l;
  if (!log::parse_level(level, l)) {
    std::cerr << "stockrelay: --log-level must be debug, info, warn or error\n";
    return false;
  }
  log::set_level(l);
  return true;
}

namespace {
hub::PluginResolver resolver(const loader::Registry& reg) {
  return [&reg](const std::string& id) { return reg.find(id); };
}

}  // namespace

int open_hub(hub::Hub& h, const loader::Registry& reg) {
  auto errors = h.open(resolver(reg));
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "error: " << e.message() << "\n";
    return kConfig;
  }
  return kOk;
}

Progress::Progress(std::string label)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), tty_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(std::size_t done, std::size_t total) {
  if (!tty_) return;
  if (std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
  constexpr int kWidth = 30;
  int filled = total ? static_cast<int>(kWidth * std::min(done, total) / total) : 0;
  std::cerr << "\r" << label_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
            << std::string(static_cast<std::size_t>(kWidth - filled), '.') << "] " << done << "/" << total << std::flush;
  drawn_ = true;
}

void Progress::label(std::string text) {
  if (text == label_) return;
  finish();
  label_ = std::move(text);
}

void Progress::finish() {
  if (drawn_) std::cerr << "\n";
  drawn_ = false;
}

std::string pad(std::string s, std::size_t w) { return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' '); }

std::string when(store::Millis ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace stockrelay::cli
