#include "bridge/unescape.h"

static int hex(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

size_t fx_unescape(char *s)
{
    char *out = s;
    for (const char *p = s; *p;) {
        int hi, lo;
        if (p[0] == '%' && (hi = hex(p[1])) >= 0 && (lo = hex(p[2])) >= 0 && (hi | lo) != 0) {
            *out++ = (char)(hi * 16 + lo);
            p += 3;
        } else {
            *out++ = *p++;
        }
    }
    *out = '\0';
    return (size_t)(out - s);
}

size_t fx_unescape_mhd(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls, (void)conn;
    return fx_unescape(s);
}
