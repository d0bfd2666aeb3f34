/*
 * The text forms of the public API (times, prices): thin wrappers over
 * base/, so that fxctl, the bridge and every C client write them as the
 * core reads them.
 */
#include "client/export.h"
#include "fx/client.h"

#include "base/price.h"
#include "base/rfc3339.h"

FXC_API int fxc_time_parse(const char *s, int64_t *out_us) { return fx_time_parse(s, out_us) == 0 ? 0 : -1; }

FXC_API char *fxc_time_format(int64_t us, char *buf) { return buf ? fx_time_format(us, buf) : NULL; }

FXC_API char *fxc_price_format(double price, char *buf) { return fx_price_format(price, buf); }
