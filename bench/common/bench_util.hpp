// Small helpers shared by the benchmark executables (header-only, bench/ only).
//
// Every benchmark runs a fixed amount of work several times and prints one
// line per measurement: the median rate, with min and max across repetitions.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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
};

// --quick: less work and fewer repetitions (smoke runs, callgrind).
// --reps N: repetitions (default 5, 3 with --quick).
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
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: %s [--quick] [--reps N]%s\n", argv[0], usage_extra);
      std::exit(0);
    } else {
      std::fprintf(stderr, "%s: unknown argument '%s' (try --help)\n", argv[0], argv[i]);
      std::exit(2);
    }
  }
  if (o.quick && !reps_given) o.reps = 3;
  return o;
}

// Rates (events/s) of the repetitions of one measurement.
struct Rates {
  std::vector<double> v;
  void add(double events, double secs) { v.push_back(secs > 0 ? events / secs : 0); }
  double median() const {
    std::vector<double> s = v;
    std::sort(s.begin(), s.end());
    if (s.empty()) return 0;
    return s.size() % 2 ? s[s.size() / 2] : (s[s.size() / 2 - 1] + s[s.size() / 2]) / 2;
  }
  double min() const { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }
  double max() const { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
};

// "123456 events/s (median of 5; min 120000, max 130000; <detail>)"
inline void report(const char* name, const Rates& r, const std::string& detail, const char* unit = "events/s") {
  std::printf("%s: %.0f %s (median of %zu; min %.0f, max %.0f; %s)\n", name, r.median(), unit, r.v.size(), r.min(),
              r.max(), detail.c_str());
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
