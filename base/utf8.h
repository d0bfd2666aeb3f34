/*
 * UTF-8 as RFC 3629 has it (no overlong forms, no surrogates, nothing above
 * U+10FFFF): the one check for strings from outside and for what we write
 * into JSON. Pure, any thread.
 */
#ifndef FX_BASE_UTF8_H
#define FX_BASE_UTF8_H

#include <stddef.h>

/* Bytes of the well-formed character at p (1..4; never more than `left`),
 * or 0 when the bytes there are not one. `left` > 0. */
size_t fx_utf8_char_len(const unsigned char *p, size_t left);

/* Whether s[0..n) is well-formed UTF-8 with no NUL byte. */
int fx_utf8_valid(const char *s, size_t n);

#endif
