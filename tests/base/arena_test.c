/* The per-request memory arena (base/arena.h). */
#include "base/arena.h"

#include <criterion/criterion.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

Test(arena, allocations_are_aligned_distinct_and_writable)
{
    struct fx_arena a = FX_ARENA_INIT;
    char *prev = NULL;
    for (size_t size = 1; size < 300; size += 7) {
        char *p = fx_arena_alloc(&a, size);
        cr_assert_not_null(p);
        cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0, "size %zu misaligned", size);
        memset(p, 0xab, size); /* ASan: the whole block is ours */
        if (prev) cr_assert(p >= prev + 1 || p < prev, "overlap");
        prev = p;
    }
    fx_arena_free(&a);
    cr_assert_null(a.chunks);
}

Test(arena, blocks_larger_than_a_chunk_and_many_small_ones)
{
    struct fx_arena a = FX_ARENA_INIT;
    size_t big = 1u << 20;
    unsigned char *p = fx_arena_alloc(&a, big);
    cr_assert_not_null(p);
    memset(p, 1, big);
    uint32_t *small[5000];
    for (uint32_t i = 0; i < 5000; i++) {
        small[i] = fx_arena_alloc(&a, sizeof **small);
        cr_assert_not_null(small[i]);
        *small[i] = i;
    }
    for (uint32_t i = 0; i < 5000; i++) cr_assert_eq(*small[i], i, "block %u overwritten", i);
    cr_assert_eq(p[big - 1], 1);
    fx_arena_free(&a);
    /* usable again after free */
    cr_assert_not_null(fx_arena_alloc(&a, 8));
    fx_arena_free(&a);
}

Test(arena, calloc_zeroes_and_refuses_overflow)
{
    struct fx_arena a = FX_ARENA_INIT;
    uint64_t *z = fx_arena_calloc(&a, 100, sizeof *z);
    cr_assert_not_null(z);
    for (int i = 0; i < 100; i++) cr_assert_eq(z[i], 0);
    cr_assert_null(fx_arena_calloc(&a, SIZE_MAX / 2, 4));
    cr_assert_null(fx_arena_alloc(&a, SIZE_MAX - 3));
    fx_arena_free(&a);
}
