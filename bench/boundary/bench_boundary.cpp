// bench_boundary: events crossing the plugin boundary, end to end.
//
// libbench_emitter.so is loaded with the real loader (loader::load: dlopen,
// entry symbol, table and describe() checks). Its poll() builds stock levels,
// serialises them with the SDK (sr::Host::emit -> events_document) in JSON
// documents of 100, and calls the host's emit() through the C ABI. This
// process is the host: its emit() parses each document with
// hub::EventParser, which is what the real hub does first (Hub::ingest).
// Only the poll() call is timed.
//
// Lines:
//   boundary               plugin serialises + C ABI + host parses (the target)
//   boundary, host no-op   plugin serialises + C ABI; the host only counts bytes
//   boundary + journal     plugin + C ABI + parse + Store::ingest (WAL,
//                          synchronous=NORMAL), i.e. all of Hub::ingest but
//                          its metrics and logging
//   boundary, batches of N the first line with 10 and 1000 events per emit:
//                          how much of the cost is per call, how much per event
//
// Target: >= 500,000 events/s through the C ABI in JSON batches of 100.
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "bench_util.hpp"
#include "hub/ingest.hpp"
#include "loader/load.hpp"
#include "store/store.hpp"

#ifndef BENCH_EMITTER_PATH
#error "BENCH_EMITTER_PATH must name libbench_emitter.so"
#endif

namespace {

using namespace stockrelay;

enum class Mode { Null, Parse, Journal };

// What sr_host* points at in this process (the handle is opaque to plugins).
struct BenchHost {
  Mode mode = Mode::Parse;
  hub::EventParser parser;
  store::Store* store = nullptr;
  std::size_t documents = 0;
  std::size_t entries = 0;
  std::size_t errors = 0;
  std::size_t bytes = 0;
};

sr_str to_sr(std::string_view s) { return sr_str{s.data(), s.size()}; }
std::string_view from_sr(sr_str s) { return s.ptr ? std::string_view(s.ptr, s.len) : std::string_view(); }

BenchHost& self(sr_host* h) { return *reinterpret_cast<BenchHost*>(h); }

void host_log(sr_host*, int32_t level, sr_str msg) {
  if (level >= SR_LOG_WARN) std::fprintf(stderr, "plugin: %.*s\n", static_cast<int>(msg.len), msg.ptr);
}
int32_t host_log_enabled(sr_host*, int32_t level) { return level >= SR_LOG_WARN ? 1 : 0; }
int64_t host_now(sr_host*) { return 1714557600000; }
int64_t host_monotonic(sr_host*) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(bench::Clock::now().time_since_epoch()).count();
}
sr_status host_http(sr_host*, sr_str, sr_str* resp) {
  if (resp) *resp = sr_str{nullptr, 0};
  return SR_INVALID;
}
sr_status host_state_get(sr_host*, sr_str, sr_str* value) {
  if (value) *value = sr_str{nullptr, 0};
  return SR_FAILED;
}
sr_status host_state_put(sr_host*, sr_str, sr_str, const sr_str*) { return SR_OK; }
sr_status host_report(sr_host*, sr_str) { return SR_OK; }

sr_status host_emit(sr_host* h, sr_str events) {
  BenchHost& b = self(h);
  std::string_view doc = from_sr(events);
  ++b.documents;
  b.bytes += doc.size();
  if (b.mode == Mode::Null) return SR_OK;
  // The connection name is what the hub passes (Hub::ingest).
  static const std::string connection = "bench";
  auto batch = b.parser.parse(connection, doc, 1714557600000);
  b.entries += batch.entries.size();
  b.errors += batch.errors.size();
  if (b.mode == Mode::Journal && !batch.entries.empty()) b.store->ingest(batch.entries);
  return batch.errors.empty() ? SR_OK : SR_INVALID;
}

sr_host_api host_api() {
  sr_host_api a{};
  a.struct_size = sizeof(sr_host_api);
  a.abi_major = SR_ABI_MAJOR;
  a.abi_minor = SR_ABI_MINOR;
  a.log = &host_log;
  a.log_enabled = &host_log_enabled;
  a.now_ms = &host_now;
  a.monotonic_ms = &host_monotonic;
  a.http = &host_http;
  a.state_get = &host_state_get;
  a.state_put = &host_state_put;
  a.emit = &host_emit;
  a.report = &host_report;
  return a;
}

// One create / poll / destroy of the plugin; returns the time poll() took.
bench::Sample run(const loader::Plugin& plugin, const sr_host_api& api, BenchHost& host, std::size_t events,
           std::size_t batch) {
  std::string settings =
      R"({"events":)" + std::to_string(events) + R"(,"batch":)" + std::to_string(batch) + "}";
  sr_status rc = SR_OK;
  sr_str err{nullptr, 0};
  sr_instance* inst = plugin.api->create(reinterpret_cast<sr_host*>(&host), &api, to_sr(settings), &rc, &err);
  if (!inst) {
    std::fprintf(stderr, "create failed (%d): %.*s\n", rc, static_cast<int>(err.len), err.ptr);
    std::exit(1);
  }
  if (plugin.api->start(inst) != SR_OK) {
    std::fprintf(stderr, "start failed\n");
    std::exit(1);
  }
  host.documents = host.entries = host.errors = host.bytes = 0;
  const std::string req = R"({"mode":"incremental"})";
  bench::Stopwatch t0;
  sr_status st = plugin.api->poll(inst, to_sr(req));
  bench::Sample secs = t0.stop();
  if (st != SR_OK) {
    sr_str e = plugin.api->last_error(inst);
    std::fprintf(stderr, "poll failed (%d): %.*s\n", st, static_cast<int>(e.len), e.ptr);
    std::exit(1);
  }
  plugin.api->stop(inst);
  plugin.api->destroy(inst);
  if (host.mode != Mode::Null && (host.entries != events || host.errors != 0)) {
    std::fprintf(stderr, "expected %zu entries, got %zu (%zu errors)\n", events, host.entries, host.errors);
    std::exit(1);
  }
  if (host.documents != (events + batch - 1) / batch) {
    std::fprintf(stderr, "expected %zu documents, got %zu\n", (events + batch - 1) / batch, host.documents);
    std::exit(1);
  }
  return secs;
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = bench::parse_options(argc, argv);
  const std::size_t events = opt.quick ? 50000 : 500000;
  const std::size_t journal_events = opt.quick ? 20000 : 50000;
  const std::size_t sweep_events = opt.quick ? 20000 : 100000;
  const std::size_t batch = 100;

  auto plugin = loader::load(BENCH_EMITTER_PATH);
  if (!plugin) {
    std::fprintf(stderr, "%s\n", plugin.error().message().c_str());
    return 1;
  }
  std::printf("# bench_boundary: %s (ABI %s, %s)\n", (*plugin)->path.c_str(), (*plugin)->abi().c_str(),
              opt.quick ? "quick" : "full");
  const sr_host_api api = host_api();
  bench::TempDir dir("boundary");

  bench::Rates r_parse, r_null, r_journal, r_b10, r_b1000;
  std::size_t bytes = 0;
  for (int rep = 0; opt.another(rep); ++rep) {
    BenchHost host;
    host.mode = Mode::Parse;
    r_parse.add(static_cast<double>(events), run(**plugin, api, host, events, batch));
    bytes = host.bytes;

    BenchHost null_host;
    null_host.mode = Mode::Null;
    r_null.add(static_cast<double>(events), run(**plugin, api, null_host, events, batch));

    auto st = store::open_sqlite((dir.path() / ("boundary-" + std::to_string(rep) + ".db")).string(),
                                 store::OpenMode::Owner);
    if (!st) {
      std::fprintf(stderr, "cannot open store: %s\n", st.error().message().c_str());
      return 1;
    }
    BenchHost journal_host;
    journal_host.mode = Mode::Journal;
    journal_host.store = st->get();
    r_journal.add(static_cast<double>(journal_events), run(**plugin, api, journal_host, journal_events, batch));

    // Batch size sweep: the per-call share of the cost.
    BenchHost h10, h1000;
    r_b10.add(static_cast<double>(sweep_events), run(**plugin, api, h10, sweep_events, 10));
    r_b1000.add(static_cast<double>(sweep_events), run(**plugin, api, h1000, sweep_events, 1000));
  }
  std::string doc = std::to_string(bytes / ((events + batch - 1) / batch)) + " B per document";
  bench::report("boundary", r_parse,
                "stock_level, " + std::to_string(batch) + " per emit, " + doc + ", " + std::to_string(events) +
                    " events: plugin serialises, C ABI, host parses with EventParser; 1 thread");
  bench::report("boundary, host no-op", r_null,
                "same, but the host's emit only counts bytes: plugin-side serialisation + the call");
  bench::report("boundary + journal", r_journal,
                "same plus Store::ingest of every document (100 per transaction, WAL, synchronous=NORMAL), " +
                    std::to_string(journal_events) + " events");
  bench::report("boundary, batches of 10", r_b10, "as the first line, 10 per emit, " + std::to_string(sweep_events) + " events");
  bench::report("boundary, batches of 1000", r_b1000,
                "as the first line, 1000 per emit, " + std::to_string(sweep_events) + " events");
  std::printf("boundary target: >= 500000 events/s in batches of 100 -> %s\n",
              r_parse.median() >= 500000 ? "met" : "MISSED");
  return 0;
}
