#include "server/symbol_list.h"

#include "base/errors.h"
#include "server/pg_codec.h"

#include <stdio.h>
#include <string.h>

static int symbol_list_prepare(struct fx_db *db, char *err, size_t errlen)
{
    static const Oid types[1] = { 20 /* int8 */ };
    return fx_db_prepare(db, "symbols_list",
        "SELECT c.symbol, min(c.first_time), max(c.last_time), sum(c.tick_count)::int8 FROM candles_1d c"
        " WHERE NOT EXISTS (SELECT 1 FROM tick_days d WHERE d.state = 'sealed'"
        "                   AND d.day = (c.bucket AT TIME ZONE 'UTC')::date)"
        " GROUP BY c.symbol HAVING sum(c.tick_count) > 0 ORDER BY c.symbol LIMIT $1",
        1, types, err, errlen);
}

FX_DB_SETUP(symbol_list_prepare)

int fx_symbols_list(struct fx_db *db, uint32_t limit, struct fx_arena *arena, struct fx_symbol_info **out, size_t *n,
    char *err, size_t errlen)
{
    char lim[8];
    fx_pg_put_i64(lim, limit);
    const char *values[1] = { lim };
    const int lengths[1] = { 8 }, formats[1] = { 1 };
    PGresult *res = PQexecPrepared(db->conn, "symbols_list", 1, values, lengths, formats, 1);
    int rc = fx_db_rows(db, res, err, errlen);
    if (rc) return rc;
    size_t rows = (size_t)PQntuples(res);
    struct fx_symbol_info *s = fx_arena_calloc(arena, rows ? rows : 1, sizeof *s);
    if (s == NULL) {
        PQclear(res);
        return FX_ENOMEM;
    }
    for (size_t i = 0; i < rows; i++) {
        int r = (int)i;
        snprintf(s[i].symbol, sizeof s[i].symbol, "%.*s", PQgetlength(res, r, 0), PQgetvalue(res, r, 0));
        s[i].first_time_us = fx_pg_get_time(PQgetvalue(res, r, 1));
        s[i].last_time_us = fx_pg_get_time(PQgetvalue(res, r, 2));
        s[i].tick_count = (uint64_t)fx_pg_get_i64(PQgetvalue(res, r, 3));
    }
    PQclear(res);
    *out = s;
    *n = rows;
    return 0;
}
