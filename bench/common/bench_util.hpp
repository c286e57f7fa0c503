// Small helpers shared by the benchmark executables (header-only, bench/ only).
//
// Every benchmark runs a fixed amount of work several times and prints one
// line per measurement: the median rate, with min and max across repetitions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Options {
  bool quick = false;
  int reps = 5;
  // Wall-clock budget: once spent, no further repetition starts (the first
  // always runs), so a benchmark stays well under 30 s on a busy machine.
  // The printed "median of N" says how many ran.
  double budget_s = 20;
  Clock::time_point start = Clock::now();

  bool another(int rep) const { return rep < reps && (rep == 0 || seconds_since(start) < budget_s); }
};

// --quick: less work and fewer repetitions (smoke runs, callgrind).
// --reps N: repetitions (default 5, 3 with --quick).
// --budget S: stop starting repetitions after S seconds (default 20).
inline Options parse_options(int argc, char** argv, const char* usage_extra = "") {
  Options o;
  bool reps_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--quick") {
      o.quick = true;
    } else if (a == "--reps" && i + 1 < argc) {
      o.reps = std::max(1, std::atoi(argv[++i]));
      reps_given = true;
    } else if (a == "--budget" && i + 1 < argc) {
      o.budget_s = std::atof(argv[++i]);
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--quick] [--reps N] [--budget SECONDS]%s\n", argv[0], usage_extra);
      std::exit(0);
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0], argv[i]);
      std::exit(2);
    }
  }
  if (o.quick && !reps_given) o.reps = 3;
  return o;
}

inline double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall-clock and CPU seconds of one timed region. On a shared machine the
// CPU time is the steadier of the two: it leaves out the time this process
// waited for a core (but also the time it waited for the disk).
struct Sample {
  double wall = 0;
  double cpu = 0;
};

class Stopwatch {
 public:
  Stopwatch() : wall0_(Clock::now()), cpu0_(process_cpu_seconds()) {}
  Sample stop() const { return Sample{seconds_since(wall0_), process_cpu_seconds() - cpu0_}; }

 private:
  Clock::time_point wall0_;
  double cpu0_;
};

inline double median_of(std::vector<double> s) {
  std::sort(s.begin(), s.end());
  if (s.empty()) return 0;
  return s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2;
}

// Rates (events/s) of the repetitions of one measurement: by wall clock (v),
// and per CPU second (cpu).
struct Rates {
  std::vector<double> v;
  std::vector<double> cpu;
  void add(double events, Sample s) {
    v.push_back(s.wall > 0 ? events / s.wall : 0);
    cpu.push_back(s.cpu > 0 ? events / s.cpu : 0);
  }
  double median() const { return median_of(v); }
  double cpu_median() const { return median_of(cpu); }
  double min() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
  double max() const { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
};

// "123456 events/s (median of 5; min 120000, max 130000; 125000 per CPU-second; <detail>)"
inline void report(const char* name, const Rates& r, const std::string& detail, const char* unit = "events/s") {
  std::printf("%s: %.0f %s (median of %zu; min %.0f, max %.0f; %.0f per CPU-second; %s)\n", name, r.median(), unit,
              r.v.size(), r.min(), r.max(), r.cpu_median(), detail.c_str());
  std::fflush(stdout);
}

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it
// when the object goes out of scope.
class TempDir {
 public:
  explicit TempDir(const char* tag) {
    namespace fs = std::filesystem;
    std::random_device rd;
    for (int i = 0; i < 100; ++i) {
      fs::path p = fs::temp_directory_path() / (std::string("sr-bench-") + tag + "-" + std::to_string(rd()));
      std::error_code ec;
      if (fs::create_directory(p, ec)) {
        path_ = p;
        return;
      }
    }
    std::fprintf(stderr, "cannot create a temp directory under %s\n", fs::temp_directory_path().c_str());
    std::exit(1);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Keeps the optimiser from discarding a computed value.
template <class T>
inline void keep(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

}  // namespace bench
