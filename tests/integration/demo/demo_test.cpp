// `stockrelay demo` run as a process, as the quick start runs it: it must
// print the changes it sees, converge and exit 0; a SIGINT must end it early
// but cleanly, with the table, and leave none of its shops running; a busy
// port must be named.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sr_test_support.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// A listening socket on a free loopback port; closed on destruction.
struct Port {
  int fd = -1;
  int number = 0;
  explicit Port(bool keep_listening = false) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    number = ntohs(a.sin_port);
    if (keep_listening) {
      ::listen(fd, 1);
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  ~Port() {
    if (fd >= 0) ::close(fd);
  }
};

using TempDir = sr_test::TempDir;

// examples/demo.yaml with the hub and the shops on free ports.
std::string demo_config(const TempDir& dir, const std::vector<int>& ports) {
  std::ifstream in(DEMO_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  for (int i = 0; i < 4; ++i)
    yaml = std::regex_replace(yaml, std::regex(":1808" + std::to_string(i) + "\\b"), ":" + std::to_string(ports[static_cast<std::size_t>(i)]));
  fs::path file = dir.path() / "demo.yaml";
  std::ofstream(file) << yaml;
  return file.string();
}

// The demo as a child process, its stdout and stderr read through one pipe.
class Demo {
 public:
  explicit Demo(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {STOCKRELAY_EXE, "demo"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(p[1], 1);
      ::dup2(p[1], 2);
      ::execv(c[0], c.data());
      ::_exit(127);
    }
    ::close(p[1]);
    fd_ = p[0];
  }
  ~Demo() {
    if (code_ < 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(fd_);
  }
  pid_t pid() const { return pid_; }
  const std::string& output() const { return out_; }

  // Reads output until `text` appears; false on timeout or end of output.
  bool wait_for(const std::string& text, int timeout_s) {
    auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    while (out_.find(text) == std::string::npos) {
      if (Clock::now() >= deadline || !read_some(deadline)) return false;
    }
    return true;
  }
  // Reads everything, then reaps it; -1 when it did not end in time.
  int finish(int timeout_s) {
    auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
    while (Clock::now() < deadline && read_some(deadline)) {
    }
    int status = 0;
    while (Clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return code_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

 private:
  bool read_some(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::max<long>(left, 0))) <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    out_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  int code_ = -1;
  std::string out_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// "  shop-a  http://... (stockrelay-sim pid 1234, log ...)" -> 1234
std::vector<pid_t> sim_pids(const std::string& output) {
  std::vector<pid_t> out;
  std::regex pid_re("stockrelay-sim pid ([0-9]+)");
  for (std::sregex_iterator it(output.begin(), output.end(), pid_re), end; it != end; ++it)
    out.push_back(static_cast<pid_t>(std::stol((*it)[1])));
  return out;
}

// The table's row of `shop` ends with its converged column.
bool converged_row(const std::string& output, const std::string& shop) {
  for (const auto& l : lines_of(output))
    if (l.starts_with(shop + " ") && l.ends_with("  yes")) return true;
  return false;
}

// The table's row of `shop`, whatever it says.
bool table_row(const std::string& output, const std::string& shop) {
  std::regex row("^" + shop + R"(\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+\s+\S+\s+(yes|no .*)$)");
  for (const auto& l : lines_of(output))
    if (std::regex_match(l, row)) return true;
  return false;
}

std::size_t change_lines(const std::string& output) {
  std::regex change(R"(^\d\d:\d\d:\d\d\.\d{3}  shop-[abc]\s+\S+\s+-?\d+ → +-?\d+\s+(order \S+ in shop-[abc]|manual change in shop-[abc]).*)");
  std::size_t n = 0;
  for (const auto& l : lines_of(output))
    if (std::regex_match(l, change)) ++n;
  return n;
}

// Not running: no such process, or a zombie nobody has reaped yet (an
// orphan's new parent may be slow to, or in a container never).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  return close != std::string::npos && line.size() > close + 2 && line[close + 2] == 'Z';
}

bool all_gone(const std::vector<pid_t>& pids, int timeout_s) {
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  while (true) {
    bool all = true;
    for (auto p : pids) all = all && gone(p);
    if (all || Clock::now() >= deadline) return all;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

TEST_CASE("demo: shops converge and every change is shown") {
  TempDir dir;
  Port hub, a, b, c;
  auto config = demo_config(dir, {hub.number, a.number, b.number, c.number});
  Demo demo({"--config", config, "--seconds", "4", "--skus", "60", "--seed", "7", "--workdir",
             (dir.path() / "work").string()});
  int code = demo.finish(240);
  const std::string& out = demo.output();
  bool rows = true;
  for (const char* shop : {"shop-a", "shop-b", "shop-c"}) rows = converged_row(out, shop) && rows;
  auto pids = sim_pids(out);
  bool ok = code == 0 && change_lines(out) > 0 && rows && out.find("converged: all") != std::string::npos;
  if (!ok) FAIL_CHECK("the demo's output:\n" << out);  // once, not with every check
  CHECK(code == 0);
  CHECK(change_lines(out) > 0);
  CHECK(rows);
  CHECK(pids.size() == 3);
  CHECK(all_gone(pids, 5));
  CHECK(fs::exists(dir.path() / "work" / "demo.db"));
}

TEST_CASE("demo: SIGINT ends the activity early, still checks, and leaves no shop running") {
  TempDir dir;
  Port hub, a, b, c;
  auto config = demo_config(dir, {hub.number, a.number, b.number, c.number});
  Demo demo({"--config", config, "--seconds", "120", "--skus", "60", "--workdir", (dir.path() / "work").string()});
  REQUIRE(demo.wait_for("each line is a stock change", 240));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  auto signalled = Clock::now();
  ::kill(demo.pid(), SIGINT);
  int code = demo.finish(120);
  if (code != 0 && code != 1) FAIL_CHECK("the demo's output:\n" << demo.output());
  CHECK((code == 0 || code == 1));  // it ended by itself; whether the shops converged is the test above
  CHECK(Clock::now() - signalled < std::chrono::seconds(90));
  CHECK(demo.output().find("stopping: no new activity") != std::string::npos);
  for (const char* shop : {"shop-a", "shop-b", "shop-c"}) CHECK(table_row(demo.output(), shop));
  auto pids = sim_pids(demo.output());
  CHECK(pids.size() == 3);
  CHECK(all_gone(pids, 5));
  // The ports are free again.
  for (const Port* p : {&a, &b, &c}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(p->number));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    ::close(fd);
  }
}

TEST_CASE("demo: a shop port in use is named, with what to do") {
  TempDir dir;
  Port hub, a, c;
  Port busy(true);
  auto config = demo_config(dir, {hub.number, a.number, busy.number, c.number});
  Demo demo({"--config", config, "--seconds", "1", "--skus", "10", "--workdir", (dir.path() / "work").string()});
  int code = demo.finish(60);
  INFO(demo.output());  // short: it stops before starting anything
  CHECK(code == 1);
  CHECK(demo.output().find("port " + std::to_string(busy.number) + " (shop-b's url) is not free") !=
        std::string::npos);
  CHECK(demo.output().find("--config FILE") != std::string::npos);
  CHECK(sim_pids(demo.output()).empty());
}

TEST_CASE("demo: killed outright, it still takes its shops with it") {
  TempDir dir;
  Port hub, a, b, c;
  auto config = demo_config(dir, {hub.number, a.number, b.number, c.number});
  Demo demo({"--config", config, "--seconds", "60", "--skus", "10", "--workdir", (dir.path() / "work").string()});
  REQUIRE(demo.wait_for("hub running", 60));
  auto pids = sim_pids(demo.output());
  REQUIRE(pids.size() == 3);
  ::kill(demo.pid(), SIGKILL);
  CHECK(demo.finish(30) == 128 + SIGKILL);
  CHECK(all_gone(pids, 10));
}

TEST_CASE("demo: the sitoo scenario fails an en-dash order, retries it once fixed, and every shop mirrors Sitoo") {
  TempDir dir;
  Port hub, a, b, sitoo;
  std::ifstream in(SITOO_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  for (auto [from, to] : std::vector<std::pair<std::string, int>>{
           {"18080", hub.number}, {"18081", a.number}, {"18082", b.number}, {"18090", sitoo.number}})
    yaml = std::regex_replace(yaml, std::regex(":" + from + "\\b"), ":" + std::to_string(to));
  fs::path config = dir.path() / "sitoo.yaml";
  std::ofstream(config) << yaml;
  Demo demo({"--scenario", "sitoo", "--config", config.string(), "--workdir", (dir.path() / "work").string()});
  int code = demo.finish(240);
  const std::string& out = demo.output();
  if (code != 0) FAIL_CHECK("the demo's output:\n" << out);
  CHECK(code == 0);
  CHECK(out.find("FAILED") == std::string::npos);
  CHECK(out.find("the order did not reach Sitoo: ") != std::string::npos);
  CHECK(out.find("look-alike SKU: the order has 'CAP<U+2013 EN DASH>1', sitoo has 'CAP-1'") != std::string::npos);
  CHECK(out.find("note on order") != std::string::npos);
  CHECK(out.find("order meta: stockrelay_sitoo_status = failed") != std::string::npos);
  CHECK(out.find("the sitoo scenario passed") != std::string::npos);
  auto pids = sim_pids(out);
  CHECK(pids.size() == 3);
  CHECK(all_gone(pids, 5));
}

TEST_CASE("demo: the peakwms scenario links every product, reports a copy and an inactive product, and refetches") {
  TempDir dir;
  Port hub, a, b, wms;
  std::ifstream in(PEAKWMS_CONFIG);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  for (auto [from, to] : std::vector<std::pair<std::string, int>>{
           {"18080", hub.number}, {"18081", a.number}, {"18082", b.number}, {"18095", wms.number}})
    yaml = std::regex_replace(yaml, std::regex(":" + from + "\\b"), ":" + std::to_string(to));
  fs::path config = dir.path() / "peakwms.yaml";
  std::ofstream(config) << yaml;
  Demo demo({"--scenario", "peakwms", "--config", config.string(), "--workdir", (dir.path() / "work").string()});
  int code = demo.finish(240);
  const std::string& out = demo.output();
  if (code != 0) FAIL_CHECK("the demo's output:\n" << out);
  CHECK(code == 0);
  CHECK(out.find("FAILED") == std::string::npos);
  CHECK(out.find("MUG-1-BLUE is not linked: copied product: shop product id 2003") != std::string::npos);
  CHECK(out.find("the report lists exactly CAP-1") != std::string::npos);
  CHECK(out.find("TEE-M is linked again") != std::string::npos);
  CHECK(out.find("the peakwms scenario passed") != std::string::npos);
  auto pids = sim_pids(out);
  CHECK(pids.size() == 3);
  CHECK(all_gone(pids, 5));
}
