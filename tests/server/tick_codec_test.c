/*
 * The columnar tick chunk codec (pure): bit-exact round trips and sizes of
 * realistic and random chunks, the price scales and seq modes chosen, times
 * across the whole int64 range, the strict decoder (every truncation,
 * flipped header bytes, overlong varints, garbage) and the checksum. The
 * data comes from a fixed-seed splitmix64, so that a failure reproduces.
 */
#include "server/tick_codec.h"

#include "base/errors.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, 8);
    return d;
}

static struct fx_tick tk(int64_t t, double p, int64_t seq)
{
    struct fx_tick x = { .time_us = t, .price = p, .seq = seq };
    snprintf(x.symbol, sizeof x.symbol, "EURUSD");
    return x;
}

/* Encodes into a buffer of exactly the bound, which the caller frees. */
static uint8_t *encode(const struct fx_tick *t, size_t n, size_t *len)
{
    size_t cap = fx_tick_chunk_bound(n);
    uint8_t *buf = malloc(cap);
    cr_assert_not_null(buf);
    cr_assert_eq(fx_tick_chunk_encode(t, n, buf, cap, len), 0);
    cr_assert(*len > 0 && *len <= cap, "len %zu, bound %zu", *len, cap);
    return buf;
}

/* Encodes and decodes t[0..n) (from an exact-size copy, so that ASan sees any overread) and
 * checks every field bit for bit, the symbols left as they were and the checksums; the size. */
static size_t round_trip(const struct fx_tick *t, size_t n)
{
    size_t len;
    uint8_t *buf = encode(t, n, &len);
    uint8_t *exact = malloc(len);
    cr_assert_not_null(exact);
    memcpy(exact, buf, len);
    free(buf);
    cr_assert_eq(fx_tick_chunk_count(exact, len), (int64_t)n);
    struct fx_tick *out = malloc(n * sizeof *out);
    cr_assert_not_null(out);
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0xa5, sizeof out[i]);
        snprintf(out[i].symbol, sizeof out[i].symbol, "KEEP");
    }
    cr_assert_eq(fx_tick_chunk_decode(exact, len, out, n), 0);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(out[i].time_us, t[i].time_us, "tick %zu of %zu", i, n);
        cr_assert_eq(
            bits(out[i].price), bits(t[i].price), "tick %zu: %.17g != %.17g", i, out[i].price, t[i].price);
        cr_assert_eq(out[i].seq, t[i].seq, "tick %zu", i);
        cr_assert_str_eq(out[i].symbol, "KEEP");
    }
    cr_assert_eq(fx_tick_checksum(out, n, 0), fx_tick_checksum(t, n, 0));
    free(out);
    free(exact);
    return len;
}

/* Sum of the chunk sizes of t[0..n) cut into chunks of `chunk`, each round-tripped. */
static size_t round_trip_chunks(const struct fx_tick *t, size_t n, size_t chunk)
{
    size_t total = 0;
    for (size_t at = 0; at < n; at += chunk)
        total += round_trip(t + at, n - at < chunk ? n - at : chunk);
    return total;
}

/* A day-like stream: one tick every period_us at a random microsecond of its period, a
 * 5-decimal random walk moving 0..30 units of 1e-5 a tick, consecutive seqs. */
static struct fx_tick *walk(size_t n, int64_t period_us)
{
    struct fx_tick *t = malloc(n * sizeof *t);
    cr_assert_not_null(t);
    int64_t units = 108500, t0 = 1700000000LL * 1000000;
    for (size_t i = 0; i < n; i++) {
        int64_t step = (int64_t)(rnd() % 31);
        units += rnd() & 1 ? step : -step;
        if (units < 1000) units = 1000;
        t[i] = tk(t0 + (int64_t)i * period_us + (int64_t)(rnd() % (uint64_t)period_us), (double)units / 1e5,
            1 + (int64_t)i);
    }
    return t;
}

Test(tick_codec, one_tick_a_second_random_walk_takes_at_most_6_bytes_a_tick)
{
    rng_state = 1;
    size_t n = 86400;
    struct fx_tick *t = walk(n, 1000000);
    size_t total = round_trip_chunks(t, n, 1000);
    double per = (double)total / (double)n;
    cr_log_info("1 tick/s: %.3f bytes a tick", per);
    cr_assert(per <= 6.0, "%.3f bytes a tick", per);
    free(t);
}

Test(tick_codec, ten_ticks_a_second_round_trip_compactly)
{
    rng_state = 2;
    size_t n = 100000;
    struct fx_tick *t = walk(n, 100000);
    size_t total = round_trip_chunks(t, n, 1000);
    double per = (double)total / (double)n;
    cr_log_info("10 ticks/s: %.3f bytes a tick", per);
    cr_assert(per <= 6.0, "%.3f bytes a tick", per);
    free(t);
}

Test(tick_codec, random_finite_positive_doubles_take_at_most_19_bytes_a_tick)
{
    rng_state = 3;
    size_t n = 50000;
    struct fx_tick *t = malloc(n * sizeof *t);
    cr_assert_not_null(t);
    int64_t time = -5000000000LL;
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        do
            b = rnd() & 0x7fffffffffffffffULL; /* positive */
        while ((b >> 52) == 0x7ff || b == 0); /* finite, not zero */
        time += 1 + (int64_t)(rnd() % 1000000);
        t[i] = tk(time, from_bits(b), 1000 + (int64_t)i);
    }
    size_t total = round_trip_chunks(t, n, 1000);
    double per = (double)total / (double)n;
    cr_log_info("random doubles: %.3f bytes a tick", per);
    cr_assert(per <= 19.0, "%.3f bytes a tick", per);
    free(t);
}

Test(tick_codec, any_bit_pattern_round_trips_including_nan_infinity_and_signed_zero)
{
    rng_state = 4;
    const uint64_t special[] = { 0, 0x8000000000000000ULL, 0x7ff0000000000000ULL, 0xfff0000000000000ULL,
        0x7ff8000000000000ULL, 0x7ff0000000000001ULL, 0xfff8000000000123ULL, 1, 0x000fffffffffffffULL,
        0xffffffffffffffffULL, 0x00000000000000ffULL, 0xff00000000000000ULL };
    size_t ns = sizeof special / sizeof special[0], n = 3000;
    struct fx_tick t[3000];
    for (size_t i = 0; i < n; i++) {
        uint64_t b = i < ns ? special[i] : rnd() % 4 == 0 ? special[rnd() % ns] : rnd();
        t[i] = tk((int64_t)i * 7 - 9000, from_bits(b), (int64_t)rnd());
    }
    round_trip(t, n);
    for (size_t i = 0; i < ns; i++)
        round_trip(t + i, 1);
}

/* With times 0, 1, 2, ... and fewer than 128 ticks the times column is one byte a tick:
 * the price mode byte is at 2 + n, the scale after it. */
static void expect_price_mode(const double *prices, size_t n, int mode, int k)
{
    struct fx_tick t[64];
    cr_assert(n <= 64);
    for (size_t i = 0; i < n; i++)
        t[i] = tk((int64_t)i, prices[i], 0);
    size_t len;
    uint8_t *buf = encode(t, n, &len);
    cr_assert_eq(buf[2 + n], mode, "prices[0] %.17g: mode %d, want %d", prices[0], buf[2 + n], mode);
    if (mode == 0)
        cr_assert_eq(buf[3 + n], k, "prices[0] %.17g: scale %d, want %d", prices[0], buf[3 + n], k);
    free(buf);
    round_trip(t, n);
}

Test(tick_codec, prices_take_the_smallest_decimal_scale_that_fits_all_else_xor)
{
    expect_price_mode((double[]) { 1, 2, 150, 1000000, 7 }, 5, 0, 0);
    expect_price_mode((double[]) { 1, 0.5, 2 }, 3, 0, 1);
    expect_price_mode((double[]) { 1.25, 1.5, 99.99 }, 3, 0, 2);
    expect_price_mode((double[]) { 1.5, 2.25, 3.125 }, 3, 0, 3);
    expect_price_mode((double[]) { 1.08501, 1.08502, 1.085, 150.12345 }, 4, 0, 5);
    expect_price_mode((double[]) { 0.123456789, 1.000000001, 2 }, 3, 0, 9);
    expect_price_mode((double[]) { 1.085, 0.1 + 0.2 }, 2, 1, 0);
    expect_price_mode((double[]) { 1e-10 }, 1, 1, 0); /* ten decimals */
    expect_price_mode((double[]) { 1e300 }, 1, 1, 0); /* beyond 2^53 at every scale */
    expect_price_mode((double[]) { 1e15 + 0.5 }, 1, 1, 0); /* 1e16 at scale 1 is past 2^53 */
    expect_price_mode((double[]) { 9007199254740991.0 }, 1, 0, 0); /* 2^53 - 1 */
    expect_price_mode((double[]) { 9007199254740992.0 }, 1, 1, 0); /* 2^53 */
    expect_price_mode((double[]) { 5e-324 }, 1, 1, 0);
    expect_price_mode((double[]) { -0.0 }, 1, 1, 0); /* not 0.0 */
    expect_price_mode((double[]) { 0.0, -2.5 }, 2, 0, 1);
    expect_price_mode((double[]) { 1.1, 1.1, 1.1 }, 3, 0, 1);
    expect_price_mode((double[]) { 1.15, 0.29, 0.57 }, 3, 0, 2); /* p * 100 is just below an integer */
    expect_price_mode((double[]) { -1.15, -0.29, 0.57 }, 3, 0, 2);
}

/* The seq mode byte of t[0..n): the columns before it are those of the same ticks with seq 0,
 * whose last byte is the mode. */
static int seq_mode(const struct fx_tick *t, size_t n)
{
    struct fx_tick z[16];
    cr_assert(n <= 16);
    memcpy(z, t, n * sizeof *t);
    for (size_t i = 0; i < n; i++)
        z[i].seq = 0;
    size_t len0, len;
    uint8_t *b0 = encode(z, n, &len0), *b = encode(t, n, &len);
    cr_assert_eq(b0[len0 - 1], 0);
    int mode = b[len0 - 1];
    cr_assert_eq(memcmp(b0, b, len0 - 1), 0);
    free(b0);
    free(b);
    round_trip(t, n);
    return mode;
}

Test(tick_codec, seqs_all_zero_arithmetic_or_arbitrary)
{
    struct fx_tick t[8];
    for (int i = 0; i < 8; i++)
        t[i] = tk(1000 + i * 1000, 1.5 + i, 0);
    cr_assert_eq(seq_mode(t, 8), 0);
    cr_assert_eq(seq_mode(t, 1), 0);

    for (int i = 0; i < 8; i++)
        t[i].seq = 42 + i;
    cr_assert_eq(seq_mode(t, 8), 1);
    cr_assert_eq(seq_mode(t, 1), 1);
    for (int i = 0; i < 8; i++)
        t[i].seq = -3 + i; /* through 0 */
    cr_assert_eq(seq_mode(t, 8), 1);
    for (int i = 0; i < 8; i++)
        t[i].seq = INT64_MAX - 7 + i;
    cr_assert_eq(seq_mode(t, 8), 1);

    /* late ticks, negative deltas, the extremes */
    int64_t any[8] = { 5, 3, 10, -7, INT64_MIN, INT64_MAX, 0, 1 };
    for (int i = 0; i < 8; i++)
        t[i].seq = any[i];
    cr_assert_eq(seq_mode(t, 8), 2);
    int64_t gap[8] = { 1, 2, 3, 5, 6, 7, 8, 9 };
    for (int i = 0; i < 8; i++)
        t[i].seq = gap[i];
    cr_assert_eq(seq_mode(t, 8), 2);
    int64_t zero_first[8] = { 0, 0, 1, 2, 3, 4, 5, 6 };
    for (int i = 0; i < 8; i++)
        t[i].seq = zero_first[i];
    cr_assert_eq(seq_mode(t, 8), 2);
}

Test(tick_codec, times_across_the_whole_int64_range_round_trip)
{
    int64_t times[] = { INT64_MIN, INT64_MIN + 1, INT64_MIN + 2, -1577923200000000LL /* 1920 */,
        -86400000000LL, -1, 0, 1, 1700000000000000LL, INT64_MAX - 2, INT64_MAX - 1, INT64_MAX };
    size_t n = sizeof times / sizeof times[0];
    struct fx_tick t[16];
    for (size_t i = 0; i < n; i++)
        t[i] = tk(times[i], 1.085, (int64_t)i + 1);
    round_trip(t, n);
    for (size_t i = 0; i < n; i++) {
        round_trip(t + i, 1);
        if (i + 1 < n) round_trip(t + i, 2);
    }
    struct fx_tick ends[2] = { tk(INT64_MIN, 1.0, 1), tk(INT64_MAX, 2.0, 2) }; /* a delta of 2^64 - 1 */
    round_trip(ends, 2);
    struct fx_tick zigzag[4] = { tk(INT64_MIN, 1, 0), tk(INT64_MAX - 1, 1, 0), tk(INT64_MAX, 1, 0) };
    round_trip(zigzag, 3); /* the delta-of-delta wraps */
}

Test(tick_codec, encode_refuses_no_ticks_times_not_increasing_and_a_small_buffer)
{
    struct fx_tick t[3] = { tk(10, 1, 1), tk(20, 1, 2), tk(30, 1, 3) };
    uint8_t buf[256];
    size_t len = 12345;
    cr_assert_eq(fx_tick_chunk_encode(t, 0, buf, sizeof buf, &len), FX_EINVAL);
    t[1].time_us = 10;
    cr_assert_eq(fx_tick_chunk_encode(t, 3, buf, sizeof buf, &len), FX_EINVAL, "equal times");
    t[1].time_us = 40;
    cr_assert_eq(fx_tick_chunk_encode(t, 3, buf, sizeof buf, &len), FX_EINVAL, "decreasing times");
    t[1].time_us = 20;
    cr_assert_eq(fx_tick_chunk_encode(t, 3, buf, fx_tick_chunk_bound(3) - 1, &len), FX_ETOOBIG);
    cr_assert_eq(len, 12345, "len is written only on success");
    cr_assert_eq(fx_tick_chunk_encode(t, 3, buf, fx_tick_chunk_bound(3), &len), 0);
    cr_assert_eq(fx_tick_chunk_bound(SIZE_MAX), SIZE_MAX);
}

static int decode_copy(const uint8_t *buf, size_t len, size_t cap)
{
    uint8_t *exact = len ? malloc(len) : NULL;
    if (len) memcpy(exact, buf, len);
    struct fx_tick *out = malloc((cap ? cap : 1) * sizeof *out);
    cr_assert_not_null(out);
    int rc = fx_tick_chunk_decode(exact, len, out, cap);
    free(out);
    free(exact);
    return rc;
}

/* Valid blobs of each price and seq mode. */
static uint8_t *sample(int which, size_t *n, size_t *len)
{
    rng_state = 10 + (uint64_t)which;
    static struct fx_tick t[300];
    *n = 300;
    struct fx_tick *w = walk(*n, 1000000);
    memcpy(t, w, sizeof t);
    free(w);
    for (size_t i = 0; i < *n; i++) {
        if (which == 1) t[i].price = from_bits(rnd()); /* xor */
        if (which == 1) t[i].seq = (int64_t)rnd(); /* deltas */
        if (which == 2) t[i].seq = 0;
    }
    return encode(t, *n, len);
}

Test(tick_codec, every_truncation_and_a_trailing_byte_are_refused)
{
    for (int which = 0; which < 3; which++) {
        size_t n, len;
        uint8_t *buf = sample(which, &n, &len);
        cr_assert_eq(decode_copy(buf, len, n), 0);
        for (size_t cut = 0; cut < len; cut++)
            cr_assert_eq(decode_copy(buf, cut, n), FX_EINVAL, "sample %d cut at %zu of %zu", which, cut, len);
        uint8_t *longer = malloc(len + 1);
        memcpy(longer, buf, len);
        longer[len] = 0;
        cr_assert_eq(decode_copy(longer, len + 1, n), FX_EINVAL, "sample %d: a trailing byte", which);
        free(longer);
        free(buf);
    }
}

Test(tick_codec, flipped_header_bytes_unknown_modes_and_a_small_cap_are_refused)
{
    size_t n, len;
    uint8_t *buf = sample(0, &n, &len); /* n = 300: a two-byte count */
    cr_assert_eq(decode_copy(buf, len, n), 0);
    cr_assert_eq(decode_copy(buf, len, n - 1), FX_ETOOBIG);
    cr_assert_eq(decode_copy(buf, len, 0), FX_ETOOBIG);
    cr_assert_eq(fx_tick_chunk_count(buf, len), 300);

    uint8_t *c = malloc(len);
    const uint8_t versions[] = { 0, 2, 0x81, 0xff };
    for (size_t i = 0; i < sizeof versions; i++) {
        memcpy(c, buf, len);
        c[0] = versions[i];
        cr_assert_eq(decode_copy(c, len, n), FX_EINVAL);
        cr_assert_eq(fx_tick_chunk_count(c, len), FX_EINVAL);
    }
    for (int d = -2; d <= 2; d++) { /* the count, one and two off */
        if (!d) continue;
        memcpy(c, buf, len);
        uint64_t m = 300 + (uint64_t)(int64_t)d;
        c[1] = (uint8_t)(m | 0x80), c[2] = (uint8_t)(m >> 7);
        cr_assert_eq(decode_copy(c, len, 1000), FX_EINVAL, "count %d", (int)m);
    }
    memcpy(c, buf, len);
    c[1] = 0x80, c[2] = 0x00; /* a count 0, not minimal either */
    cr_assert_eq(decode_copy(c, len, n), FX_EINVAL);

    /* the price column follows the times: find its mode byte by decoding the times' length */
    struct fx_tick only[300];
    rng_state = 10;
    struct fx_tick *w = walk(n, 1000000);
    memcpy(only, w, sizeof only);
    free(w);
    for (size_t i = 0; i < n; i++)
        only[i].price = 1, only[i].seq = 0;
    size_t len2;
    uint8_t *b2 = encode(only, n, &len2); /* prices: mode, k 0, m 1 (zigzag 2), 299 zero deltas; seq mode */
    size_t at = len2 - 1 - n - 2; /* the price mode byte */
    cr_assert_eq(b2[at], 0);
    cr_assert_eq(b2[at + 1], 0);
    cr_assert_eq(b2[at + 2], 2);
    cr_assert_eq(decode_copy(b2, len2, n), 0);
    const struct {
        size_t off;
        uint8_t v;
    } flips[] = {
        { at, 2 },
        { at, 0xff },
        { at + 1, 10 },
        { at + 1, 0xff },
        { len2 - 1, 3 },
        { len2 - 1, 0xff },
    };
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++) {
        uint8_t *d = malloc(len2);
        memcpy(d, b2, len2);
        d[flips[i].off] = flips[i].v;
        cr_assert_eq(decode_copy(d, len2, n), FX_EINVAL, "byte %zu = %d", flips[i].off, flips[i].v);
        free(d);
    }
    free(b2);
    free(c);
    free(buf);
}

Test(tick_codec, overlong_varints_bad_times_and_absurd_counts_are_refused)
{
    /* one tick at time 0, price 1.0 as decimal k 0 (m 1 = zigzag 2), no seq */
    const uint8_t ok[] = { 1, 1, 0, 0, 0, 2, 0 };
    cr_assert_eq(decode_copy(ok, sizeof ok, 1), 0);
    const uint8_t xor_ok[] = { 1, 1, 0, 1, 0x80, 0 }; /* price +0.0 as an unchanged xor */
    cr_assert_eq(decode_copy(xor_ok, sizeof xor_ok, 1), 0);

    const uint8_t not_minimal[] = { 1, 1, 0x80, 0x00, 0, 0, 2, 0 };
    const uint8_t eleven[]
        = { 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 2, 0 };
    const uint8_t bit_64[] = { 1, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 2, 0 };
    const uint8_t scale_10[] = { 1, 1, 0, 0, 10, 2, 0 };
    const uint8_t m_2_53[]
        = { 1, 1, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0 }; /* zigzag 2^54 */
    const uint8_t xor_9[] = { 1, 1, 0, 1, 0x45, 1, 0 }; /* 4 + 5 zero bytes */
    const uint8_t xor_8[] = { 1, 2, 0, 1, 1, 0x44, 0x80, 0 }; /* no middle, yet not 0x80 */
    const uint8_t xor_zero_edge[] = { 1, 1, 0, 1, 0x06, 0x00, 1, 0 }; /* the lowest middle byte 0 */
    const uint8_t xor_short[] = { 1, 1, 0, 1, 0x00, 1, 2, 3, 0 }; /* 8 bytes promised */
    const uint8_t seq_short[] = { 1, 1, 0, 0, 0, 2, 1 };
    const uint8_t no_count[] = { 1, 0, 0, 0, 0, 2, 0 };
    /* two ticks: INT64_MAX then one more microsecond; then a zero delta */
    const uint8_t past_max[]
        = { 1, 2, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 1, 0x80, 0x80, 0 };
    const uint8_t same_time[] = { 1, 2, 0, 0, 1, 0x80, 0x80, 0 };
    const uint8_t ok_two[] = { 1, 2, 0, 1, 1, 0x80, 0x80, 0 };
    cr_assert_eq(decode_copy(ok_two, sizeof ok_two, 2), 0);
    /* a count of 2^63 in a short blob, and one just above what the bytes can hold */
    const uint8_t huge[] = { 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0 };
    const uint8_t three_in_seven[] = { 1, 3, 0, 1, 0, 0x80, 0 };
    const struct {
        const uint8_t *b;
        size_t len;
        const char *what;
    } bad[] = {
        { not_minimal, sizeof not_minimal, "not minimal" },
        { eleven, sizeof eleven, "11 bytes" },
        { bit_64, sizeof bit_64, "bit 64" },
        { scale_10, sizeof scale_10, "scale 10" },
        { m_2_53, sizeof m_2_53, "m 2^53" },
        { xor_9, sizeof xor_9, "xor 9 zero bytes" },
        { xor_8, sizeof xor_8, "xor 8 zero bytes as 4 + 4" },
        { xor_zero_edge, sizeof xor_zero_edge, "xor not exact" },
        { xor_short, sizeof xor_short, "xor truncated" },
        { seq_short, sizeof seq_short, "seq truncated" },
        { no_count, sizeof no_count, "count 0" },
        { past_max, sizeof past_max, "past INT64_MAX" },
        { same_time, sizeof same_time, "same time" },
        { huge, sizeof huge, "count 2^63" },
        { three_in_seven, sizeof three_in_seven, "3 ticks in 5 bytes" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(decode_copy(bad[i].b, bad[i].len, 4), FX_EINVAL, "%s", bad[i].what);
    cr_assert_eq(fx_tick_chunk_count(huge, sizeof huge), FX_EINVAL);
    cr_assert_eq(fx_tick_chunk_count(three_in_seven, sizeof three_in_seven), FX_EINVAL);
    cr_assert_eq(fx_tick_chunk_count(NULL, 0), FX_EINVAL);
    cr_assert_eq(fx_tick_chunk_decode(NULL, 0, NULL, 0), FX_EINVAL);
}

Test(tick_codec, garbage_is_refused_without_a_crash)
{
    rng_state = 20;
    uint8_t g[64];
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rnd() % sizeof g);
        for (size_t i = 0; i < len; i++)
            g[i] = (uint8_t)rnd();
        if (len > 0 && round % 2) g[0] = 1; /* past the version check */
        if (len > 1 && round % 4 == 1) g[1] = (uint8_t)(1 + rnd() % 8);
        cr_assert_eq(decode_copy(g, len, 64), FX_EINVAL, "round %d", round);
    }
}

Test(tick_codec, checksum_chains_and_sees_every_change)
{
    rng_state = 30;
    size_t n = 1000;
    struct fx_tick *t = walk(n, 1000000);
    uint64_t whole = fx_tick_checksum(t, n, 0);
    for (size_t cut = 0; cut <= n; cut += 37) {
        uint64_t a = fx_tick_checksum(t, cut, 0);
        cr_assert_eq(fx_tick_checksum(t + cut, n - cut, a), whole, "cut at %zu", cut);
    }
    uint64_t chained = 0;
    for (size_t at = 0; at < n; at += 100)
        chained = fx_tick_checksum(t + at, 100, chained);
    cr_assert_eq(chained, whole);
    cr_assert_eq(fx_tick_checksum(t, 0, 77), 77);
    cr_assert_neq(whole, 0);

    struct fx_tick saved = t[500];
    t[500].price = from_bits(bits(t[500].price) ^ 1);
    cr_assert_neq(fx_tick_checksum(t, n, 0), whole, "one price bit");
    t[500] = saved;
    t[500].price = from_bits(bits(t[500].price) ^ 0x8000000000000000ULL);
    cr_assert_neq(fx_tick_checksum(t, n, 0), whole, "the sign bit");
    t[500] = saved;
    t[500].time_us++;
    cr_assert_neq(fx_tick_checksum(t, n, 0), whole, "one time");
    t[500] = saved;
    t[500].seq++;
    cr_assert_neq(fx_tick_checksum(t, n, 0), whole, "one seq");
    t[500] = saved;
    snprintf(t[500].symbol, sizeof t[500].symbol, "GBPUSD");
    cr_assert_eq(fx_tick_checksum(t, n, 0), whole, "the symbol is not part of it");
    t[500] = saved;
    t[500] = t[501], t[501] = saved;
    cr_assert_neq(fx_tick_checksum(t, n, 0), whole, "two ticks swapped");
    t[501] = t[500], t[500] = saved;
    cr_assert_eq(fx_tick_checksum(t, n, 0), whole);

    struct fx_tick zero = { 0 };
    cr_assert_neq(fx_tick_checksum(&zero, 1, whole), whole, "an all-zero tick still counts");
    cr_assert_neq(fx_tick_checksum(&zero, 1, 0), 0);
    free(t);
}
