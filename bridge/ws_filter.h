/* What one WebSocket client asked for: plain data, copied where needed. */
#ifndef FX_BRIDGE_WS_FILTER_H
#define FX_BRIDGE_WS_FILTER_H

#include "fx/limits.h"

enum fx_ws_stream { FX_WS_TICKS, FX_WS_OHLC };

/* What one client receives. */
struct fx_ws_filter {
    enum fx_ws_stream stream;
    char symbol[FX_SYMBOL_MAX + 1]; /* "" = every symbol (ticks only) */
    char resolution[16]; /* FX_WS_OHLC: minute, hour, day, custom-day */
    int closed_only; /* FX_WS_OHLC: only candles with complete = true */
    int replay; /* FX_WS_TICKS of one symbol: first the stored ticks after `since` (ws_replay.h) */
    long long since;
};

#endif
