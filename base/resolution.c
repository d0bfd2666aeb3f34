#include "base/resolution.h"

#include "base/calendar.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MIN FX_US_PER_MINUTE
#define HOUR FX_US_PER_HOUR
#define DAY FX_US_PER_DAY

static const struct fx_resolution table[] = {
    { "1m", "minute", MIN, FX_ROLLUP_MINUTE, 0 },
    { "2m", NULL, 2 * MIN, FX_ROLLUP_MINUTE, 0 },
    { "5m", NULL, 5 * MIN, FX_ROLLUP_MINUTE, 0 },
    { "10m", NULL, 10 * MIN, FX_ROLLUP_MINUTE, 0 },
    { "15m", NULL, 15 * MIN, FX_ROLLUP_MINUTE, 0 },
    { "30m", NULL, 30 * MIN, FX_ROLLUP_MINUTE, 0 },
    { "1h", "hour", HOUR, FX_ROLLUP_HOUR, 0 },
    { "2h", NULL, 2 * HOUR, FX_ROLLUP_HOUR, 0 },
    { "4h", NULL, 4 * HOUR, FX_ROLLUP_HOUR, 0 },
    { "6h", NULL, 6 * HOUR, FX_ROLLUP_HOUR, 0 },
    { "8h", NULL, 8 * HOUR, FX_ROLLUP_HOUR, 0 },
    { "12h", NULL, 12 * HOUR, FX_ROLLUP_HOUR, 0 },
    { "1d", "day", DAY, FX_ROLLUP_DAY, 0 },
    { "1w", NULL, 7 * DAY, FX_ROLLUP_DAY, 0 },
    /* 24 h from DAY_START_HOUR: queried as 1d with that day start, read
     * from the hourly rollup (days from midnight UTC do not tile it) */
    { "1d", "custom-day", DAY, FX_ROLLUP_HOUR, 1 },
};

#define NTABLE (sizeof table / sizeof table[0])

const struct fx_resolution *fx_resolutions(size_t *n)
{
    *n = NTABLE;
    return table;
}

const struct fx_resolution *fx_resolution_by_name(const char *s)
{
    for (size_t i = 0; s && i < NTABLE; i++)
        if (!table[i].custom_day && strcmp(table[i].name, s) == 0) return &table[i];
    return NULL;
}

const struct fx_resolution *fx_resolution_by_stream(const char *s)
{
    for (size_t i = 0; s && i < NTABLE; i++)
        if (table[i].stream && strcmp(table[i].stream, s) == 0) return &table[i];
    return NULL;
}

const struct fx_resolution *fx_resolution_find(const char *s)
{
    const struct fx_resolution *r = fx_resolution_by_name(s);
    return r ? r : fx_resolution_by_stream(s);
}

int fx_resolution_is_rollup(const struct fx_resolution *r)
{
    return !r->custom_day && r->width_us == fx_rollup_width(r->rollup);
}

int64_t fx_rollup_width(enum fx_rollup rollup)
{
    static const int64_t widths[FX_ROLLUPS] = { MIN, HOUR, DAY };
    return rollup >= 0 && rollup < FX_ROLLUPS ? widths[rollup] : 0;
}

/* The two lists, written once from the table. */
static char names[256], stream_names[256];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void build_names(void)
{
    size_t n = 0, m = 0, streams = 0, k = 0;
    for (size_t i = 0; i < NTABLE; i++) streams += table[i].stream != NULL;
    for (size_t i = 0; i < NTABLE; i++) {
        if (!table[i].custom_day)
            n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", n ? ", " : "", table[i].name);
        if (table[i].stream) {
            k++;
            m += (size_t)snprintf(stream_names + m, sizeof stream_names - m, "%s%s", k == 1 ? "" : k == streams ? " or " : ", ",
                table[i].stream);
        }
    }
}

const char *fx_resolution_names(void)
{
    pthread_once(&names_once, build_names);
    return names;
}

const char *fx_resolution_stream_names(void)
{
    pthread_once(&names_once, build_names);
    return stream_names;
}
