/*
 * The one table of candle resolutions. Every layer reads it: the core
 * validates queries and plans them from it (which rollup to read), the
 * publisher sends a live candle stream for each entry that has a stream
 * name, the bridge serves /ohlc, /ohlc/<stream> and /ws/ohlc/<stream> from
 * it, the client library maps stream names to feed topics, and fxctl takes
 * either name. Adding an entry here adds the resolution everywhere.
 * Read-only; any thread.
 */
#ifndef FX_BASE_RESOLUTION_H
#define FX_BASE_RESOLUTION_H

#include <stddef.h>
#include <stdint.h>

/* The rollups the core keeps on every write, finest first. */
enum fx_rollup { FX_ROLLUP_MINUTE = 0, FX_ROLLUP_HOUR = 1, FX_ROLLUP_DAY = 2, FX_ROLLUPS = 3 };

struct fx_resolution {
    const char *name; /* the query name: GetCandles, GET /ohlc?resolution=, fxctl candles */
    const char *stream; /* live candles on topic candle.<stream>.SYMBOL and /ws/ohlc/<stream>; NULL: queries only */
    int64_t width_us;
    enum fx_rollup rollup; /* the coarsest rollup whose buckets tile these (UTC, from midnight): read from it */
    int custom_day; /* buckets start at the core's DAY_START_HOUR (UTC), not at midnight */
};

/* The entry of a query name ("1m", "4h"; "1d" is the UTC day, not the
 * custom day), of a stream name ("minute", "custom-day"), or of either
 * (query names first). NULL when unknown. */
const struct fx_resolution *fx_resolution_by_name(const char *s);
const struct fx_resolution *fx_resolution_by_stream(const char *s);
const struct fx_resolution *fx_resolution_find(const char *s);

/* All entries, in table order; *n receives how many. */
const struct fx_resolution *fx_resolutions(size_t *n);

/* Whether `r` is a rollup itself (its buckets are the rollup's rows). */
int fx_resolution_is_rollup(const struct fx_resolution *r);

/* The bucket width of a rollup. */
int64_t fx_rollup_width(enum fx_rollup rollup);

/* "1m, 2m, ..., 1w" and "minute, hour, day or custom-day", for messages. */
const char *fx_resolution_names(void);
const char *fx_resolution_stream_names(void);

#endif
