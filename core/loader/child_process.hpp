// Running a program in a child process with a deadline, collecting what it
// prints: how the host runs code it does not trust yet (a plugin's
// describe()) without risking its own process.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace stockrelay::loader {

struct ChildOutcome {
  std::string out;         // stdout (at most 1 MiB is kept)
  std::string err;         // stderr (at most 1 MiB is kept)
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  bool timed_out = false;  // killed at the deadline
};

// Runs argv[0] (a path, no PATH search) with argv, stdin from /dev/null.
// An Error only when the child could not be started.
Result<ChildOutcome> run_child(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// "signal 11, SIGSEGV"
std::string describe_signal(int signal);

}  // namespace stockrelay::loader
