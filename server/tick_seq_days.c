#include "server/tick_seq_days.h"

#include "base/errors.h"
#include "server/partitions.h"
#include "server/pg_codec.h"

#include <stdlib.h>
#include <string.h>

static int tick_seq_days_prepare(struct fx_db *db, char *err, size_t errlen)
{
    static const Oid types[2] = { 25 /* text */, 20 /* int8 */ };
    return fx_db_prepare(db, "seq_days_after",
        "SELECT day, min_seq FROM tick_seq_days WHERE symbol = $1 AND max_seq > $2 ORDER BY min_seq, day", 2, types,
        err, errlen);
}

FX_DB_SETUP(tick_seq_days_prepare)

int fx_seq_days_after(struct fx_db *db, const char *symbol, int64_t after_seq, struct fx_seq_day **days, size_t *n,
    char *err, size_t errlen)
{
    char seq[8];
    fx_pg_put_i64(seq, after_seq);
    const char *values[2] = { symbol, seq };
    const int lengths[2] = { (int)strlen(symbol), 8 }, formats[2] = { 0, 1 };
    PGresult *res = PQexecPrepared(db->conn, "seq_days_after", 2, values, lengths, formats, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t rows = (size_t)PQntuples(res);
    struct fx_seq_day *d = malloc((rows ? rows : 1) * sizeof *d);
    if (d == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) {
        d[i].day = fx_pg_get_i32(PQgetvalue(res, (int)i, 0));
        d[i].min_seq = fx_pg_get_i64(PQgetvalue(res, (int)i, 1));
    }
    PQclear(res);
    *days = d;
    *n = rows;
    return 0;
}

size_t fx_seq_days_runs(int32_t *days, size_t n, int32_t (*runs)[2])
{
    fx_days_sort(days, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && days[i] <= runs[m - 1][1] + 1) {
            if (days[i] > runs[m - 1][1]) runs[m - 1][1] = days[i];
            continue;
        }
        runs[m][0] = runs[m][1] = days[i];
        m++;
    }
    return m;
}
