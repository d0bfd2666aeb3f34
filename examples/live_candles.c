/*
 * live_candles: prints a symbol's minute candles as they change, from the
 * live feed of the cores in FX_FEED_URL (libfxclient).
 *   live_candles [SYMBOL [COUNT]]     COUNT: stop after that many (0: never)
 * Build: cc live_candles.c $(pkg-config --cflags --libs fxclient)
 */
#include <fx/client.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *symbol = argc > 1 ? argv[1] : "EURUSD";
    long count = argc > 2 ? atol(argv[2]) : 0;
    fxc_feed *feed;
    fxc_err err;
    if (fxc_feed_open(NULL, &feed, &err) != FXC_OK) {
        fprintf(stderr, "live_candles: %s\n", err.message);
        return 1;
    }
    int rc = fxc_feed_subscribe_candles(feed, "minute", symbol, &err);
    for (long n = 0; rc == FXC_OK && (count == 0 || n < count);) {
        fxc_event ev;
        rc = fxc_feed_next(feed, 1000, &ev, &err);
        if (rc == FXC_DEADLINE_EXCEEDED) rc = FXC_OK; /* quiet: wait on */
        if (rc != FXC_OK || ev.kind != FXC_EVENT_CANDLE) continue;
        char bucket[FXC_TIME_STR_MAX];
        const fxc_candle *c = &ev.candle;
        printf("%s %s open %.5f high %.5f low %.5f close %.5f ticks %llu%s\n", c->symbol,
            fxc_time_format(c->bucket_us, bucket), c->open, c->high, c->low, c->close,
            (unsigned long long)c->tick_count, c->complete ? " complete" : "");
        fflush(stdout);
        n++;
    }
    if (rc != FXC_OK) fprintf(stderr, "live_candles: %s\n", err.message);
    fxc_feed_close(feed);
    return rc == FXC_OK ? 0 : 1;
}
