#include "tickgen/walk.h"

#include "base/errors.h"

#include <math.h>
#include <string.h>

static const struct {
    const char *symbol;
    double price;
} starts[] = {
    { "EURUSD", 1.08 },
    { "GBPUSD", 1.27 },
    { "USDJPY", 150.0 },
    { "AUDUSD", 0.66 },
    { "NZDUSD", 0.61 },
    { "USDCHF", 0.88 },
    { "USDCAD", 1.36 },
    { "EURGBP", 0.85 },
    { "EURJPY", 162.0 },
    { "GBPJPY", 190.0 },
};

static int quoted_in_yen(const char *symbol)
{
    size_t n = strlen(symbol);
    return n > 3 && strcmp(symbol + n - 3, "JPY") == 0;
}

int fxtg_pair_decimals(const char *symbol) { return quoted_in_yen(symbol) ? 3 : 5; }

double fxtg_pair_start_price(const char *symbol)
{
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (strcmp(symbol, starts[i].symbol) == 0) return starts[i].price;
    /* a yen pair at 1.000 would move in steps of 0.1 % */
    return quoted_in_yen(symbol) ? 100.0 : 1.0;
}

/* splitmix64: tiny, fast, and every seed (even 0) gives a good stream. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() below stays finite. */
static double uniform(uint64_t *s) { return ((next_u64(s) >> 11) + 1) * 0x1.0p-53; }

/* Box-Muller; one of the pair is enough at these rates. */
static double normal(uint64_t *s)
{
    double u1 = uniform(s), u2 = uniform(s);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

int fxtg_walk_init(struct fxtg_walk *w, const char *const *symbols, size_t n, double sigma, uint64_t seed)
{
    if (n == 0 || n > FXTG_WALK_MAX || !(sigma > 0 && sigma < 0.1)) return FX_EINVAL;
    struct fxtg_walk_symbol *sym = w->sym;
    for (size_t i = 0; i < n; i++) {
        if (strlen(symbols[i]) > FX_SYMBOL_MAX) return FX_EINVAL;
        strcpy(sym[i].symbol, symbols[i]);
        sym[i].price = fxtg_pair_start_price(symbols[i]);
        sym[i].decimals = fxtg_pair_decimals(symbols[i]);
    }
    w->rng = seed;
    w->sigma = sigma;
    w->n = n;
    return 0;
}

double fxtg_walk_next(struct fxtg_walk *w, size_t i)
{
    struct fxtg_walk_symbol *s = &w->sym[i];
    /* |z| < 9 always (53-bit uniforms), so one step is within exp(+-0.9):
     * the price stays finite and > 0. */
    s->price *= exp(w->sigma * normal(&w->rng));
    double scale = pow(10, s->decimals);
    double p = round(s->price * scale) / scale;
    return p > 0 ? p : 1 / scale; /* after a long fall: one pip, never 0 */
}
