/* A tick as the server modules pass it around (validated, normalised). */
#ifndef FX_TICK_H
#define FX_TICK_H

#include "server/validate.h"

#include <stdint.h>

struct fx_tick {
    char symbol[FX_SYMBOL_MAX + 1];
    int64_t time_us; /* microseconds since the Unix epoch, UTC */
    double price;
};

#endif
