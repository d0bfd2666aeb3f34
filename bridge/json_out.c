#include "bridge/json_out.h"

#include "base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_jbuf_init(struct fx_jbuf *b) { memset(b, 0, sizeof *b); }

void fx_jbuf_free(struct fx_jbuf *b)
{
    free(b->data);
    fx_jbuf_init(b);
}

static int reserve(struct fx_jbuf *b, size_t extra);

char *fx_jbuf_take(struct fx_jbuf *b, size_t *len)
{
    if (b->data == NULL && reserve(b, 0) == 0) b->data[0] = '\0'; /* an empty text */
    if (b->failed) {
        fx_jbuf_free(b);
        return NULL;
    }
    char *s = b->data;
    if (len) *len = b->len;
    fx_jbuf_init(b);
    return s;
}

static int reserve(struct fx_jbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = p, b->cap = cap;
    return 0;
}

static void append(struct fx_jbuf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void fx_jbuf_raw(struct fx_jbuf *b, const char *s) { append(b, s, strlen(s)); }

void fx_jbuf_printf(struct fx_jbuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        append(b, small, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void fx_jbuf_string(struct fx_jbuf *b, const char *s)
{
    append(b, "\"", 1);
    /* Valid UTF-8 whatever `s` holds (it may echo a client's bytes): a byte
     * that starts no well-formed character becomes U+FFFD. */
    const unsigned char *run = (const unsigned char *)s, *p = run;
    size_t left = strlen(s);
    while (*p) {
        size_t k = *p < 0x80 ? 1 : fx_utf8_char_len(p, left);
        if (k > 1 || (k == 1 && *p != '"' && *p != '\\' && *p >= 0x20)) {
            p += k, left -= k;
            continue;
        }
        append(b, (const char *)run, (size_t)(p - run)); /* the plain run before it */
        char esc[8];
        if (k == 0)
            snprintf(esc, sizeof esc, "\\ufffd");
        else if (*p == '"' || *p == '\\')
            esc[0] = '\\', esc[1] = (char)*p, esc[2] = '\0';
        else
            snprintf(esc, sizeof esc, "\\u%04x", *p);
        append(b, esc, strlen(esc));
        p++, left--;
        run = p;
    }
    append(b, (const char *)run, (size_t)(p - run));
    append(b, "\"", 1);
}

void fx_jbuf_price(struct fx_jbuf *b, double price)
{
    char buf[FXC_PRICE_STR_MAX];
    fx_jbuf_raw(b, fxc_price_format(price, buf));
}

void fx_jbuf_time(struct fx_jbuf *b, int64_t time_us)
{
    char buf[FXC_TIME_STR_MAX];
    fx_jbuf_string(b, fxc_time_format(time_us, buf));
}

void fx_jbuf_tick_fields(struct fx_jbuf *b, const fxc_tick *t)
{
    fx_jbuf_raw(b, "\"symbol\":");
    fx_jbuf_string(b, t->symbol);
    fx_jbuf_raw(b, ",\"time\":");
    fx_jbuf_time(b, t->time_us);
    fx_jbuf_raw(b, ",\"price\":");
    fx_jbuf_price(b, t->price);
}

void fx_jbuf_tick(struct fx_jbuf *b, const fxc_tick *t)
{
    fx_jbuf_raw(b, "{");
    fx_jbuf_tick_fields(b, t);
    fx_jbuf_raw(b, "}");
}

void fx_jbuf_candle_fields(struct fx_jbuf *b, const fxc_candle *c)
{
    const struct {
        const char *key;
        double value;
    } prices[] = { { ",\"open\":", c->open }, { ",\"high\":", c->high }, { ",\"low\":", c->low },
        { ",\"close\":", c->close } };
    fx_jbuf_raw(b, "\"bucket\":");
    fx_jbuf_time(b, c->bucket_us);
    fx_jbuf_raw(b, ",\"symbol\":");
    fx_jbuf_string(b, c->symbol);
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        fx_jbuf_raw(b, prices[i].key);
        fx_jbuf_price(b, prices[i].value);
    }
    fx_jbuf_printf(b, ",\"tick_count\":%llu,\"complete\":%s", (unsigned long long)c->tick_count,
        c->complete ? "true" : "false");
}
