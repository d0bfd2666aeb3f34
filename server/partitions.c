#include "server/partitions.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sorted set of day numbers whose partition is known to exist. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int32_t *cache;
static size_t cache_len, cache_cap;

int32_t fx_day_of(int64_t time_us)
{
    int64_t rem;
    return (int32_t)fx_floor_divmod(time_us, FX_US_PER_DAY, &rem);
}

static int cmp_day(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void fx_days_sort(int32_t *days, size_t n) { qsort(days, n, sizeof *days, cmp_day); }

static size_t lower_bound(int32_t day)
{
    size_t lo = 0, hi = cache_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cache[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int cache_has(int32_t day)
{
    pthread_mutex_lock(&cache_lock);
    size_t i = lower_bound(day);
    int found = i < cache_len && cache[i] == day;
    pthread_mutex_unlock(&cache_lock);
    return found;
}

static void cache_add(int32_t day)
{
    pthread_mutex_lock(&cache_lock);
    size_t i = lower_bound(day);
    if (!(i < cache_len && cache[i] == day)) {
        if (cache_len == cache_cap) {
            size_t cap = cache_cap ? cache_cap * 2 : 64;
            int32_t *p = realloc(cache, cap * sizeof *p);
            if (p == NULL) { /* a cache miss only costs a round trip */
                pthread_mutex_unlock(&cache_lock);
                return;
            }
            cache = p, cache_cap = cap;
        }
        memmove(cache + i + 1, cache + i, (cache_len - i) * sizeof *cache);
        cache[i] = day;
        cache_len++;
    }
    pthread_mutex_unlock(&cache_lock);
}

void fx_partitions_forget(void)
{
    pthread_mutex_lock(&cache_lock);
    cache_len = 0;
    pthread_mutex_unlock(&cache_lock);
}

const char *fx_partition_suffix(int32_t day, char out[FX_PARTITION_SUFFIX_MAX])
{
    char text[FX_DAY_TEXT_MAX];
    fx_day_text(day, text);
    snprintf(out, FX_PARTITION_SUFFIX_MAX, "%.4s%.2s%.2s", text, text + 5, text + 8);
    return out;
}

static int create_day(struct fx_db *db, int32_t day, char *err, size_t errlen)
{
    char sql[128], name[FX_DAY_TEXT_MAX];
    snprintf(sql, sizeof sql, "SELECT fx_ensure_tick_partition(date '1970-01-01' + %d)", (int)day);
    PGresult *res = PQexec(db->conn, sql);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fx_db_error(db, res, err, errlen);
    else if (PQgetvalue(res, 0, 0)[0] == 't')
        fx_info("partitions", "created the tick partition of %s", fx_day_text(day, name));
    PQclear(res);
    if (rc == 0) cache_add(day);
    return rc;
}

size_t fx_days_touched(const struct fx_tick *t, size_t n)
{
    int32_t *days = malloc((n ? n : 1) * sizeof *days);
    if (days == NULL) return SIZE_MAX;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t d = fx_day_of(t[i].time_us);
        if (m == 0 || days[m - 1] != d) days[m++] = d; /* ticks come in time order mostly */
    }
    fx_days_sort(days, m);
    size_t distinct = 0;
    for (size_t i = 0; i < m; i++) distinct += i == 0 || days[i] != days[i - 1];
    free(days);
    return distinct;
}

int fx_partitions_ensure(struct fx_db *db, int32_t *days, size_t n, char *err, size_t errlen)
{
    fx_days_sort(days, n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && days[i] == days[i - 1]) continue;
        if (cache_has(days[i])) continue;
        int rc = create_day(db, days[i], err, errlen);
        if (rc) return rc;
    }
    return 0;
}

int fx_partitions_ensure_range(struct fx_db *db, int32_t first, int32_t last, char *err, size_t errlen)
{
    for (int32_t d = first; d <= last; d++) {
        if (cache_has(d)) continue;
        int rc = create_day(db, d, err, errlen);
        if (rc) return rc;
    }
    return 0;
}

int fx_partitions_days(struct fx_db *db, int32_t first, int32_t last, int32_t **days, size_t *n, char *err,
    size_t errlen)
{
    char sql[192];
    snprintf(sql, sizeof sql,
        "SELECT DISTINCT day - date '1970-01-01' FROM fx_day_partitions"
        " WHERE day BETWEEN date '1970-01-01' + %d AND date '1970-01-01' + %d ORDER BY 1",
        (int)first, (int)last);
    PGresult *res = PQexec(db->conn, sql);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t rows = (size_t)PQntuples(res);
    int32_t *d = malloc((rows ? rows : 1) * sizeof *d);
    if (d == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) d[i] = (int32_t)strtol(PQgetvalue(res, (int)i, 0), NULL, 10);
    PQclear(res);
    *days = d;
    *n = rows;
    return 0;
}
