/*
 * One line per event on stderr (Kubernetes collects it), as text
 *   2026-11-27T05:40:00.123Z info rpc: serving on tcp://127.0.0.1:5555
 * or, with fx_log_format = FX_LOG_JSON (LOG_FORMAT=json), one JSON object
 *   {"time":"2026-11-27T05:40:00.123Z","level":"info","program":"fx-core",
 *    "module":"rpc","message":"serving on tcp://127.0.0.1:5555"}
 * in valid UTF-8 (invalid bytes of a message become U+FFFD).
 * The level is checked before the arguments are formatted. Set the
 * threshold, format and program in main before any thread starts; any
 * thread may log.
 */
#ifndef FX_LOG_H
#define FX_LOG_H

#include <stddef.h>

enum fx_log_level { FX_LOG_DEBUG, FX_LOG_INFO, FX_LOG_WARN, FX_LOG_ERROR };

extern enum fx_log_level fx_log_threshold;

enum fx_log_format { FX_LOG_TEXT, FX_LOG_JSON };
extern enum fx_log_format fx_log_format;
extern const char *fx_log_program; /* "program" of JSON lines (default: the executable's name) */

/* "text" or "json" (any case); -1 if unknown. */
int fx_log_parse_format(const char *name);

/* The one check of LOG_LEVEL and LOG_FORMAT values, for the programs'
 * configuration: 0, or -1 with the reason in `err`. */
int fx_log_check(const char *level, const char *format, char *err, size_t errlen);

/* Applies checked values (main, before any thread starts). */
void fx_log_setup(const char *level, const char *format, const char *program);

/* "debug", "info", "warn"/"warning", "error" (any case); -1 if unknown. */
int fx_log_parse_level(const char *name);

/* A field of an event: in JSON lines a member of its own ("batch_size": 500),
 * in text " key=value" after the message. Keys are fixed identifiers, never
 * time, level, program, module or message. */
struct fx_log_field {
    const char *key;
    const char *str; /* a string field; NULL: left out */
    long long num; /* a number field (is_num) */
    int is_num;
};
#define FX_LOG_STR(k, v) ((struct fx_log_field){ .key = (k), .str = (v) })
#define FX_LOG_INT(k, v) ((struct fx_log_field){ .key = (k), .num = (long long)(v), .is_num = 1 })
/* FX_LOG_FIELDS(FX_LOG_INT("batch_size", n), FX_LOG_STR("symbol", s)): the
 * array and its length, as fx_log_event takes them. */
#define FX_LOG_FIELDS(...)                                                       \
    (const struct fx_log_field[]){ __VA_ARGS__ },                                \
        sizeof((const struct fx_log_field[]){ __VA_ARGS__ }) / sizeof(struct fx_log_field)

void fx_log_write_fields(enum fx_log_level level, const char *module, const struct fx_log_field *fields,
    size_t nfields, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define fx_log_write(level, module, ...) fx_log_write_fields((level), (module), NULL, 0, __VA_ARGS__)

/* A message for people from a command-line program: `fmt` formats the
 * whole line ("fx-tickgen: 12 ticks sent ..."), written as it is in text
 * format, or as one JSON object (module `module`, the leading "PROGRAM: "
 * dropped) with LOG_FORMAT=json. Not filtered by the threshold. */
void fx_log_say(enum fx_log_level level, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An event with fields: fx_log_event(FX_LOG_INFO, "ingest", FX_LOG_FIELDS(...), "fmt", ...). */
#define fx_log_event(level, module, fields, ...)                                        \
    do {                                                                                \
        if ((level) >= fx_log_threshold) fx_log_write_fields((level), (module), fields, __VA_ARGS__); \
    } while (0)

#define FX_LOG(level, module, ...)                                                     \
    do {                                                                               \
        if ((level) >= fx_log_threshold) fx_log_write((level), (module), __VA_ARGS__); \
    } while (0)
#define fx_debug(module, ...) FX_LOG(FX_LOG_DEBUG, module, __VA_ARGS__)
#define fx_info(module, ...) FX_LOG(FX_LOG_INFO, module, __VA_ARGS__)
#define fx_warn(module, ...) FX_LOG(FX_LOG_WARN, module, __VA_ARGS__)
#define fx_error(module, ...) FX_LOG(FX_LOG_ERROR, module, __VA_ARGS__)

#endif
