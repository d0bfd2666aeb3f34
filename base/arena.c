#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (16 * 1024) /* a small request fits in one chunk */

struct fx_arena_chunk {
    struct fx_arena_chunk *next;
    alignas(max_align_t) char data[];
};

#define ALIGN (alignof(max_align_t))

void *fx_arena_alloc(struct fx_arena *a, size_t size)
{
    size_t rounded = (size + ALIGN - 1) & ~(ALIGN - 1);
    if (rounded < size) return NULL; /* overflow */
    if ((size_t)(a->end - a->next) < rounded || a->next == NULL) {
        size_t cap = rounded > CHUNK_MIN ? rounded : CHUNK_MIN;
        struct fx_arena_chunk *c = malloc(sizeof *c + cap);
        if (c == NULL) return NULL;
        c->next = a->chunks;
        a->chunks = c;
        a->next = c->data;
        a->end = c->data + cap;
    }
    void *p = a->next;
    a->next += rounded;
    return p;
}

void *fx_arena_calloc(struct fx_arena *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size) return NULL;
    void *p = fx_arena_alloc(a, n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void fx_arena_free(struct fx_arena *a)
{
    struct fx_arena_chunk *c = a->chunks;
    while (c) {
        struct fx_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->chunks = NULL;
    a->next = a->end = NULL;
}
