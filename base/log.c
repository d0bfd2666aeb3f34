#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum fx_log_level fx_log_threshold = FX_LOG_INFO;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int fx_log_parse_level(const char *name)
{
    if (strcasecmp(name, "warning") == 0) return FX_LOG_WARN;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0) return i;
    return -1;
}

void fx_log_write(enum fx_log_level level, const char *module, const char *fmt, ...)
{
    struct timespec ts;
    struct tm tm;
    char line[2048];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s: ",
        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
        ts.tv_nsec / 1000000, level_names[level], module);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    /* One write per line, newlines inside messages flattened, so that lines
     * from different threads never interleave or split. */
    for (char *p = line + n; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    size_t len = strlen(line);
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}
