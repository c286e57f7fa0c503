// Small helpers every kind of test uses: a temporary directory, a free
// loopback port and the seed of a randomized run. Header-only; available to
// every test executable through sr_catch_main.
#pragma once

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/wait.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>

namespace sr_test {

// A fresh directory under the system's temp directory, removed with
// everything in it when the object goes.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "stockrelay-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `name` (folders created as needed); returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  // Copies `from` into this directory as `name`; returns the copy's path.
  std::string copy(const std::string& from, const std::string& name) const {
    std::filesystem::copy_file(from, path_ / name);
    return (path_ / name).string();
  }

 private:
  std::filesystem::path path_;
};

// Any free loopback port: bound and released, for a server that binds it
// right after.
// Runs a shell command; `out` gets its stdout and stderr. Returns its exit
// code (128 + signal when killed).
inline int run_command(const std::string& cmd, std::string& out) {
  out.clear();
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  if (fd >= 0) ::close(fd);
  if (!ok) throw std::runtime_error("no free loopback port");
  return ntohs(a.sin_port);
}

// The seed of a randomized test: SR_SEED if set, else Catch's --rng-seed,
// else a random one (print it, so a failing run can be repeated).
inline unsigned seed_for_run() {
  if (const char* env = std::getenv("SR_SEED")) return static_cast<unsigned>(std::strtoul(env, nullptr, 10));
  if (Catch::rngSeed()) return Catch::rngSeed();
  return std::random_device{}();
}

}  // namespace sr_test
