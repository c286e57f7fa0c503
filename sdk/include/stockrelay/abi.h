/*
 * stockrelay connector ABI, version 1.0.
 *
 * This header is the whole contract between the stockrelay host and a
 * connector plugin (a shared library). It is C99 so that any language can
 * implement a connector, and so that no C++ type, exception or allocator ever
 * crosses the boundary.
 *
 * Rules that must stay true for every release of ABI major 1:
 *
 *  1. Tables only grow at the end. Both tables start with struct_size,
 *     abi_major, abi_minor. A new function is a new slot appended after the
 *     last one and a minor bump; no slot is ever removed, reordered or
 *     changed. A changed function becomes a new slot with a _v2 suffix.
 *  2. The host refuses a plugin whose abi_major differs from its own, or whose
 *     abi_minor is newer than its own, naming both versions. Slots beyond a
 *     plugin's struct_size count as absent, so plugins built for an older
 *     minor keep loading after a host upgrade.
 *  3. Payloads (configuration, events, commands, results, webhook requests,
 *     HTTP envelopes) cross as UTF-8 JSON documents tagged with a schema
 *     ("stockrelay.events/1"). Unknown fields are ignored by both sides, so
 *     either side can add fields without an ABI change. docs/sdk.md
 *     documents every shape.
 *  4. Memory. Everything the host passes in (sr_str arguments) is borrowed:
 *     valid only until the called function returns. Everything the plugin
 *     passes to a host service (emit, report, log, state_put, http) is copied
 *     by the host before that service returns. Strings the plugin returns
 *     (describe, last_error) are owned by the plugin: describe's result stays
 *     valid for the life of the process, last_error's until the next call on
 *     that instance. Strings the host returns through out-parameters
 *     (http response, state_get value) stay valid until the plugin's current
 *     entry call (poll, deliver, on_webhook, start) returns. Nobody ever
 *     frees the other side's memory.
 *  5. Threads. The host calls one instance from one thread at a time (a
 *     strand per connection); different instances may run in parallel on
 *     different threads. The only exception is stop(), which may be called
 *     from any thread while another call on the same instance is running,
 *     and must make that call return soon. Host services may be called only
 *     from inside an entry call on the calling thread, except log(), which
 *     is safe from any thread at any time.
 *  6. No C++ exception may leave any function of this table. (The C++ layer,
 *     connector.hpp, catches everything at the boundary.)
 */
#ifndef STOCKRELAY_ABI_H
#define STOCKRELAY_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SR_ABI_MAJOR 1
#define SR_ABI_MINOR 0

/* The one symbol a plugin exports, per ABI major. */
#define SR_ENTRY_SYMBOL_V1 "stockrelay_connector_v1"

#if defined(__GNUC__)
#define SR_EXPORT __attribute__((visibility("default")))
#else
#define SR_EXPORT
#endif

/* A UTF-8 string slice; not NUL-terminated. ptr may be NULL when len is 0. */
typedef struct sr_str {
  const char* ptr;
  size_t len;
} sr_str;

/* Outcome of every call. Stored as int32_t in tables: the size of a C enum
 * is not the same under every compiler and flag (-fshort-enums). */
typedef int32_t sr_status;
enum {
  SR_OK = 0,          /* done */
  SR_RETRY = 1,       /* transient (timeout, 5xx, 429): the host backs off and tries again */
  SR_FAILED = 2,      /* permanent for this call or item: recorded with the reason, not retried */
  SR_INVALID = 3,     /* bad input or configuration: not retried; the message says what is wrong */
  SR_UNSUPPORTED = 4, /* this plugin does not do that */
  SR_STOPPED = 5      /* the instance is stopping; the call was abandoned */
};

/* Log levels for sr_host_api.log. */
enum { SR_LOG_DEBUG = 0, SR_LOG_INFO = 1, SR_LOG_WARN = 2, SR_LOG_ERROR = 3 };

/* Opaque handles. sr_host is the host's context for one connection;
 * sr_instance is the plugin's object for one connection. */
typedef struct sr_host sr_host;
typedef struct sr_instance sr_instance;

/*
 * Host services, handed to the plugin in create(). Owned by the host; valid
 * until destroy() returns. Append-only (rule 1). A plugin built for a newer
 * minor must check struct_size before using a slot (SR_HOST_HAS below).
 */
typedef struct sr_host_api {
  uint32_t struct_size; /* sizeof(sr_host_api) as the host was built */
  uint16_t abi_major;
  uint16_t abi_minor;

  /* --- 1.0 --- */

  /* Writes a log line; the host adds time, connection and plugin names and
   * redacts secrets. Any thread, any time (even outside entry calls).
   * msg: borrowed, copied before return. */
  void (*log)(sr_host* host, int32_t level, sr_str msg);

  /* Non-zero if a message at `level` would be written (skip formatting
   * otherwise). Any thread. */
  int32_t (*log_enabled)(sr_host* host, int32_t level);

  /* Wall clock, Unix milliseconds (fakeable in tests). Any thread. */
  int64_t (*now_ms)(sr_host* host);

  /* Monotonic clock in milliseconds (fakeable in tests). Any thread. */
  int64_t (*monotonic_ms)(sr_host* host);

  /* Performs an HTTP exchange through the host's client: keep-alive,
   * timeouts, retries with backoff on 5xx and timeouts (idempotent methods),
   * 429 with Retry-After, this connection's rate and concurrency limits,
   * secrets redacted from logs. Blocks the calling entry call.
   * request_json: borrowed; a stockrelay.http request envelope (docs/sdk.md).
   * *response_json: set to a host-owned stockrelay.http response envelope,
   * valid until the current entry call returns.
   * Returns SR_OK when an HTTP answer arrived (any status: read "status"),
   * SR_RETRY on a transport error after the host's retries, SR_INVALID for a
   * malformed envelope, SR_STOPPED when stop() was called meanwhile.
   * Thread: only inside an entry call of this instance. */
  sr_status (*http)(sr_host* host, sr_str request_json, sr_str* response_json);

  /* Reads this connection's key-value state (cursors, id maps).
   * *value: host-owned, valid until the current entry call returns.
   * Returns SR_OK, or SR_FAILED when the key is absent (*value is empty).
   * Thread: only inside an entry call. */
  sr_status (*state_get)(sr_host* host, sr_str key, sr_str* value);

  /* Writes this connection's state. expected == NULL: unconditional.
   * Otherwise compare-and-set: written only if the current value equals
   * *expected (an absent key never equals anything); SR_FAILED if not.
   * The host journals every event emitted before this call first, so a
   * cursor stored here never runs ahead of the events it covers.
   * Arguments borrowed, copied before return. Thread: only inside an entry call. */
  sr_status (*state_put)(sr_host* host, sr_str key, sr_str value, const sr_str* expected);

  /* Hands a batch of events to the host: a stockrelay.events/1 document.
   * The host validates and journals them durably before returning (a
   * duplicate key is a no-op). SR_INVALID names the bad item in the log; the
   * valid items of the batch are kept. events_json: borrowed, copied.
   * Thread: only inside an entry call. */
  sr_status (*emit)(sr_host* host, sr_str events_json);

  /* Reports per-command outcomes of a deliver() batch: a
   * stockrelay.results/1 document. Commands of the batch that are never
   * reported take the status deliver() returned. results_json: borrowed,
   * copied. Thread: only inside deliver(). */
  sr_status (*report)(sr_host* host, sr_str results_json);

  /* --- append new slots for 1.1 and later below this line only --- */
} sr_host_api;

/* True if the host provides `slot` (inside its struct_size and non-NULL). */
#define SR_HOST_HAS(api, slot)                                                     \
  ((api) != NULL && (api)->struct_size >= offsetof(sr_host_api, slot) + sizeof((api)->slot) && \
   (api)->slot != NULL)

/*
 * The connector table a plugin returns from its entry symbol. Owned by the
 * plugin, static for the life of the process. Append-only (rule 1).
 *
 * Required slots: describe, create, start, stop, destroy, last_error.
 * Optional slots, tied to capabilities declared in describe():
 *   poll        <-> "poll"
 *   on_webhook  <-> "webhooks"
 *   deliver     <-> any "*.out" capability (stock.out, orders.out, notes.out, prices.out)
 * The host refuses a plugin whose non-NULL optional slots disagree with its
 * declared capabilities, naming the slot and the capability.
 */
typedef struct sr_connector_api {
  uint32_t struct_size; /* sizeof(sr_connector_api) as the plugin was built */
  uint16_t abi_major;
  uint16_t abi_minor;

  /* --- 1.0 --- */

  /* Static self-description: a stockrelay.describe/1 JSON document with id,
   * version, vendor, abi, capabilities, limits and the configuration JSON
   * Schema (docs/sdk.md). Plugin-owned, valid for the life of the process.
   * Any thread; may be called before any create(). */
  sr_str (*describe)(void);

  /* Creates an instance for one connection. config_json: borrowed; the
   * connection's settings, already validated against the schema from
   * describe(). host/api: valid until destroy(). On failure returns NULL,
   * sets *rc (SR_INVALID for bad settings, SR_FAILED otherwise) and *error
   * to a plugin-owned message valid until the next create() call.
   * Thread: the connection's strand. Must not do network I/O. */
  sr_instance* (*create)(sr_host* host, const sr_host_api* api, sr_str config_json,
                         sr_status* rc, sr_str* error);

  /* Starts the instance: may check credentials, register webhooks, read
   * state. Thread: the connection's strand. */
  sr_status (*start)(sr_instance* self);

  /* Pulls changes from the remote system and emit()s them (orders,
   * levels, products changed since the stored cursor). request_json:
   * borrowed; {"mode":"incremental"}, {"mode":"reconcile"} (read
   * everything) or {"mode":"orders"} (only the orders changed since the
   * cursor; treat an unknown mode as incremental). Thread: the
   * connection's strand. Optional. */
  sr_status (*poll)(sr_instance* self, sr_str request_json);

  /* Handles one webhook delivered to /hooks/<connection>. request_json:
   * borrowed; {"method","path","query","headers":{...},"body",
   * "received_at"} (docs/sdk.md).
   * The plugin verifies the signature, emit()s what the body means, and
   * fills *response_json (plugin-owned, valid until its next call on this
   * instance; may be left empty for 200 {}) with {"status":N,"body":"..."}.
   * Returns SR_INVALID for a bad signature or body (the host answers 401 or
   * 400 as the response says). Thread: the connection's strand. Optional. */
  sr_status (*on_webhook)(sr_instance* self, sr_str request_json, sr_str* response_json);

  /* Carries out a batch of commands: a stockrelay.commands/1 document, at
   * most limits.batch_size items. Per-item outcomes go through report();
   * the return value applies to every item not reported. Thread: the
   * connection's strand. Optional. */
  sr_status (*deliver)(sr_instance* self, sr_str commands_json);

  /* Asks the instance to stop: any running call on another thread must
   * return soon (SR_STOPPED). Idempotent. Any thread. */
  void (*stop)(sr_instance* self);

  /* Frees the instance. Called once, after stop() and after every other
   * call has returned. Thread: the connection's strand. */
  void (*destroy)(sr_instance* self);

  /* The message of the last failed call on this instance; plugin-owned,
   * valid until the next call on it. Thread: the connection's strand. */
  sr_str (*last_error)(sr_instance* self);

  /* --- append new slots for 1.1 and later below this line only --- */
} sr_connector_api;

/* The entry symbol. `host_major`/`host_minor` are the host's ABI version, so
 * a plugin may refuse an older host; the returned table is static. Must not
 * fail or do I/O. */
typedef const sr_connector_api* (*sr_entry_v1_fn)(uint16_t host_major, uint16_t host_minor);

#ifdef __cplusplus
}
#endif

#endif /* STOCKRELAY_ABI_H */
