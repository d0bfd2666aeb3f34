/*
 * Group commit: many single-tick writes (creates, price updates, deletes,
 * each its own request) in one transaction with one fsync. Each keeps its
 * own answer: a create of a stored tick is FX_EEXIST for that write alone,
 * an edit of a missing tick FX_ENOTFOUND alone. The writes take effect in
 * the order given (a create then an update of the same tick finds it), and
 * per symbol the created ticks get their seqs in that order.
 *
 * Called on the thread that owns `db` (server/db.h).
 */
#ifndef FX_TICK_GROUP_H
#define FX_TICK_GROUP_H

#include "server/db.h"
#include "server/request_keys.h"
#include "server/tick_store.h"

#include <stddef.h>

enum fx_group_kind { FX_GROUP_CREATE, FX_GROUP_UPDATE, FX_GROUP_DELETE };

struct fx_group_op {
    enum fx_group_kind kind;
    struct fx_tick tick; /* symbol and time; price for a create or an update; validated */
    struct fx_request_key key; /* client 0: none */
    /* the answer, once fx_ticks_write_group returned 0 */
    int rc; /* 0, FX_EEXIST (create) or FX_ENOTFOUND (update, delete) */
    int replayed; /* a resend of a request that ran already: rc is that run's answer */
};

/* op->rc with its message in `err` (the wording of a write alone). */
int fx_group_op_error(const struct fx_group_op *op, char *err, size_t errlen);

/* Runs ops[0..n) in one transaction. Returns 0 once it committed, with each
 * op's answer in its rc and in `out` the ticks created and the candles they
 * changed (for the live feed; fx_write_free it, also after a failure).
 * Otherwise nothing of it is stored: the caller runs each op alone (its own
 * transaction gives it its own error, such as a sealed day). */
int fx_ticks_write_group(
    struct fx_db *db, struct fx_group_op *ops, size_t n, struct fx_write *out, char *err, size_t errlen);

#endif
