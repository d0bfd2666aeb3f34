/*
 * A memory arena: many allocations, freed at once. One serves one request
 * (its unpacked message, its reply and the arrays the reply points to), so
 * a handler never frees piecemeal and nothing of a request outlives it.
 * An arena is used by one thread at a time.
 */
#ifndef FX_BASE_ARENA_H
#define FX_BASE_ARENA_H

#include <stddef.h>

struct fx_arena_chunk;

struct fx_arena {
    struct fx_arena_chunk *chunks; /* newest first */
    char *next, *end; /* free space in the newest chunk */
};

#define FX_ARENA_INIT { NULL, NULL, NULL }

/* Memory for `size` bytes, aligned for any type, or NULL when out of memory.
 * Lives until fx_arena_free. */
void *fx_arena_alloc(struct fx_arena *a, size_t size);

/* Zeroed memory for `n` elements of `size` bytes (NULL on overflow). */
void *fx_arena_calloc(struct fx_arena *a, size_t n, size_t size);

/* Frees everything allocated from `a`; it can be used again. */
void fx_arena_free(struct fx_arena *a);

#endif
