/*
 * Prometheus metrics of fx-bridge: requests by route, method and status, a
 * latency histogram per route, and core round-trip errors by status.
 * Fixed-size tables (routes are a small closed set), one mutex.
 */
#ifndef FX_BRIDGE_METRICS_H
#define FX_BRIDGE_METRICS_H

#include <stddef.h>

void fx_metrics_observe(const char *route, const char *method, unsigned status, double seconds);
void fx_metrics_core_error(const char *status_name);
/* The text exposition format; malloc'ed, the caller frees it. */
char *fx_metrics_render(size_t *len);

#endif
