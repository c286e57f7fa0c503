// A child process of `stockrelay demo` (a simulated shop). It runs in its own
// process group, so a Ctrl-C in the terminal reaches only the demo, which
// still needs the shops to check the result and then stops them itself; and
// it gets SIGTERM when the demo dies, so a killed demo leaves no shop behind.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace stockrelay::cli::demo {

class Child {
 public:
  // Starts argv[0] (a path) with `argv`. Its stdout comes back through a
  // pipe (read_line); its stderr is appended to `stderr_path`. Throws
  // std::runtime_error when it cannot be started.
  Child(const std::vector<std::string>& argv, const std::string& stderr_path);
  ~Child();  // stop()
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // One line of its stdout (without the newline); nullopt when `timeout_ms`
  // passed or the child closed its stdout (exited) first.
  std::optional<std::string> read_line(int timeout_ms);
  // True once it has exited (reaps it); exit_code() then tells how.
  bool exited();
  // Exit status, or 128 + signal number; -1 while running.
  int exit_code() const { return code_; }
  // SIGTERM, up to `grace_ms` for it to exit, then SIGKILL; always reaps it.
  void stop(int grace_ms = 5000);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int code_ = -1;
  std::string buffer_;
};

}  // namespace stockrelay::cli::demo
