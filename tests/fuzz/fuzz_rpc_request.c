/* fx-core's RPC input before any handler runs (server/handlers.c order):
 * the repeated-field counts and the string check on the wire
 * (proto/wire.c), then protobuf-c's unpack, on any bytes: no sanitizer
 * report, and the tick count of the pre-check bounds what protobuf-c
 * unpacks. */
#include "fx/v1/rpc.pb-c.h"
#include "proto/wire.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t bulk_ticks[] = { 11, 1 };
    size_t count;
    fx_wire_count(data, size, bulk_ticks, 2, &count);
    char field[64];
    fx_wire_check_strings(data, size, &fx__v1__request__descriptor, field, sizeof field);
    Fx__V1__Request *req = fx__v1__request__unpack(NULL, size, data);
    if (req) {
        if (req->op_case == FX__V1__REQUEST__OP_BULK_CREATE_TICKS && req->bulk_create_ticks
            && fx_wire_count(data, size, bulk_ticks, 2, &count) == 0 && count < req->bulk_create_ticks->n_ticks)
            abort(); /* the pre-check that bounds allocation never counts fewer ticks than protobuf-c unpacks
                      * (more is fine: a repeated oneof member that a later one replaced was counted too) */
        fx__v1__request__free_unpacked(req, NULL);
    }
    return 0;
}
