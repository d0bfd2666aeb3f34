/*
 * fxclient — blocking C client of fx-core (protobuf over nng REQ/REP).
 *
 * One handle may be shared by many threads: every call opens its own nng
 * context, so concurrent calls are concurrent requests on one connection.
 *
 * Status codes: every call returns FXC_OK (0) or one of the positive FXC_*
 * codes below (the numbers are gRPC's). Transport failures (core not reachable,
 * timeout) are FXC_UNAVAILABLE. When `err` is not NULL it receives the code, a
 * readable message and, for FXC_INVALID_ARGUMENT, the offending field.
 * Output arguments are written only on success.
 *
 * Ownership: arrays returned through `fxc_tick **` are allocated by the
 * library and freed by the caller with fxc_ticks_free() (likewise candles,
 * seqs, storage ranges: each type has its _free; a maintenance report's days
 * go with fxc_maintenance_report_free()). Everything passed in stays the
 * caller's.
 *
 * The tick and candle types and the limits are fxohlc's own (<fx/tick.h>,
 * <fx/limits.h>, installed beside this header).
 */
#ifndef FX_CLIENT_H
#define FX_CLIENT_H

#include "fx/limits.h"
#include "fx/tick.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum fxc_status {
    FXC_OK = 0,
    FXC_INVALID_ARGUMENT = 3,
    FXC_DEADLINE_EXCEEDED = 4, /* nothing arrived in time (live feed) */
    FXC_NOT_FOUND = 5,
    FXC_ALREADY_EXISTS = 6,
    FXC_RESOURCE_EXHAUSTED = 8,
    FXC_FAILED_PRECONDITION = 9, /* the day is sealed: retention dropped its ticks (its candles are kept) */
    FXC_INTERNAL = 13,
    FXC_UNAVAILABLE = 14,
};

#define FXC_SYMBOL_MAX FX_SYMBOL_MAX /* characters, without the terminating NUL */
#define FXC_TICKS_GET_MAX FX_TICKS_GET_MAX /* largest `limit` of fxc_ticks_get */
#define FXC_BULK_MAX FX_BULK_MAX /* most ticks in one fxc_ticks_bulk */
#define FXC_TIME_STR_MAX FX_TIME_STR_MAX /* buffer size for fxc_time_format */
#define FXC_DEFAULT_URL "tcp://127.0.0.1:5555" /* fx-core RPC address when FX_RPC_URL is unset */

typedef struct fxc_err {
    int code;
    char message[256];
    char field[64]; /* "" unless a single field is at fault */
} fxc_err;

typedef struct fx_tick fxc_tick; /* symbol, time_us (UTC microseconds), price */

typedef struct fxc_health_info {
    int database_ok;
    int redis_ok;
    char database[128]; /* "connected" or the reason it is not */
    char redis[128];
    char version[32];
} fxc_health_info;

typedef struct fxc fxc;

/* Connects to fx-core at `url` (e.g. "tcp://127.0.0.1:5555"; NULL means the
 * FX_RPC_URL environment variable, else that default). `url` may list
 * several cores, comma-separated ("tcp://a:5555,tcp://b:5555"): requests
 * spread over the cores that are up, and one in flight on a core whose
 * connection closes is sent to another (so a create the dead core had
 * stored may answer FXC_ALREADY_EXISTS). Connections are made lazily and
 * retried by nng, so a core started later, or again, is found and used.
 * An entry "dns+tcp://NAME:PORT" stands for every address NAME resolves to
 * (a Kubernetes headless Service: each ready core pod), looked up again
 * every 5 s by a thread of the handle: cores added or removed are found
 * without reopening (an address gone from the answers for 30 s is dropped).
 * Free with fxc_close(). */
int fxc_open(const char *url, fxc **out, fxc_err *err);
void fxc_close(fxc *c);

/* Request timeout in milliseconds for later calls (default 30 000): for
 * reaching a core and for its answer (fxc_maintenance and fxc_storage wait
 * at least FXC_MAINTENANCE_TIMEOUT_MS for theirs). */
void fxc_set_timeout(fxc *c, int ms);

/* Stores one tick; `stored` (optional) receives it as stored (normalised
 * symbol). FXC_ALREADY_EXISTS if (symbol, time) is taken. */
int fxc_tick_create(fxc *c, const fxc_tick *tick, fxc_tick *stored, fxc_err *err);

/* Stores up to FXC_BULK_MAX ticks in one transaction; duplicates are skipped
 * and counted. One invalid tick rejects all (err->field names its index). */
int fxc_ticks_bulk(fxc *c, const fxc_tick *ticks, size_t n, uint64_t *created,
    uint64_t *duplicates, fxc_err *err);

/* Ticks of `symbol` in [start_us, end_us), by time; limit 1..FXC_TICKS_GET_MAX.
 * *ticks (free with fxc_ticks_free) and *n receive the result. */
int fxc_ticks_get(fxc *c, const char *symbol, int64_t start_us, int64_t end_us,
    uint32_t limit, uint32_t offset, fxc_tick **ticks, size_t *n, fxc_err *err);
void fxc_ticks_free(fxc_tick *ticks);

/* Where the numbering of each of `symbols` stands (nsymbols = 0: every
 * symbol), by symbol: its last seq handed out; a symbol with no tick since
 * seq existed is not listed. A reader of the live feed starts after these.
 * *seqs (free with fxc_last_seqs_free) and *n receive the result. */
typedef struct fx_symbol_seq fxc_symbol_seq;
int fxc_last_seqs(fxc *c, const char *const *symbols, size_t nsymbols, fxc_symbol_seq **seqs, size_t *n,
    fxc_err *err);
void fxc_last_seqs_free(fxc_symbol_seq *seqs);

/* Every symbol with stored ticks, by name, with its first and last tick
 * time and tick count (the core sums its daily rollups: cheap however many
 * ticks there are). *symbols (free with fxc_symbols_free) and *n receive
 * the result. */
typedef struct fx_symbol_info fxc_symbol_info;
int fxc_symbols_list(fxc *c, fxc_symbol_info **symbols, size_t *n, fxc_err *err);
void fxc_symbols_free(fxc_symbol_info *symbols);

/* The ticks of `symbol` stored after `after_seq` (tick.seq > after_seq), by
 * seq, at most `limit` (1..FXC_TICKS_GET_MAX): what a reader of the live
 * feed missed. Ticks stored before seq existed (seq 0) are not included.
 * *ticks (free with fxc_ticks_free) and *n receive the result. */
int fxc_ticks_after(fxc *c, const char *symbol, int64_t after_seq, uint32_t limit, fxc_tick **ticks, size_t *n,
    fxc_err *err);

/* Sets the price of the tick (symbol, time_us); FXC_NOT_FOUND if absent. */
int fxc_tick_update(fxc *c, const char *symbol, int64_t time_us, double price,
    fxc_tick *updated, fxc_err *err);

/* Deletes one tick; FXC_NOT_FOUND if absent. */
int fxc_tick_delete(fxc *c, const char *symbol, int64_t time_us, fxc_err *err);

/* Deletes the ticks of `symbol` in [start_us, end_us); *deleted (optional)
 * receives how many. */
int fxc_ticks_delete(fxc *c, const char *symbol, int64_t start_us, int64_t end_us,
    uint64_t *deleted, fxc_err *err);

/* symbol, bucket_us (start, UTC microseconds), open, high, low, close,
 * tick_count, complete (the bucket's time is over), version (grows with
 * every write of the bucket: orders its states); first_us and last_us are 0
 * in answers of the core. */
typedef struct fx_candle fxc_candle;

#define FXC_CANDLES_MAX FX_CANDLES_MAX /* most candles one query may span */

typedef struct fxc_candle_query {
    const char *symbol;
    const char *resolution; /* 1m 2m 5m 10m 15m 30m 1h 2h 4h 6h 8h 12h 1d 1w */
    int64_t start_us, end_us; /* buckets whose start lies in [start, end) */
    const char *time_zone; /* IANA name; NULL or "" = UTC */
    int day_start_minute; /* 0..1439 after local midnight: start of days and weeks (and of hour buckets) */
    uint32_t limit; /* 1..FXC_CANDLES_MAX */
    int fill; /* FXC_FILL_NONE (0): buckets with ticks; FXC_FILL_PREV: every bucket */
} fxc_candle_query;

/* fxc_candle_query.fill. PREV answers every bucket of the range: one without
 * ticks carries the previous close as open = high = low = close, tick_count
 * 0 (the first ones the close of the last tick before the range; buckets
 * before any tick at all are left out). */
enum { FXC_FILL_NONE = 0, FXC_FILL_PREV = 1 };

/* OHLC candles answered from the rollups (no lag: every stored tick is in
 * them). *candles (free with fxc_candles_free) and *n receive the result. */
int fxc_candles_get(fxc *c, const fxc_candle_query *q, fxc_candle **candles, size_t *n, fxc_err *err);
void fxc_candles_free(fxc_candle *candles);

/* ---- live feed ----------------------------------------------------------
 * fx-core publishes every stored tick after its commit (nng PUB). A feed
 * handle is one SUB connection; use it from one thread at a time. Events a
 * reader is too slow for are dropped by the publisher, not queued. */
typedef struct fxc_feed fxc_feed;

#define FXC_DEFAULT_FEED_URL "tcp://127.0.0.1:5556" /* when FX_FEED_URL is unset */

/* Connects to the feed at `url` (NULL: FX_FEED_URL, else the default); a
 * comma-separated list receives the feed of every core listed, and a
 * dns+tcp://NAME:PORT entry that of every address NAME resolves to, as
 * for fxc_open. Each event
 * comes from the core that stored it, so with several cores the order
 * across cores is the order of arrival. */
int fxc_feed_open(const char *url, fxc_feed **out, fxc_err *err);
void fxc_feed_close(fxc_feed *f);

/* Receives the ticks of `symbol` (NULL or "*": of every symbol) from now on. */
int fxc_feed_subscribe_ticks(fxc_feed *f, const char *symbol, fxc_err *err);

/* Waits up to timeout_ms (-1: forever) for the next tick: FXC_OK with *tick,
 * or FXC_DEADLINE_EXCEEDED when none came. Other events are skipped. */
int fxc_feed_next_tick(fxc_feed *f, int timeout_ms, fxc_tick *tick, fxc_err *err);

/* Receives the candles of `resolution` ("minute", "hour", "day" or
 * "custom-day"; "1m", "1h", "1d" too) of `symbol` (NULL or "*": every symbol) as they change. */
int fxc_feed_subscribe_candles(fxc_feed *f, const char *resolution, const char *symbol, fxc_err *err);

/* Undo a subscription made with the same arguments (FXC_NOT_FOUND when
 * there is none). nng keeps one subscription per topic: subscribing twice
 * and unsubscribing once leaves none. */
int fxc_feed_unsubscribe_ticks(fxc_feed *f, const char *symbol, fxc_err *err);
int fxc_feed_unsubscribe_candles(fxc_feed *f, const char *resolution, const char *symbol, fxc_err *err);

enum fxc_event_kind { FXC_EVENT_TICK = 1, FXC_EVENT_CANDLE = 2 };

typedef struct fxc_event {
    enum fxc_event_kind kind;
    fxc_tick tick; /* FXC_EVENT_TICK */
    fxc_candle candle; /* FXC_EVENT_CANDLE */
    char resolution[16]; /* FXC_EVENT_CANDLE: minute, hour, day, custom-day */
} fxc_event;

/* Waits up to timeout_ms (-1: forever; 0: only what has arrived) for the
 * next event of any kind. */
int fxc_feed_next(fxc_feed *f, int timeout_ms, fxc_event *event, fxc_err *err);

/* A descriptor for poll/epoll that is readable while messages wait to be
 * taken with fxc_feed_next(f, 0, ...). One message may carry many ticks
 * (a commit's ticks of one symbol), so once it wakes you call
 * fxc_feed_next(f, 0, ...) until FXC_DEADLINE_EXCEEDED. Owned by the feed:
 * do not read, write or close it. */
int fxc_feed_fd(fxc_feed *f, int *fd, fxc_err *err);

/* How many times a connection to a core's feed was made or lost since the
 * feed was opened. Events a core published while it was not connected (or
 * had not yet sent when it died) are not received: a reader that must not
 * miss any reads them back (fxc_ticks_after) when this number changes.
 * Any thread. */
uint64_t fxc_feed_connection_events(fxc_feed *f);

/* Health of the core and its dependencies. Returns FXC_OK when the core
 * answered; look at database_ok / redis_ok for the parts. */
int fxc_health(fxc *c, fxc_health_info *out, fxc_err *err);

/* ---- data lifecycle -----------------------------------------------------
 * fx-core's retention (RETENTION_DAYS: old days' ticks dropped, the days
 * sealed, their candles kept; CANDLE_RETENTION_DAYS) and compaction
 * (COMPRESSION_AFTER_DAYS: old days' ticks stored as compact chunks, read
 * as before). A pass runs on the candle leader every MAINTENANCE_INTERVAL_S,
 * or on demand with fxc_maintenance. Writes and edits of a sealed day fail
 * with FXC_FAILED_PRECONDITION. */

/* How long fxc_maintenance and fxc_storage wait for their answer at least
 * (a pass over much data takes minutes): they wait the longer of this and
 * the handle's timeout. Reaching a core is still bounded by the handle's
 * timeout, so an unreachable core fails as quickly as any other call. */
#define FXC_MAINTENANCE_TIMEOUT_MS (30 * 60 * 1000)

typedef struct fxc_maintenance_day {
    int64_t day_us; /* start of the UTC day */
    int dropped; /* 1: dropped by retention (sealed), 0: compacted */
    uint64_t ticks;
    uint64_t bytes_before, bytes_after; /* the day's partitions; bytes_after is 0 when dropped */
    double seconds;
} fxc_maintenance_day;

typedef struct fxc_maintenance_report {
    int dry_run; /* nothing was changed: what a pass would do now */
    fxc_maintenance_day *days; /* in the order done; freed by fxc_maintenance_report_free */
    size_t ndays;
    uint32_t days_dropped, days_compacted;
    uint64_t ticks_dropped, ticks_compacted;
    uint64_t bytes_before, bytes_after; /* of the days dropped and compacted */
    uint64_t candles_dropped; /* candle rows older than CANDLE_RETENTION_DAYS deleted */
    double seconds; /* the whole pass */
    /* the settings the pass applied (0: off) */
    int retention_days, candle_retention_days, compression_after_days;
} fxc_maintenance_report;

/* Runs a maintenance pass now on one core, or with `dry_run` reports what
 * one would do and changes nothing; FXC_UNAVAILABLE while a pass (of any
 * core) is running. On success *out is filled; free it with
 * fxc_maintenance_report_free. May take minutes: see
 * FXC_MAINTENANCE_TIMEOUT_MS. */
int fxc_maintenance(fxc *c, int dry_run, fxc_maintenance_report *out, fxc_err *err);
/* Frees r->days and empties *r (NULL or an emptied report is fine). */
void fxc_maintenance_report_free(fxc_maintenance_report *r);

/* Consecutive UTC days of one symbol in one state. */
typedef struct fxc_storage_range {
    char symbol[FXC_SYMBOL_MAX + 1];
    int64_t first_day_us, last_day_us; /* starts of the first and the last day */
    char state[8]; /* "raw", "compact" or "sealed" (ticks dropped, candles kept) */
    uint32_t days;
    uint64_t ticks; /* stored now (sealed: 0) */
    uint64_t bytes; /* the days' partitions, shared among symbols by their ticks */
} fxc_storage_range;

/* What the store holds, by symbol and day. *ranges (free with
 * fxc_storage_free) and *n receive the result. Waits as long as
 * fxc_maintenance. */
int fxc_storage(fxc *c, fxc_storage_range **ranges, size_t *n, fxc_err *err);
void fxc_storage_free(fxc_storage_range *ranges);

/* Name of a status code ("NOT_FOUND"). */
const char *fxc_status_name(int code);

/* RFC 3339 time -> microseconds since the epoch. Accepts "Z" or a numeric
 * offset, "T" or a space between date and time, a fraction of up to 6 digits,
 * no offset meaning UTC, and a bare date (midnight UTC).
 * Returns 0, or -1 when `s` is not such a time. */
int fxc_time_parse(const char *s, int64_t *out_us);

/* Microseconds -> "2025-12-05T10:00:00Z" or "...T10:00:00.123456Z" when the
 * fraction is non-zero. `buf` holds at least FXC_TIME_STR_MAX bytes. */
char *fxc_time_format(int64_t us, char *buf);

#define FXC_PRICE_STR_MAX FX_PRICE_STR_MAX /* buffer size for fxc_price_format */

/* The shortest text that reads back as the same double: 1.085, never
 * 1.0849999999999999; plain decimal from 1e-7 to 1e21 (150, 0.00001), as
 * JavaScript prints numbers. `buf` holds FXC_PRICE_STR_MAX bytes. */
char *fxc_price_format(double price, char *buf);

#ifdef __cplusplus
}
#endif
#endif
