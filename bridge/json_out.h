/*
 * Building JSON response text. jansson parses requests; output is written
 * here because prices must print in the shortest round-trip form
 * (fxc_price_format), which jansson's "%.17g" does not do.
 */
#ifndef FX_BRIDGE_JSON_OUT_H
#define FX_BRIDGE_JSON_OUT_H

#include "fx/client.h"

#include <stddef.h>
#include <stdint.h>

struct fx_jbuf {
    char *data;
    size_t len, cap;
    int failed; /* out of memory: the text is incomplete */
};

void fx_jbuf_init(struct fx_jbuf *b);
void fx_jbuf_free(struct fx_jbuf *b);
/* Hands the text over (NUL-terminated, malloc'ed); NULL if building failed. */
char *fx_jbuf_take(struct fx_jbuf *b, size_t *len);

void fx_jbuf_raw(struct fx_jbuf *b, const char *s);
void fx_jbuf_printf(struct fx_jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fx_jbuf_string(struct fx_jbuf *b, const char *s); /* quoted and escaped */
void fx_jbuf_price(struct fx_jbuf *b, double price);
void fx_jbuf_time(struct fx_jbuf *b, int64_t time_us); /* quoted RFC 3339 */
void fx_jbuf_tick(struct fx_jbuf *b, const fxc_tick *t); /* {"symbol","time","price"} */
/* The fields of a tick or a candle without the braces, so that a WebSocket
 * frame can put "type" (and "resolution") in front. */
void fx_jbuf_tick_fields(struct fx_jbuf *b, const fxc_tick *t);
void fx_jbuf_candle_fields(struct fx_jbuf *b, const fxc_candle *c);

#endif
