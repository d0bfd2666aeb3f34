/*
 * The compact columnar encoding of one chunk of one symbol's ticks: n ticks
 * sorted by time_us (strictly increasing), their symbol not stored (the
 * caller keeps it beside the blob). About 4 bytes a tick for a 5-decimal
 * random walk with consecutive seqs, at most 29 for any input.
 *
 * Format, version 1 (the version byte comes first so that it can evolve):
 *   version byte, varint n (>= 1), then three columns:
 *   times:  zigzag varint of the first, varint of the first delta, then
 *           zigzag varints of the delta-of-deltas (uint64 wraparound);
 *   prices: mode byte; 0 = scaled decimal: a byte k (0..9), zigzag varint
 *           of the first m = price * 10^k, then zigzag varint deltas of m,
 *           each price being exactly (double)m / 10^k; 1 = xor: per price a
 *           control byte (leading zero bytes of bits ^ previous bits in the
 *           high nibble, trailing zero bytes in the low; 0x80 = no change),
 *           then the middle bytes, least significant first;
 *   seqs:   mode byte; 0 = all 0; 1 = seq[0] + i, with a zigzag varint of
 *           seq[0]; 2 = zigzag varint deltas from the previous (first from 0).
 * Varints are LEB128: 7 bits a byte, least significant first, minimal.
 *
 * Pure; any thread. The caller owns every buffer: the codec allocates
 * nothing and keeps no pointer.
 */
#ifndef FX_TICK_CODEC_H
#define FX_TICK_CODEC_H

#include "fx/tick.h"

#include <stddef.h>
#include <stdint.h>

/* Upper bound of the bytes fx_tick_chunk_encode writes for n ticks
 * (SIZE_MAX when that does not fit a size_t). */
size_t fx_tick_chunk_bound(size_t n);

/* Encodes t[0..n) into out (cap bytes, >= fx_tick_chunk_bound(n)); *len gets the size.
 * FX_EINVAL when n is 0 or the times are not strictly increasing, FX_ETOOBIG when cap
 * is below the bound. The symbols are not looked at. */
int fx_tick_chunk_encode(const struct fx_tick *t, size_t n, uint8_t *out, size_t cap, size_t *len);

/* The tick count a blob holds (reads only its header), or a negative FX_EINVAL if the
 * blob is malformed. The count never exceeds len, so it can size a buffer. */
int64_t fx_tick_chunk_count(const uint8_t *buf, size_t len);

/* Decodes a blob into out[0..count) (count = fx_tick_chunk_count); writes time_us, price
 * and seq only (the symbol field is left as it was). FX_EINVAL on any malformed, truncated
 * or trailing input: never reads out of bounds, never writes more than `cap` ticks
 * (FX_ETOOBIG if count > cap). On failure out[0..cap) may be partly written. */
int fx_tick_chunk_decode(const uint8_t *buf, size_t len, struct fx_tick *out, size_t cap);

/* An order-dependent 64-bit checksum of (time_us, price bits, seq) of t[0..n), for
 * verifying that a chunk decodes to exactly its source rows. Chainable: start with 0
 * and pass the previous result, checksum(a ++ b, 0) == checksum(b, checksum(a, 0));
 * n = 0 returns seed_or_previous. A change of one field always changes it. */
uint64_t fx_tick_checksum(const struct fx_tick *t, size_t n, uint64_t seed_or_previous);

#endif
