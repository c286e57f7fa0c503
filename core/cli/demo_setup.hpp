// Starting the shops of `stockrelay demo`: one stockrelay-sim process per
// WooCommerce connection of the configuration, on the port and with the keys
// that connection's settings name. Errors are std::runtime_error with a
// message that says what to do.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/demo_process.hpp"
#include "config/config.hpp"

namespace stockrelay::hub {
class Hub;
}

namespace stockrelay::cli::demo {

// A string setting of a connection the demo plays; throws (naming the
// connection and the file position) when `required` and it is missing.
std::string text_setting(const config::ConnectionConfig& c, const char* key, bool required = true);

// Waits (up to `seconds`) until `done` holds, giving the hub time between looks.
bool wait_for(hub::Hub& h, const std::function<bool()>& done, int seconds = 30);

// stockrelay-sim beside this executable; nullopt, having said so on
// stderr, when it is not there.
std::optional<std::filesystem::path> find_sim();

// The demo's fresh store in `workdir` (created; demo.db and its WAL files
// removed): sets cfg.store.path and returns the absolute workdir.
std::filesystem::path fresh_demo_store(config::Config& cfg, const std::filesystem::path& workdir);

// "123 ms" since `t0`.
std::string ms_since(std::chrono::steady_clock::time_point t0);

struct ShopSpec {
  std::string connection;
  std::string url;  // http://127.0.0.1:PORT
  int port = 0;
  std::string key;
  std::string secret;
};

// The configuration's WooCommerce connections. The demo plays their shops on
// this machine, so each url must be http://127.0.0.1:PORT (or localhost).
std::vector<ShopSpec> woo_shops(const config::Config& cfg);

// Throws unless 127.0.0.1:port is free; `who` names what wants it.
void check_port_free(int port, const std::string& who, const std::string& config_path);

// The port of a `host:port` listen address; 0 when it picks a free one.
int listen_port(const std::string& listen);

struct StartedShop {
  std::unique_ptr<Child> process;
  std::string line;  // the JSON line it printed
};

// Runs `sim woocommerce ...` for `spec` with a generated catalogue of `skus`
// SKUs (the same `seed` everywhere gives every shop the same SKUs), its
// stderr in `log`. Waits up to 15 s for its JSON line.
// With `catalog_file` set it loads that file ([{"sku","name","stock"}])
// instead of generating.
StartedShop start_shop(const std::string& sim, const ShopSpec& spec, int skus, std::uint64_t seed,
                       const std::filesystem::path& log, const std::string& config_path,
                       const std::string& catalog_file = {});

// Runs `sim <argv...>` (a simulator of any kind) with its stderr in `log`
// and waits up to 15 s for its JSON line; `who` and `port` name it in errors.
StartedShop start_sim(const std::vector<std::string>& argv, const std::string& who, int port,
                      const std::filesystem::path& log, const std::string& config_path);

}  // namespace stockrelay::cli::demo
