// The built stockrelay-sim executable (woocommerce, sitoo and peakwms kinds): its JSON
// line, a real authenticated request against it, a clean exit on SIGTERM, and
// exit 2 on bad arguments.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/client.hpp"
#include "http/encoding.hpp"

extern char** environ;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;  // stdout
  int err = -1;  // stderr
};

Child spawn(const std::vector<std::string>& args) {
  int out[2], err[2];
  REQUIRE(pipe(out) == 0);
  REQUIRE(pipe(err) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, err[0]);
  std::vector<std::string> all = {STOCKRELAY_SIM_PATH};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child c;
  REQUIRE(posix_spawn(&c.pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  c.out = out[0];
  c.err = err[0];
  return c;
}

// Reads from fd until a newline (or EOF/timeout); returns what was read.
std::string read_line(int fd, int timeout_ms) {
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (poll(&p, 1, static_cast<int>(std::max<long>(1, left.count()))) <= 0) continue;
    char c;
    auto n = read(fd, &c, 1);
    if (n <= 0) break;
    if (c == '\n') break;
    line += c;
  }
  return line;
}

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  return text;
}

int wait_exit(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    usleep(10000);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

}  // namespace

TEST_CASE("stockrelay-sim woocommerce prints one JSON line, serves authenticated REST and stops on SIGTERM") {
  Child c = spawn({"woocommerce", "--generate", "300", "--seed", "3", "--name", "cli-shop"});
  std::string line = read_line(c.out, 20000);
  INFO("line: " << line);
  auto info = nlohmann::json::parse(line, nullptr, false);
  REQUIRE(info.is_object());
  CHECK(info["products"] == 300);
  std::string base = info["base_url"];
  CHECK(info["api"] == base + "/wp-json/wc/v3");
  std::string key = info["consumer_key"], secret = info["consumer_secret"];
  CHECK(key.starts_with("ck_"));
  CHECK(key.size() == 43);
  CHECK(secret.starts_with("cs_"));

  stockrelay::http::Limits limits;
  limits.max_retries = 0;
  stockrelay::http::Client client("cli-test", limits);
  stockrelay::http::Request r;
  r.url = info["api"].get<std::string>() + "/products?per_page=100";
  r.headers = {{"Authorization", "Basic " + stockrelay::http::base64_encode(key + ":" + secret)}};
  auto resp = client.send(r);
  CHECK(resp.status == 200);
  CHECK(nlohmann::json::parse(resp.body).size() == 100);
  CHECK(std::stoi(resp.header("x-wp-total")) > 220);  // variations are not top-level products

  kill(c.pid, SIGTERM);
  CHECK(wait_exit(c.pid, 10000) == 0);
  CHECK(read_all(c.out).empty());  // exactly one line on stdout
  CHECK(read_all(c.err).find("cli-shop") != std::string::npos);
  close(c.out);
  close(c.err);
}

TEST_CASE("stockrelay-sim exits 2 on bad arguments and names the known kinds") {
  Child unknown = spawn({"nosuchkind"});
  CHECK(wait_exit(unknown.pid, 10000) == 2);
  auto names = read_all(unknown.err);
  CHECK(names.find("woocommerce") != std::string::npos);
  CHECK(names.find("sitoo") != std::string::npos);
  close(unknown.out);
  close(unknown.err);

  Child bad = spawn({"woocommerce", "--error-rate", "7"});
  CHECK(wait_exit(bad.pid, 10000) == 2);
  CHECK(read_all(bad.out).empty());
  close(bad.out);
  close(bad.err);

  Child junk = spawn({"woocommerce", "--no-such-option"});
  CHECK(wait_exit(junk.pid, 10000) == 2);
  close(junk.out);
  close(junk.err);

  Child help = spawn({"woocommerce", "--help"});
  CHECK(wait_exit(help.pid, 10000) == 0);
  CHECK(read_all(help.out).find("--seed-catalog") != std::string::npos);
  close(help.out);
  close(help.err);

  Child sitoo_help = spawn({"sitoo", "--help"});
  CHECK(wait_exit(sitoo_help.pid, 10000) == 0);
  CHECK(read_all(sitoo_help.out).find("--events-url") != std::string::npos);
  close(sitoo_help.out);
  close(sitoo_help.err);

  Child sitoo_bad = spawn({"sitoo", "--api-id", "999-1"});
  CHECK(wait_exit(sitoo_bad.pid, 10000) == 2);
  CHECK(read_all(sitoo_bad.out).empty());
  close(sitoo_bad.out);
  close(sitoo_bad.err);
}

TEST_CASE("stockrelay-sim sitoo prints one JSON line, serves authenticated REST v2 and stops on SIGTERM") {
  Child c = spawn({"sitoo", "--generate", "30", "--account", "10020", "--api-id", "10020-140", "--seed", "5"});
  std::string line = read_line(c.out, 20000);
  INFO("line: " << line);
  auto info = nlohmann::json::parse(line, nullptr, false);
  REQUIRE(info.is_object());
  CHECK(info["products"] == 30);
  CHECK(info["api_id"] == "10020-140");
  CHECK(info["site"] == 1);
  CHECK(info["warehouse"] == 1);
  std::string base = info["base_url"], password = info["password"];
  CHECK(base.starts_with("http://127.0.0.1:"));
  CHECK(base.ends_with("/v2/accounts/10020"));
  CHECK(password.size() == 32);

  stockrelay::http::Limits limits;
  limits.max_retries = 0;
  stockrelay::http::Client client("cli-test", limits);
  stockrelay::http::Request r;
  r.url = base + "/sites/1/warehouses/1/warehouseitems.json?num=100";
  r.headers = {{"Authorization", "Basic " + stockrelay::http::base64_encode("10020-140:" + password)}};
  auto resp = client.send(r);
  CHECK(resp.status == 200);
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["totalcount"] == 30);
  CHECK(body["items"].size() == 30);
  r.headers.clear();
  CHECK(client.send(r).status == 401);

  kill(c.pid, SIGTERM);
  CHECK(wait_exit(c.pid, 10000) == 0);
  CHECK(read_all(c.out).empty());  // exactly one line on stdout
  CHECK(read_all(c.err).find("Sitoo account 10020") != std::string::npos);
  close(c.out);
  close(c.err);
}

TEST_CASE("stockrelay-sim peakwms prints one JSON line, serves bearer-key REST and stops on SIGTERM") {
  Child c = spawn({"peakwms", "--integrations", "2", "--api-key", "shop-one-key", "--rate-limit", "3"});
  std::string line = read_line(c.out, 20000);
  INFO("line: " << line);
  auto info = nlohmann::json::parse(line, nullptr, false);
  REQUIRE(info.is_object());
  std::string base = info["base_url"];
  CHECK(base.starts_with("http://127.0.0.1:"));
  CHECK(base.ends_with("/api/integration/v1"));
  REQUIRE(info["api_keys"].size() == 2);
  CHECK(info["api_keys"][0] == "shop-one-key");
  CHECK(info["api_keys"][1].get<std::string>().size() == 32);
  CHECK(info["integrations"][1]["id"] == 2);

  stockrelay::http::Limits limits;
  limits.max_retries = 0;
  stockrelay::http::Client client("cli-test", limits);
  stockrelay::http::Request r;
  r.url = base + "/ping";
  CHECK(client.send(r).status == 401);
  r.headers = {{"Authorization", "Bearer shop-one-key"}};
  for (int i = 0; i < 3; ++i) CHECK(client.send(r).status == 200);
  CHECK(client.send(r).status == 429);  // --rate-limit 3

  kill(c.pid, SIGTERM);
  CHECK(wait_exit(c.pid, 10000) == 0);
  CHECK(read_all(c.out).empty());  // exactly one line on stdout
  CHECK(read_all(c.err).find("PeakWMS with 2 web-shop integration(s)") != std::string::npos);
  close(c.out);
  close(c.err);

  Child bad = spawn({"peakwms", "--integrations", "0"});
  CHECK(wait_exit(bad.pid, 10000) == 2);
  CHECK(read_all(bad.out).empty());
  close(bad.out);
  close(bad.err);
}
