// The real `stockrelay run` process, killed with SIGKILL at bad moments.
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "http/client.hpp"
#include "hub_fixture.hpp"

using namespace hub_test;

namespace {

pid_t spawn_hub(const std::string& config, const std::string& log_file) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = freopen(log_file.c_str(), "a", stderr);
    (void)f;
    execl(STOCKRELAY_EXE, STOCKRELAY_EXE, "run", "--config", config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

template <class F>
bool eventually(F&& pred, int timeout_ms = 30000) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

struct ProcessHub {
  TempDir dir;
  std::string config = dir.file("stockrelay.yaml");
  std::map<std::string, std::unique_ptr<memory_shop::Shop>> shops;
  pid_t pid = -1;
  int port = free_port();

  ProcessHub() {
    HubSetup s;
    s.engine_yaml =
        "engine: {settle_ms: 300, retry_base_ms: 50, retry_max_ms: 300, max_attempts: 1000, default_poll_seconds: 1}\n";
    std::string y = config_yaml(s, dir);
    auto pos = y.find("127.0.0.1:0");
    y.replace(pos, 11, "127.0.0.1:" + std::to_string(port));
    std::ofstream(config) << y;
    for (const char* n : {"shop-a", "shop-b", "shop-c"}) {
      shops.emplace(n, std::make_unique<memory_shop::Shop>(dir.file(std::string(n) + ".json")));
      REQUIRE(shops.at(n)->create_product("A", q(100)).ok());
    }
  }
  ~ProcessHub() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  // Starts `stockrelay run` and waits until it answers /healthz.
  void start() {
    pid = spawn_hub(config, dir.file("hub.log"));
    stockrelay::http::Client client("test", {});
    stockrelay::http::Request req;
    req.url = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
    req.timeout_ms = 500;
    REQUIRE(eventually([&] { return client.send(req).status == 200; }, 15000));
  }
  void kill9() {
    REQUIRE(pid > 0);  // never kill(-1, ...)
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
  }
  int term() {
    REQUIRE(pid > 0);
    kill(pid, SIGTERM);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  bool all_show(long n) {
    for (auto& [name, s] : shops)
      if (s->levels().at("A") != q(n)) return false;
    return true;
  }
  std::string log() {
    std::ifstream in(dir.file("hub.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

}  // namespace

TEST_CASE("a hub killed between journal and delivery loses nothing and counts nothing twice") {
  ProcessHub h;
  h.start();
  REQUIRE(eventually([&] { return h.all_show(100); }));
  // shop-c refuses for now: its commands wait in the outbox.
  h.shops.at("shop-c")->set_retry_next(1000000);
  REQUIRE(h.shops.at("shop-a")->place_order("1", {{"A", q(3)}}).ok());
  REQUIRE(h.shops.at("shop-b")->place_order("2", {{"A", q(4)}}).ok());
  bool delivered = eventually([&] {
    return h.shops.at("shop-a")->levels().at("A") == q(93) && h.shops.at("shop-b")->levels().at("A") == q(93);
  });
  if (!delivered) FAIL("the hub did not deliver to shop-a and shop-b; its log:\n" << h.log());
  h.kill9();
  h.shops.at("shop-c")->set_retry_next(0);
  h.start();
  if (!eventually([&] { return h.all_show(93); })) FAIL("no convergence after the restart; log:\n" << h.log());
  CHECK(h.term() == 0);
}

TEST_CASE("repeated SIGKILLs during a stream of orders: every shop converges to the exact level") {
  ProcessHub h;
  h.start();
  REQUIRE(eventually([&] { return h.all_show(100); }));
  std::mt19937 rng(Catch::rngSeed() ? Catch::rngSeed() : 7);
  INFO("seed " << (Catch::rngSeed() ? Catch::rngSeed() : 7));
  long sold = 0;
  int order = 0;
  const char* names[] = {"shop-a", "shop-b", "shop-c"};
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 5; ++i) {
      long n = 1 + static_cast<long>(rng() % 3);
      REQUIRE(h.shops.at(names[rng() % 3])->place_order("o" + std::to_string(++order), {{"A", q(n)}}).ok());
      sold += n;
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 150));
    }
    h.kill9();
    h.start();
  }
  if (!eventually([&] { return h.all_show(100 - sold); }, 45000))
    FAIL("no convergence to " << 100 - sold << "; log:\n" << h.log());
  CHECK(h.term() == 0);
}
