/*
 * Percent-decoding of request paths and query values, for libmicrohttpd
 * (MHD_OPTION_UNESCAPE_CALLBACK). MHD's own decoder turns %00 into a NUL,
 * which cuts the value where the handlers read it ("ABC%00IGNORED" would
 * be read as "ABC" and accepted): here %00 stays as the three characters
 * it is, so the value fails its own validation with a clear error. Pure,
 * any thread.
 */
#ifndef FX_BRIDGE_UNESCAPE_H
#define FX_BRIDGE_UNESCAPE_H

#include <stddef.h>

struct MHD_Connection;

/* Decodes %XX (two hex digits) in `s` in place, except %00; anything else,
 * a lone or malformed % included, is kept. Returns the new length. */
size_t fx_unescape(char *s);

/* The MHD callback around fx_unescape. */
size_t fx_unescape_mhd(void *cls, struct MHD_Connection *conn, char *s);

#endif
