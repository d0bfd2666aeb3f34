/*
 * Which days hold a symbol's seq numbers (migration 008: the table
 * tick_seq_days, kept by a trigger on ticks), so that a read "after seq N"
 * visits only the days that can answer it. Any thread that owns `db`.
 */
#ifndef FX_TICK_SEQ_DAYS_H
#define FX_TICK_SEQ_DAYS_H

#include "server/db.h"

#include <stddef.h>
#include <stdint.h>

struct fx_seq_day {
    int32_t day; /* UTC days since 1970-01-01 */
    int64_t min_seq;
};

/* The days of `symbol` holding a seq > after_seq, by min_seq (*days
 * malloc'ed, the caller frees it). Returns 0 or an FX_E* code. */
int fx_seq_days_after(struct fx_db *db, const char *symbol, int64_t after_seq, struct fx_seq_day **days, size_t *n,
    char *err, size_t errlen);

/* Sorts days[0..n) by day and cuts them into runs of consecutive days:
 * runs[i][0..1] = first and last day of run i; returns how many (<= n). */
size_t fx_seq_days_runs(int32_t *days, size_t n, int32_t (*runs)[2]);

#endif
