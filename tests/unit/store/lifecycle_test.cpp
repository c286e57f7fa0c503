// Opening, locking, damaged files, and crashes of the writing process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "store/migrations.hpp"
#include "store/sqlite_db.hpp"
#include "store_test_util.hpp"

using namespace store_test;

namespace {

std::string open_error(const std::string& path, OpenMode mode) {
  auto r = open_sqlite(path, mode);
  REQUIRE_FALSE(r.ok());
  return r.error().message();
}

std::unique_ptr<Db> raw(const std::string& path) {
  auto db = Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  REQUIRE(db.ok());
  return std::move(db).value();
}

void write_file(const std::string& path, const std::string& bytes, std::streamoff at = 0) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  if (!f) f.open(path, std::ios::out | std::ios::binary);
  f.seekp(at);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("a second hub on the same store is refused with the pid") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  int ready[2];
  int release[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(release) == 0);
  const pid_t hub = fork();
  REQUIRE(hub >= 0);
  if (hub == 0) {  // the running hub: holds the store until told to stop
    close(release[1]);  // so the parent's close() is seen as end of file
    auto store = open_sqlite(path, OpenMode::Owner);
    char c = store.ok() ? '1' : '0';
    if (write(ready[1], &c, 1) != 1) _exit(2);
    if (read(release[0], &c, 1) < 0) _exit(3);
    _exit(store.ok() ? 0 : 1);
  }
  close(release[0]);
  close(ready[1]);
  char c = 0;
  REQUIRE(read(ready[0], &c, 1) == 1);
  REQUIRE(c == '1');

  const std::string msg = open_error(path, OpenMode::Owner);
  CHECK(msg == "store " + path + " is in use by another stockrelay process (pid " + std::to_string(hub) +
                   ") (stop that process, or point store.path at another file)");
  // The CLI's modes work beside the running hub.
  CHECK(open_sqlite(path, OpenMode::ReadOnly).ok());
  CHECK(open_sqlite(path, OpenMode::Operator).ok());

  close(release[1]);
  int status = 0;
  REQUIRE(waitpid(hub, &status, 0) == hub);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  close(ready[0]);

  // The lock went with the process.
  open_store(path);
}

TEST_CASE("two hubs in one process are refused too") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto first = open_store(path);
  CHECK_THAT(open_error(path, OpenMode::Owner), Catch::Contains("(pid " + std::to_string(getpid()) + ")"));
  first.reset();
  open_store(path);
}

TEST_CASE("a read-only or operator open of a missing store says so and creates nothing") {
  TempDir dir;
  const std::string path = dir.file("missing.db");
  const std::string expected = "no store at " + path + " (has `stockrelay run` been started with this config?)";
  CHECK(open_error(path, OpenMode::ReadOnly) == expected);
  CHECK(open_error(path, OpenMode::Operator) == expected);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a read-only store reads a stopped hub's store and refuses writes") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto hub = open_store(path);
    auto tx = hub->begin();
    tx->put_link({"shop-a", "SKU-1", "p-1", "", true, 1});
    tx->commit();
  }  // closed: the WAL is checkpointed and its files removed
  auto ro = open_store(path, OpenMode::ReadOnly);
  CHECK(ro->links(std::nullopt).size() == 1);
  CHECK_THROWS_AS(ro->begin(), std::logic_error);
  CHECK_THROWS_AS(ro->ingest(std::vector<JournalEntry>{event("shop-a", "k")}), std::logic_error);
  CHECK_THROWS_AS(ro->state_put("shop-a", "k", "v", std::nullopt), std::logic_error);
}

TEST_CASE("an operator open beside the hub writes through SQLite's locking") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto hub = open_store(path);
  std::int64_t id = 0;
  {
    auto tx = hub->begin();
    id = tx->enqueue(command("erp", "", "{}"));
    tx->claim_due("erp", 0, 1);
    tx->outbox_failed(id, "500");
    tx->commit();
  }
  {
    auto cli = open_store(path, OpenMode::Operator);  // `stockrelay orders retry`
    auto tx = cli->begin();
    tx->outbox_requeue(id, 5);
    tx->commit();
  }
  auto tx = hub->begin();
  CHECK(tx->outbox_item(id)->state == OutboxState::Pending);
  CHECK(tx->claim_due("erp", 5, 10).size() == 1);
}

TEST_CASE("a store written by a newer schema is refused") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  open_store(path);
  raw(path)->exec("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)");
  const std::string known = std::to_string(schema_migrations().back().version);
  for (OpenMode mode : {OpenMode::Owner, OpenMode::Operator, OpenMode::ReadOnly}) {
    const std::string msg = open_error(path, mode);
    CHECK_THAT(msg, Catch::Contains(path));
    CHECK_THAT(msg, Catch::Contains("schema version 99; this build knows versions up to " + known));
  }
}

TEST_CASE("a corrupt file gives an error naming the path") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  SECTION("not a database at all") {
    write_file(path, std::string(8192, 'x'));
  }
  SECTION("a store whose header was overwritten") {
    open_store(path);
    write_file(path, "this is garbage!");
  }
  for (OpenMode mode : {OpenMode::Owner, OpenMode::Operator, OpenMode::ReadOnly}) {
    const std::string msg = open_error(path, mode);
    CHECK_THAT(msg, Catch::StartsWith("store " + path + ": file is not a database"));
  }
}

TEST_CASE("damaged pages surface as errors naming the path, never a crash") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  {
    auto store = open_store(path);
    std::vector<JournalEntry> batch;
    for (int i = 0; i < 2000; ++i) batch.push_back(event("shop-a", std::to_string(i), std::string(200, 'p')));
    store->ingest(batch);
  }
  // Keep page 1 (header and schema root), smash everything after it.
  const auto size = static_cast<std::size_t>(std::filesystem::file_size(path));
  write_file(path, std::string(size - 4096, '\xff'), 4096);
  auto r = open_sqlite(path, OpenMode::Owner);
  if (!r.ok()) {
    CHECK_THAT(r.error().message(), Catch::Contains(path));
  } else {
    try {
      r.value()->unprocessed(5000);
      FAIL("reading damaged pages succeeded");
    } catch (const StoreError& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains(path));
    }
  }
}

TEST_CASE("an SQLite file that is not a stockrelay store is refused and left alone") {
  TempDir dir;
  const std::string path = dir.file("other-app.db");
  raw(path)->exec("CREATE TABLE customers (name TEXT)");
  CHECK_THAT(open_error(path, OpenMode::Owner), Catch::Contains("not a stockrelay store"));
  auto db = raw(path);
  auto q = db->query("SELECT count(*) FROM sqlite_master");
  REQUIRE(q.step());
  CHECK(q.integer(0) == 1);
}

TEST_CASE("committed data survives the writing process dying") {
  for (bool killed : {true, false}) {
    INFO((killed ? "SIGKILL after commit" : "_exit without closing"));
    TempDir dir;
    const std::string path = dir.file("store.db");
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      auto r = open_sqlite(path, OpenMode::Owner);
      if (!r.ok()) _exit(1);
      Store& store = *r.value();
      std::vector<JournalEntry> batch;
      for (int i = 0; i < 1000; ++i) batch.push_back(event("shop-a", "k" + std::to_string(i)));
      if (store.ingest(batch).inserted != 1000) _exit(2);
      auto tx = store.begin();
      tx->put_pool_level({"pool", "SKU-1", sr::Quantity::units(7), "shop-a", 1});
      tx->commit();
      auto unfinished = store.begin();  // dies with this one open
      unfinished->put_pool_level({"pool", "SKU-2", sr::Quantity::units(9), "shop-a", 1});
      if (killed) raise(SIGKILL);
      _exit(0);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    if (killed) {
      REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
    } else {
      REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    // Nothing was checkpointed: reopening must recover the commits from the WAL.
    REQUIRE(std::filesystem::exists(path + "-wal"));
    CHECK(std::filesystem::file_size(path + "-wal") > 0);

    auto store = open_store(path);
    CHECK(store->journal_count() == 1000);
    auto tx = store->begin();
    auto level = tx->pool_level("pool", "SKU-1");
    REQUIRE(level);
    CHECK(level->quantity == sr::Quantity::units(7));
    CHECK_FALSE(tx->pool_level("pool", "SKU-2").has_value());
  }
}

TEST_CASE("a damaged command state is reported naming the path") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto store = open_store(path);
  {
    auto tx = store->begin();
    tx->enqueue(command("erp", "", "{}"));
    tx->commit();
  }
  // Only a hand edit that bypasses the schema's CHECK can do this.
  raw(path)->exec("PRAGMA ignore_check_constraints = ON; UPDATE outbox SET state = 'weird'");
  try {
    store->outbox(std::nullopt, true, 10);
    FAIL("an unknown state was accepted");
  } catch (const StoreError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains(path) && Catch::Contains("'weird'"));
  }
}
