/*
 * Lists of addresses, "tcp://core-0:5555,tcp://core-1:5555", as
 * FX_RPC_URL and FX_FEED_URL name every fx-core to use. Parsing only;
 * pure, any thread.
 */
#ifndef FX_BASE_URL_LIST_H
#define FX_BASE_URL_LIST_H

#include <stddef.h>

#define FX_URL_LIST_MAX 32 /* addresses in one list */
#define FX_URL_MAX 256 /* bytes of one address, with its NUL */

struct fx_url_list {
    size_t n;
    char url[FX_URL_LIST_MAX][FX_URL_MAX];
};

/* Splits `list` at commas, dropping the spaces around each address.
 * Returns 0 with *out (at least one address), or FX_EINVAL with the reason
 * in `err`: an empty list or address, more than FX_URL_LIST_MAX addresses,
 * one longer than FX_URL_MAX - 1 bytes, or the same address twice. */
int fx_url_list_parse(const char *list, struct fx_url_list *out, char *err, size_t errlen);

#endif
