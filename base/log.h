/*
 * One line per event on stderr (Kubernetes collects it):
 *   2026-11-27T05:40:00.123Z info rpc: serving on tcp://127.0.0.1:5555
 * The level is checked before the arguments are formatted.
 */
#ifndef FX_LOG_H
#define FX_LOG_H

enum fx_log_level { FX_LOG_DEBUG, FX_LOG_INFO, FX_LOG_WARN, FX_LOG_ERROR };

extern enum fx_log_level fx_log_threshold;

/* "debug", "info", "warn"/"warning", "error" (any case); -1 if unknown. */
int fx_log_parse_level(const char *name);

void fx_log_write(enum fx_log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define FX_LOG(level, module, ...)                                                     \
    do {                                                                               \
        if ((level) >= fx_log_threshold) fx_log_write((level), (module), __VA_ARGS__); \
    } while (0)
#define fx_debug(module, ...) FX_LOG(FX_LOG_DEBUG, module, __VA_ARGS__)
#define fx_info(module, ...) FX_LOG(FX_LOG_INFO, module, __VA_ARGS__)
#define fx_warn(module, ...) FX_LOG(FX_LOG_WARN, module, __VA_ARGS__)
#define fx_error(module, ...) FX_LOG(FX_LOG_ERROR, module, __VA_ARGS__)

#endif
