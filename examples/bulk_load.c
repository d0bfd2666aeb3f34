/*
 * bulk_load: stores the ticks of a file ("SYMBOL,TIME,PRICE" lines, TIME in
 * RFC 3339) through the cores in FX_RPC_URL, 10 000 per transaction
 * (libfxclient), and prints how many were new.
 *   bulk_load FILE        (- reads standard input)
 * Build: cc bulk_load.c $(pkg-config --cflags --libs fxclient)
 */
#include <fx/client.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 10000

static int flush(fxc *c, fxc_tick *t, size_t *n, unsigned long long *created, unsigned long long *dups)
{
    uint64_t made = 0, skipped = 0;
    fxc_err err;
    if (*n && fxc_ticks_bulk(c, t, *n, &made, &skipped, &err) != FXC_OK) {
        fprintf(stderr, "bulk_load: %s%s%s\n", err.message, err.field[0] ? " at " : "", err.field);
        return -1;
    }
    *created += made, *dups += skipped, *n = 0;
    return 0;
}

int main(int argc, char **argv)
{
    FILE *in = argc > 1 && strcmp(argv[1], "-") != 0 ? fopen(argv[1], "r") : stdin;
    fxc *c;
    fxc_err err;
    if (in == NULL || fxc_open(NULL, &c, &err) != FXC_OK) {
        fprintf(stderr, "bulk_load: %s\n", in ? err.message : "cannot open the file");
        return 1;
    }
    static fxc_tick batch[BATCH];
    size_t n = 0;
    unsigned long long created = 0, dups = 0, line = 0;
    char text[256], symbol[64], when[64];
    int rc = 0;
    while (rc == 0 && fgets(text, sizeof text, in)) {
        line++;
        fxc_tick *t = &batch[n];
        memset(t, 0, sizeof *t);
        if (sscanf(text, "%63[^,],%63[^,],%lf", symbol, when, &t->price) != 3 || strlen(symbol) > FXC_SYMBOL_MAX
            || fxc_time_parse(when, &t->time_us) != 0) {
            fprintf(stderr, "bulk_load: line %llu: expected SYMBOL,TIME,PRICE\n", line);
            rc = -1;
            break;
        }
        memcpy(t->symbol, symbol, strlen(symbol) + 1); /* checked: at most FXC_SYMBOL_MAX */
        if (++n == BATCH) rc = flush(c, batch, &n, &created, &dups);
    }
    if (rc == 0) rc = flush(c, batch, &n, &created, &dups);
    if (rc == 0) printf("%llu ticks stored, %llu already there\n", created, dups);
    fxc_close(c);
    if (in != stdin) fclose(in);
    return rc == 0 ? 0 : 1;
}
