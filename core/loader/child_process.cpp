#include "loader/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

extern char** environ;

namespace stockrelay::loader {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxCaptured = 1 << 20;  // a hostile child may print without end

struct Pipe {
  int read = -1;
  int write = -1;
  ~Pipe() {
    if (read >= 0) ::close(read);
    if (write >= 0) ::close(write);
  }
};

// Reads what is available; false at end of file.
bool drain(int fd, std::string& into) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  if (into.size() < kMaxCaptured) into.append(buf, std::min<std::size_t>(n, kMaxCaptured - into.size()));
  return true;
}

}  // namespace

std::string describe_signal(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return "signal " + std::to_string(signal) + (abbrev ? std::string(", SIG") + abbrev : std::string());
}

Result<ChildOutcome> run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  Pipe out, err;
  int fds[2];
  // O_CLOEXEC: only the dup2'ed copies (stdout, stderr) reach the child.
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error{argv[0], std::string("cannot create a pipe: ") + strerror(errno), ""};
  out.read = fds[0], out.write = fds[1];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error{argv[0], std::string("cannot create a pipe: ") + strerror(errno), ""};
  err.read = fds[0], err.write = fds[1];

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Error{argv[0], std::string("cannot start: ") + strerror(rc), "check that the program exists and is executable"};
  ::close(out.write), out.write = -1;
  ::close(err.write), err.write = -1;

  ChildOutcome result;
  const auto deadline = Clock::now() + timeout;
  pollfd polled[2] = {{out.read, POLLIN, 0}, {err.read, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_pipes = 2;
  int status = 0;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      result.timed_out = true;
      break;
    }
    if (open_pipes > 0) {
      if (::poll(polled, 2, static_cast<int>(left.count())) < 0) {
        if (errno == EINTR) continue;
        std::string why = strerror(errno);
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        return Error{argv[0], "cannot read the child's output: " + why, ""};
      }
      for (int i = 0; i < 2; ++i) {
        if (polled[i].fd < 0 || polled[i].revents == 0) continue;
        if (!drain(polled[i].fd, *sinks[i])) polled[i].fd = -1, --open_pipes;  // poll skips negative fds
      }
      continue;
    }
    // Both pipes closed: the child is exiting (or closed them and hangs).
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return result;
}

}  // namespace stockrelay::loader
