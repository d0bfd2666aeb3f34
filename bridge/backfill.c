#include "bridge/backfill.h"

#include "base/calendar.h"
#include "base/errors.h"
#include "base/log.h"
#include "base/mailbox.h"
#include "base/resolution.h"
#include "base/worker.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define POLL_MS 250 /* how often a waiting thread looks at its stop flag */

struct request {
    struct fx_mail mail;
    enum fx_backfill_kind kind;
    char stream[16];
    int day_start_minute;
    char symbol[FXC_SYMBOL_MAX + 1]; /* "": every symbol (a start) */
    int64_t after_seq;
    uint64_t client;
};

struct fx_backfill {
    fxc *core;
    void (*done)(void *arg, struct fx_backfill_result *r);
    void *arg;
    struct fx_mailbox requests;
    struct fx_thread thread;
};

#define CANDLES_BACK 3 /* buckets re-read: the current one and those a takeover may have left open */

static int latest_candles(struct fx_backfill *b, const struct request *q, fxc_candle **out, size_t *n, fxc_err *e)
{
    const struct fx_resolution *r = fx_resolution_by_stream(q->stream);
    if (r == NULL) {
        *out = NULL, *n = 0;
        return FXC_OK;
    }
    int64_t now = fx_now_us();
    fxc_candle_query cq = { .symbol = q->symbol,
        .resolution = r->name,
        .start_us = now - CANDLES_BACK * r->width_us,
        .end_us = now + r->width_us,
        .day_start_minute = r->custom_day ? q->day_start_minute : 0,
        .limit = CANDLES_BACK + 2 };
    return fxc_candles_get(b->core, &cq, out, n, e);
}

static void answer(struct fx_backfill *b, const struct request *q)
{
    struct fx_backfill_result *r = calloc(1, sizeof *r);
    if (r == NULL) return; /* the hub asks again after its fetch timeout */
    snprintf(r->symbol, sizeof r->symbol, "%s", q->symbol);
    r->after_seq = q->after_seq;
    r->client = q->client;
    r->kind = q->kind;
    snprintf(r->stream, sizeof r->stream, "%s", q->stream);
    fxc_err e;
    int rc;
    if (q->kind == FX_BACKFILL_CANDLES) {
        rc = latest_candles(b, q, &r->candles, &r->ncandles, &e);
        if (rc != FXC_OK) fx_warn("ws", "cannot re-read the %s candles of %s: %s", q->stream, q->symbol, e.message);
        r->failed = rc != FXC_OK;
        b->done(b->arg, r);
        return;
    }
    if (q->kind == FX_BACKFILL_START) {
        const char *one[1] = { q->symbol };
        rc = fxc_last_seqs(b->core, one, q->symbol[0] ? 1 : 0, &r->seqs, &r->nseqs, &e);
        if (rc != FXC_OK) fx_warn("ws", "cannot learn where the ticks of %s stand: %s", q->symbol[0] ? q->symbol : "every symbol",
            e.message);
        r->failed = rc != FXC_OK;
        b->done(b->arg, r);
        return;
    }
    rc = FXC_OK;
    if (q->kind == FX_BACKFILL_REPLAY) { /* the bound is checked against this before anything is sent */
        const char *one[1] = { q->symbol };
        fxc_symbol_seq *seqs;
        size_t n;
        if ((rc = fxc_last_seqs(b->core, one, 1, &seqs, &n, &e)) == FXC_OK) {
            r->stored_last = n > 0 ? seqs[0].last_seq : 0;
            fxc_last_seqs_free(seqs);
        }
    }
    if (rc == FXC_OK) rc = fxc_ticks_after(b->core, q->symbol, q->after_seq, FX_BACKFILL_LIMIT, &r->ticks, &r->n, &e);
    if (rc != FXC_OK) {
        fx_warn("ws", "cannot read back the ticks of %s after %lld: %s", q->symbol, (long long)q->after_seq, e.message);
        r->failed = 1;
    } else if (r->n > 0) {
        fx_debug("ws", "read back %zu ticks of %s after %lld", r->n, q->symbol, (long long)q->after_seq);
    }
    b->done(b->arg, r);
}

static void backfill_main(void *arg)
{
    struct fx_backfill *b = arg;
    while (!fx_thread_stopping(&b->thread)) {
        struct pollfd p = { .fd = fx_mailbox_fd(&b->requests), .events = POLLIN };
        if (poll(&p, 1, POLL_MS) <= 0) continue;
        struct fx_mail *mail = fx_mailbox_drain(&b->requests);
        while (mail) {
            struct request *q = FX_MAIL_ITEM(mail, struct request, mail);
            mail = mail->next;
            if (!fx_thread_stopping(&b->thread)) answer(b, q);
            free(q);
        }
    }
}

int fx_backfill_create(struct fx_backfill **out, const char *rpc_url, int timeout_ms,
    void (*done)(void *arg, struct fx_backfill_result *r), void *arg, char *err, size_t errlen)
{
    struct fx_backfill *b = calloc(1, sizeof *b);
    if (b == NULL) return FX_ENOMEM;
    b->done = done, b->arg = arg;
    fxc_err e;
    if (fxc_open(rpc_url, &b->core, &e) != FXC_OK) {
        snprintf(err, errlen, "FX_RPC_URL: %s", e.message);
        free(b);
        return FX_ECONFIG;
    }
    fxc_set_timeout(b->core, timeout_ms);
    if (fx_mailbox_init(&b->requests) != 0 || fx_thread_start(&b->thread, backfill_main, b) != 0) {
        snprintf(err, errlen, "cannot start the read-back thread");
        fx_mailbox_destroy(&b->requests);
        fxc_close(b->core);
        free(b);
        return FX_ENOMEM;
    }
    *out = b;
    return 0;
}

void fx_backfill_destroy(struct fx_backfill *b)
{
    if (b == NULL) return;
    fx_mailbox_close(&b->requests);
    fx_thread_stop(&b->thread);
    struct fx_mail *mail = fx_mailbox_drain(&b->requests);
    while (mail) {
        struct request *q = FX_MAIL_ITEM(mail, struct request, mail);
        mail = mail->next;
        free(q);
    }
    fx_mailbox_destroy(&b->requests);
    fxc_close(b->core);
    free(b);
}

static int post(struct fx_backfill *b, enum fx_backfill_kind kind, const char *symbol, int64_t after_seq,
    const char *stream, int day_start_minute, uint64_t client)
{
    struct request *q = calloc(1, sizeof *q);
    if (q == NULL) return -1;
    q->kind = kind;
    snprintf(q->stream, sizeof q->stream, "%s", stream ? stream : "");
    q->day_start_minute = day_start_minute;
    snprintf(q->symbol, sizeof q->symbol, "%s", symbol ? symbol : "");
    q->after_seq = after_seq;
    q->client = client;
    if (fx_mailbox_post(&b->requests, &q->mail, NULL) != 0) {
        free(q);
        return -1;
    }
    return 0;
}

int fx_backfill_request(struct fx_backfill *b, const char *symbol, int64_t after_seq)
{
    return post(b, FX_BACKFILL_TICKS, symbol, after_seq, NULL, 0, 0);
}

int fx_backfill_start(struct fx_backfill *b, const char *symbol)
{
    return post(b, FX_BACKFILL_START, symbol, 0, NULL, 0, 0);
}

int fx_backfill_candles(struct fx_backfill *b, const char *stream, const char *symbol, int custom_day_start_minute)
{
    return post(b, FX_BACKFILL_CANDLES, symbol, 0, stream, custom_day_start_minute, 0);
}

int fx_backfill_replay(struct fx_backfill *b, const char *symbol, int64_t after_seq, uint64_t client)
{
    return post(b, FX_BACKFILL_REPLAY, symbol, after_seq, NULL, 0, client);
}

void fx_backfill_result_free(struct fx_backfill_result *r)
{
    if (r == NULL) return;
    fxc_ticks_free(r->ticks);
    fxc_last_seqs_free(r->seqs);
    fxc_candles_free(r->candles);
    free(r);
}
