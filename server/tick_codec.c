#include "server/tick_codec.h"

#include "base/errors.h"

#include <math.h>
#include <string.h>

#define VERSION 1
#define PRICE_DECIMAL 0
#define PRICE_XOR 1
#define SEQ_ZERO 0
#define SEQ_ARITH 1
#define SEQ_DELTA 2
#define XOR_SAME 0x80 /* control byte of an unchanged price: 8 leading zero bytes, no middle */
#define SCALE_MAX 9
#define M_LIMIT 9007199254740992.0 /* 2^53: beyond it doubles are not all integers */

/* Header (version, n), price mode and k, seq mode; then per tick at most 10 bytes of time,
 * 9 of price (8 for an m below 2^53 or its delta, 9 for a xor) and 10 of seq. */
#define BOUND_FIXED (1 + 10 + 2 + 1)
#define BOUND_PER_TICK (10 + 9 + 10)

/* Exact: every power of ten up to 1e22 is a double, so decode divides by the same value. */
static const double POW10[SCALE_MAX + 1] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/* Zigzag on the two's complement bits: small magnitudes of either sign become small numbers.
 * In uint64 throughout, so that no shift or negation of a signed value can be undefined. */
static inline uint64_t zz(uint64_t v) { return (v << 1) ^ (0 - (v >> 63)); }
static inline uint64_t unzz(uint64_t v) { return (v >> 1) ^ (0 - (v & 1)); }

/* uint64 -> int64 by the bits, without the implementation-defined conversion; compiles to nothing. */
static inline int64_t to_i64(uint64_t v) { return v <= INT64_MAX ? (int64_t)v : -(int64_t)~v - 1; }

static inline uint64_t f64_bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static inline double bits_f64(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A minimal varint of at most 10 bytes whose bits fit 64; -1 on truncation or anything else. */
static int get_varint_slow(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    size_t avail = (size_t)(end - p), max = avail < 10 ? avail : 10;
    uint64_t v = 0;
    for (size_t i = 0; i < max; i++) {
        uint8_t b = p[i];
        if (i == 9 && b > 1) return -1; /* the 10th byte holds bit 63 only */
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            if (b == 0 && i > 0) return -1; /* not minimal: the encoder never writes one */
            *pp = p + i + 1;
            *out = v;
            return 0;
        }
    }
    return -1;
}

/* The one-byte case inline: it is most of the prices and all the small deltas. */
static inline int get_varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
    const uint8_t *p = *pp;
    if (p < end && *p < 0x80) {
        *out = *p;
        *pp = p + 1;
        return 0;
    }
    return get_varint_slow(pp, end, out);
}

size_t fx_tick_chunk_bound(size_t n)
{
    if (n > (SIZE_MAX - BOUND_FIXED) / BOUND_PER_TICK) return SIZE_MAX;
    return BOUND_FIXED + BOUND_PER_TICK * n;
}

/* m such that m / 10^k may be p: llround(p * 10^k), inlined (the same for |x| < 2^53, which it
 * checks first so that the conversion is defined); 0 when p * 10^k is not below 2^53 or NaN. */
static inline int scaled(double p, int k, int64_t *m)
{
    double x = p * POW10[k];
    if (!(fabs(x) < M_LIMIT)) return 0;
    int64_t r = (int64_t)x; /* truncates; exact below 2^53 */
    double frac = x - (double)r;
    if (frac >= 0.5)
        r++;
    else if (frac <= -0.5)
        r--;
    if (r >= (int64_t)M_LIMIT || r <= -(int64_t)M_LIMIT) return 0;
    *m = r;
    return 1;
}

/* Bits, not ==: -0.0 must not become 0.0, and NaN never equals. */
static inline int decimal_exact(double p, int k, int64_t *m)
{
    if (!scaled(p, k, m)) return 0;
    double back = (double)*m / POW10[k];
    return f64_bits(back) == f64_bits(p);
}

/* The smallest k in 0..9 at which every price is decimal_exact, or -1. One pass moves k up
 * past each price that fails at it, so no smaller k can work; the encoding pass checks the
 * rest again at the final k (a price exact at k is exact at larger k except near 2^53). */
static int scale_candidate(const struct fx_tick *t, size_t n, int from)
{
    int k = from;
    int64_t m;
    for (size_t i = 0; i < n; i++) {
        while (!decimal_exact(t[i].price, k, &m))
            if (++k > SCALE_MAX) return -1;
    }
    return k;
}

/* Mode 0 at scale k from p on; NULL when some price is not exact at k. */
static uint8_t *put_decimal(const struct fx_tick *t, size_t n, int k, uint8_t *p)
{
    int64_t m, prev = 0;
    *p++ = PRICE_DECIMAL;
    *p++ = (uint8_t)k;
    for (size_t i = 0; i < n; i++) {
        if (!decimal_exact(t[i].price, k, &m)) return NULL;
        p = put_varint(p, zz((uint64_t)m - (uint64_t)prev)); /* |delta| < 2^54: no overflow */
        prev = m;
    }
    return p;
}

static uint8_t *put_xor(const struct fx_tick *t, size_t n, uint8_t *p)
{
    uint64_t prev = 0;
    *p++ = PRICE_XOR;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits = f64_bits(t[i].price), x = bits ^ prev;
        prev = bits;
        if (!x) {
            *p++ = XOR_SAME;
            continue;
        }
        int lz = __builtin_clzll(x) >> 3, tz = __builtin_ctzll(x) >> 3, mid = 8 - lz - tz;
        *p++ = (uint8_t)(lz << 4 | tz);
        x >>= 8 * tz;
        for (int j = 0; j < mid; j++, x >>= 8)
            *p++ = (uint8_t)x;
    }
    return p;
}

int fx_tick_chunk_encode(const struct fx_tick *t, size_t n, uint8_t *out, size_t cap, size_t *len)
{
    if (!t || !out || !len || n == 0) return FX_EINVAL;
    for (size_t i = 1; i < n; i++)
        if (t[i].time_us <= t[i - 1].time_us) return FX_EINVAL;
    size_t bound = fx_tick_chunk_bound(n);
    if (bound == SIZE_MAX || cap < bound) return FX_ETOOBIG;

    uint8_t *p = out;
    *p++ = VERSION;
    p = put_varint(p, n);

    /* times: increasing, so the first delta is positive in uint64 even across the whole int64 range */
    uint64_t prev = (uint64_t)t[0].time_us, delta = 0;
    p = put_varint(p, zz(prev));
    if (n > 1) {
        delta = (uint64_t)t[1].time_us - prev;
        prev = (uint64_t)t[1].time_us;
        p = put_varint(p, delta);
    }
    for (size_t i = 2; i < n; i++) {
        uint64_t cur = (uint64_t)t[i].time_us, d = cur - prev;
        p = put_varint(p, zz(d - delta));
        delta = d;
        prev = cur;
    }

    /* prices: a decimal scale if one fits all of them, else the xor of the bits */
    uint8_t *q = NULL;
    int k = scale_candidate(t, n, 0);
    while (k >= 0 && !(q = put_decimal(t, n, k, p)))
        k = k < SCALE_MAX ? scale_candidate(t, n, k + 1) : -1;
    p = q ? q : put_xor(t, n, p);

    /* seqs: none yet (0) or consecutive are the common cases, neither costs a byte per tick */
    int zero = 1, arith = 1;
    uint64_t s0 = (uint64_t)t[0].seq;
    for (size_t i = 0; i < n; i++) {
        uint64_t s = (uint64_t)t[i].seq;
        zero &= s == 0;
        arith &= s == s0 + i;
    }
    if (zero) {
        *p++ = SEQ_ZERO;
    } else if (arith) {
        *p++ = SEQ_ARITH;
        p = put_varint(p, zz(s0));
    } else {
        *p++ = SEQ_DELTA;
        uint64_t sp = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t s = (uint64_t)t[i].seq;
            p = put_varint(p, zz(s - sp));
            sp = s;
        }
    }
    *len = (size_t)(p - out);
    return 0;
}

/* The header: the count and where the columns start. The smallest columns are a byte per time,
 * a price mode byte with a byte per price, and a seq mode byte: 2 n + 2 bytes after the header.
 * Checked first, so that an absurd count is refused before it sizes anything. */
static int64_t read_header(const uint8_t *buf, size_t len, const uint8_t **cols)
{
    if (!buf || len < 1 || buf[0] != VERSION) return FX_EINVAL;
    const uint8_t *p = buf + 1, *end = buf + len;
    uint64_t n;
    if (get_varint(&p, end, &n) || n == 0) return FX_EINVAL;
    size_t rest = (size_t)(end - p);
    if (rest < 2 || (rest - 2) / 2 < n) return FX_EINVAL;
    *cols = p;
    return (int64_t)n;
}

int64_t fx_tick_chunk_count(const uint8_t *buf, size_t len)
{
    const uint8_t *cols;
    return read_header(buf, len, &cols);
}

int fx_tick_chunk_decode(const uint8_t *buf, size_t len, struct fx_tick *out, size_t cap)
{
    const uint8_t *p;
    int64_t count = read_header(buf, len, &p);
    if (count < 0) return (int)count;
    const uint8_t *end = buf + len;
    size_t n = (size_t)count;
    if (n > cap) return FX_ETOOBIG;
    if (!out) return FX_EINVAL;
    uint64_t v;

    /* times: each must be above the previous and within int64, as the encoder accepts only those */
    if (get_varint(&p, end, &v)) return FX_EINVAL;
    uint64_t t = unzz(v), delta = 0;
    out[0].time_us = to_i64(t);
    for (size_t i = 1; i < n; i++) {
        if (get_varint(&p, end, &v)) return FX_EINVAL;
        delta = i > 1 ? delta + unzz(v) : v; /* the first delta is plain, the rest are delta-of-deltas */
        /* INT64_MAX - t is exact in uint64; delta - 1 wraps for 0 */
        if (delta - 1 >= (uint64_t)INT64_MAX - t) return FX_EINVAL;
        t += delta;
        out[i].time_us = to_i64(t);
    }

    if (p >= end) return FX_EINVAL;
    uint8_t mode = *p++;
    if (mode == PRICE_DECIMAL) {
        if (p >= end || *p > SCALE_MAX) return FX_EINVAL;
        const double scale = POW10[*p++];
        uint64_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (get_varint(&p, end, &v)) return FX_EINVAL;
            m += unzz(v);
            /* |m| < 2^53, as encoded: (double)m is then exact, and the sum cannot overflow */
            if (m + ((1ULL << 53) - 1) >= (1ULL << 54) - 1) return FX_EINVAL;
            out[i].price = (double)to_i64(m) / scale;
        }
    } else if (mode == PRICE_XOR) {
        uint64_t prev = 0;
        for (size_t i = 0; i < n; i++) {
            if (p >= end) return FX_EINVAL;
            uint8_t c = *p++;
            if (c != XOR_SAME) {
                unsigned lz = c >> 4, tz = c & 15;
                if (lz + tz > 7) return FX_EINVAL;
                unsigned mid = 8 - lz - tz;
                if ((size_t)(end - p) < mid) return FX_EINVAL;
                uint64_t x = 0;
                for (unsigned j = 0; j < mid; j++)
                    x |= (uint64_t)p[j] << (8 * j);
                /* the counts are exact: the outer middle bytes are not 0 */
                if (!p[0] || !p[mid - 1]) return FX_EINVAL;
                p += mid;
                prev ^= x << (8 * tz);
            }
            out[i].price = bits_f64(prev);
        }
    } else {
        return FX_EINVAL;
    }

    if (p >= end) return FX_EINVAL;
    mode = *p++;
    if (mode == SEQ_ZERO) {
        for (size_t i = 0; i < n; i++)
            out[i].seq = 0;
    } else if (mode == SEQ_ARITH) {
        if (get_varint(&p, end, &v)) return FX_EINVAL;
        uint64_t s0 = unzz(v);
        for (size_t i = 0; i < n; i++)
            out[i].seq = to_i64(s0 + i);
    } else if (mode == SEQ_DELTA) {
        uint64_t s = 0;
        for (size_t i = 0; i < n; i++) {
            if (get_varint(&p, end, &v)) return FX_EINVAL;
            s += unzz(v);
            out[i].seq = to_i64(s);
        }
    } else {
        return FX_EINVAL;
    }
    return p == end ? 0 : FX_EINVAL;
}

/* Chainable: the state is seed ^ BASIS, so that 0 starts from a non-zero state (a zero
 * tick then still changes it) and the result of one call continues in the next. Each step
 * (h ^ w) * odd, then h ^ h >> 32, is a bijection of h for a given w, so that a change of
 * one word always changes the result. */
#define CHECK_BASIS 0xcbf29ce484222325ULL
#define CHECK_MUL 0x9e3779b97f4a7c15ULL

static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * CHECK_MUL;
    return h ^ (h >> 32);
}

uint64_t fx_tick_checksum(const struct fx_tick *t, size_t n, uint64_t seed_or_previous)
{
    uint64_t h = seed_or_previous ^ CHECK_BASIS;
    for (size_t i = 0; i < n; i++) {
        h = mix(h, (uint64_t)t[i].time_us);
        h = mix(h, f64_bits(t[i].price));
        h = mix(h, (uint64_t)t[i].seq);
    }
    return h ^ CHECK_BASIS;
}
