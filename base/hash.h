/*
 * FNV-1a, the one hash of the in-memory tables (the bridge's per-symbol tick
 * order, its candle buckets). Start from FX_HASH_INIT and fold in each part of
 * the key. Pure; any thread.
 */
#ifndef FX_HASH_H
#define FX_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FX_HASH_INIT 1469598103934665603ULL

static inline uint64_t fx_hash_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static inline uint64_t fx_hash_str(uint64_t h, const char *s)
{
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

#endif
