/* Counting a field in a message's wire bytes (proto/wire.c). */
#include "proto/wire.h"

#include "fx/v1/rpc.pb-c.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(wire);

Test(wire, counts_the_ticks_of_a_packed_bulk_request_and_nothing_else)
{
    Fx__V1__Tick t[3], *tp[3];
    for (int i = 0; i < 3; i++) {
        fx__v1__tick__init(&t[i]);
        t[i].symbol = "EURUSD", t[i].time_us = 1000 + i, t[i].price = 1.1;
        tp[i] = &t[i];
    }
    Fx__V1__BulkCreateTicksRequest bulk = FX__V1__BULK_CREATE_TICKS_REQUEST__INIT;
    bulk.n_ticks = 3, bulk.ticks = tp;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    req.id = 77, req.op_case = FX__V1__REQUEST__OP_BULK_CREATE_TICKS, req.bulk_create_ticks = &bulk;
    uint8_t buf[512];
    size_t len = fx__v1__request__pack(&req, buf);
    static const uint32_t ticks[] = { 11, 1 }, symbols[] = { 17, 1 }, ids[] = { 1 };
    size_t n = 99;
    cr_assert_eq(fx_wire_count(buf, len, ticks, 2, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(fx_wire_count(buf, len, symbols, 2, &n), 0);
    cr_assert_eq(n, 0, "another operation's field");
    cr_assert_eq(fx_wire_count(buf, len, ids, 1, &n), 0);
    cr_assert_eq(n, 1);
}

Test(wire, malformed_bytes_are_refused)
{
    static const uint32_t ticks[] = { 11, 1 };
    size_t n;
    const uint8_t too_long[] = { (11 << 3) | 2, 0x7f, 0x0a }; /* claims 127 bytes, has 1 */
    cr_assert_eq(fx_wire_count(too_long, sizeof too_long, ticks, 2, &n), -1);
    const uint8_t group[] = { (11 << 3) | 3 };
    cr_assert_eq(fx_wire_count(group, sizeof group, ticks, 2, &n), -1);
    const uint8_t cut_varint[] = { 0x08, 0xff };
    cr_assert_eq(fx_wire_count(cut_varint, sizeof cut_varint, ticks, 2, &n), -1);
    cr_assert_eq(fx_wire_count(NULL, 0, ticks, 2, &n), 0);
    cr_assert_eq(n, 0);
}

/* A packed CreateTick request whose symbol's 4th byte is then replaced. */
static size_t create_tick_with(uint8_t *buf, size_t cap, uint8_t byte)
{
    Fx__V1__Tick t = FX__V1__TICK__INIT;
    t.symbol = "RPCxXYZ", t.time_us = 1000, t.price = 1.5;
    Fx__V1__CreateTickRequest op = FX__V1__CREATE_TICK_REQUEST__INIT;
    op.tick = &t;
    Fx__V1__Request req = FX__V1__REQUEST__INIT;
    req.op_case = FX__V1__REQUEST__OP_CREATE_TICK, req.create_tick = &op;
    cr_assert_leq(fx__v1__request__get_packed_size(&req), cap);
    size_t len = fx__v1__request__pack(&req, buf);
    uint8_t *x = memchr(buf, 'x', len);
    cr_assert_not_null(x);
    *x = byte;
    return len;
}

Test(wire, strings_with_a_nul_or_bad_utf8_are_found_with_their_field_name)
{
    uint8_t buf[256];
    char field[64] = "";
    size_t len = create_tick_with(buf, sizeof buf, 'x');
    cr_assert_eq(fx_wire_check_strings(buf, len, &fx__v1__request__descriptor, field, sizeof field), 0);
    len = create_tick_with(buf, sizeof buf, 0);
    cr_assert_eq(fx_wire_check_strings(buf, len, &fx__v1__request__descriptor, field, sizeof field), -1);
    cr_assert_str_eq(field, "symbol");
    len = create_tick_with(buf, sizeof buf, 0xff);
    cr_assert_eq(fx_wire_check_strings(buf, len, &fx__v1__request__descriptor, field, sizeof field), -1);
    cr_assert_str_eq(field, "symbol");
}
