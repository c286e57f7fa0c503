#include "cli/demo_setup.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "hub/hub.hpp"

namespace stockrelay::cli::demo {
namespace {

std::string setting(const config::ConnectionConfig& c, const char* key) {
  auto it = c.settings.find(key);
  if (it == c.settings.end() || !it->is_string() || it->get<std::string>().empty())
    throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "' has no settings." + key +
                             " (the demo starts its shop with it)");
  return it->get<std::string>();
}

// http://127.0.0.1:PORT[/] -> PORT
int local_port(const config::ConnectionConfig& c, const std::string& url) {
  std::string rest = url;
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  for (const char* prefix : {"http://127.0.0.1:", "http://localhost:"}) {
    if (!rest.starts_with(prefix)) continue;
    std::string digits = rest.substr(std::strlen(prefix));
    if (!digits.empty() && digits.size() <= 5 && digits.find_first_not_of("0123456789") == std::string::npos) {
      int port = std::stoi(digits);
      if (port > 0 && port < 65536) return port;
    }
  }
  throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "': url '" + url +
                           "' is not a shop the demo can play (it starts its shops on this machine: use "
                           "http://127.0.0.1:PORT)");
}

// The last lines of a file, for an error message.
std::string tail_of(const std::filesystem::path& path, std::size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "\n    " + all[i];
  return out;
}

}  // namespace

std::vector<ShopSpec> woo_shops(const config::Config& cfg) {
  std::vector<ShopSpec> out;
  for (const auto& c : cfg.connections) {
    if (!c.enabled || (c.plugin != "woocommerce" && !c.plugin.ends_with("libwoocommerce.so"))) continue;
    ShopSpec s;
    s.connection = c.name;
    s.url = setting(c, "url");
    s.port = local_port(c, s.url);
    s.key = setting(c, "consumer_key");
    s.secret = setting(c, "consumer_secret");
    out.push_back(std::move(s));
  }
  return out;
}

int listen_port(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    return std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return 0;
  }
}

void check_port_free(int port, const std::string& who, const std::string& config_path) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;  // let the real server report it
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as servers do: TIME_WAIT is no obstacle
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::close(fd);
  if (rc == 0) return;
  throw std::runtime_error("port " + std::to_string(port) + " (" + who + ") is not free: " + std::strerror(err) +
                           ". Stop what uses it (`ss -ltnp 'sport = :" + std::to_string(port) +
                           "'` shows it; an earlier demo may still run), or give the demo a copy of " + config_path +
                           " with other ports: --config FILE");
}

StartedShop start_shop(const std::string& sim, const ShopSpec& spec, int skus, std::uint64_t seed,
                       const std::filesystem::path& log, const std::string& config_path,
                       const std::string& catalog_file) {
  std::vector<std::string> argv = {sim,   "woocommerce", "--port", std::to_string(spec.port), "--key", spec.key,
                                   "--secret", spec.secret, "--name", spec.connection, "--log-level", "warn"};
  if (catalog_file.empty()) {
    for (std::string a : {std::string("--generate"), std::to_string(skus), std::string("--seed"), std::to_string(seed)})
      argv.push_back(a);
  } else {
    argv.push_back("--seed-catalog");
    argv.push_back(catalog_file);
  }
  return start_sim(argv, spec.connection, spec.port, log, config_path);
}

StartedShop start_sim(const std::vector<std::string>& argv, const std::string& who, int port,
                      const std::filesystem::path& log, const std::string& config_path) {
  std::filesystem::remove(log);
  StartedShop out;
  out.process = std::make_unique<Child>(argv, log.string());
  auto line = out.process->read_line(15000);
  if (!line) {
    bool died = out.process->exited();
    out.process->stop();
    std::string why = died ? "exited (code " + std::to_string(out.process->exit_code()) + ")"
                           : "did not say it was ready within 15 s";
    std::string text = who + ": the simulator " + why + "; its log " + log.string() + ":" + tail_of(log, 5);
    try {
      check_port_free(port, who + "'s url", config_path);
    } catch (const std::runtime_error& busy) {
      text += "\n" + std::string(busy.what());
    }
    throw std::runtime_error(text);
  }
  try {
    auto j = nlohmann::json::parse(*line);
    if (!j.contains("base_url")) throw std::runtime_error("no base_url");
  } catch (const std::exception& e) {
    throw std::runtime_error(who + ": stockrelay-sim printed '" + *line + "', not its JSON line (" + e.what() + ")");
  }
  out.line = *line;
  return out;
}

std::string text_setting(const config::ConnectionConfig& c, const char* key, bool required) {
  auto it = c.settings.find(key);
  if (it == c.settings.end() || !it->is_string() || it->get<std::string>().empty()) {
    if (!required) return {};
    throw std::runtime_error(c.loc.str() + ": connection '" + c.name + "' has no settings." + key +
                             " (the demo starts its simulator with it)");
  }
  return it->get<std::string>();
}

bool wait_for(hub::Hub& h, const std::function<bool()>& done, int seconds) {
  std::cout << std::flush;  // before the hub's own log lines (stderr)
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    h.wait_quiet(100);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

std::optional<std::filesystem::path> find_sim() {
  std::filesystem::path sim = std::filesystem::path(self_exe()).parent_path() / "stockrelay-sim";
  if (std::filesystem::exists(sim)) return sim;
  std::cerr << "stockrelay demo: " << sim.string()
            << " not found: the demo runs its simulators with stockrelay-sim, built beside stockrelay "
               "(its target is stockrelay-sim; scripts/run.sh builds it)\n";
  return std::nullopt;
}

std::filesystem::path fresh_demo_store(config::Config& cfg, const std::filesystem::path& workdir) {
  std::filesystem::create_directories(workdir);
  std::filesystem::path work = std::filesystem::absolute(workdir);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(work / (std::string("demo.db") + suffix));
  cfg.store.path = (work / "demo.db").string();
  return work;
}

std::string ms_since(std::chrono::steady_clock::time_point t0) {
  return std::to_string(
             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count()) +
         " ms";
}

}  // namespace stockrelay::cli::demo
