#define _GNU_SOURCE /* program_invocation_short_name */
#include "base/log.h"

#include "base/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum fx_log_level fx_log_threshold = FX_LOG_INFO;
enum fx_log_format fx_log_format = FX_LOG_TEXT;
const char *fx_log_program;

static const char *const level_names[] = { "debug", "info", "warn", "error" };

int fx_log_parse_level(const char *name)
{
    if (strcasecmp(name, "warning") == 0) return FX_LOG_WARN;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, level_names[i]) == 0) return i;
    return -1;
}

int fx_log_parse_format(const char *name)
{
    if (strcasecmp(name, "text") == 0) return FX_LOG_TEXT;
    if (strcasecmp(name, "json") == 0) return FX_LOG_JSON;
    return -1;
}

int fx_log_check(const char *level, const char *format, char *err, size_t errlen)
{
    if (fx_log_parse_level(level) < 0) {
        snprintf(err, errlen, "LOG_LEVEL=\"%s\": expected debug, info, warn or error", level);
        return -1;
    }
    if (fx_log_parse_format(format) < 0) {
        snprintf(err, errlen, "LOG_FORMAT=\"%s\": expected text or json", format);
        return -1;
    }
    return 0;
}

void fx_log_setup(const char *level, const char *format, const char *program)
{
    int l = fx_log_parse_level(level), f = fx_log_parse_format(format);
    if (l >= 0) fx_log_threshold = (enum fx_log_level)l;
    if (f >= 0) fx_log_format = (enum fx_log_format)f;
    fx_log_program = program;
}

/* `s` as the inside of a JSON string into out[*len..cap), always leaving
 * 32 bytes for what follows (the next field's name, the line's end); what does
 * not fit is cut at a character. */
static void json_escape(char *out, size_t *len, size_t cap, const char *s)
{
    size_t n = *len;
    const unsigned char *end = (const unsigned char *)s + strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; *p && n + 32 < cap;) {
        size_t k = fx_utf8_char_len(p, (size_t)(end - p));
        if (k == 0) { /* not UTF-8: the replacement character */
            memcpy(out + n, "\\ufffd", 6), n += 6, p++;
        } else if (k > 1) {
            memcpy(out + n, p, k), n += k, p += k;
        } else if (*p == '"' || *p == '\\') {
            out[n++] = '\\', out[n++] = (char)*p++;
        } else if (*p < 0x20 || *p == 0x7f) {
            n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p++);
        } else {
            out[n++] = (char)*p++;
        }
    }
    *len = n;
}

/* The fields as they follow the message: `,"key":value` members (JSON) or
 * ` key=value` (text); cut, at a field, at `cap` bytes. */
static void render_fields(char *out, size_t cap, const struct fx_log_field *f, size_t n, int json)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!f[i].is_num && f[i].str == NULL) continue; /* a string field may be absent */
        char one[320];
        size_t k = 0;
        if (json) {
            one[k++] = ',', one[k++] = '"';
            json_escape(one, &k, sizeof one - 64, f[i].key);
            one[k++] = '"', one[k++] = ':';
            if (f[i].is_num) {
                k += (size_t)snprintf(one + k, sizeof one - k, "%lld", f[i].num);
            } else {
                one[k++] = '"';
                json_escape(one, &k, sizeof one, f[i].str ? f[i].str : "");
                one[k++] = '"';
            }
            one[k] = '\0';
        } else if (f[i].is_num) {
            k = (size_t)snprintf(one, sizeof one, " %s=%lld", f[i].key, f[i].num);
        } else {
            k = (size_t)snprintf(one, sizeof one, " %s=%s", f[i].key, f[i].str ? f[i].str : "");
        }
        if (k >= sizeof one || len + k >= cap) break;
        memcpy(out + len, one, k + 1);
        len += k;
    }
}

void fx_log_write_fields(enum fx_log_level level, const char *module, const struct fx_log_field *fields,
    size_t nfields, const char *fmt, ...)
{
    int saved_errno = errno;
    struct timespec ts;
    struct tm tm;
    char line[2048];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
        tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    char msg[1536], tail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int json = fx_log_format == FX_LOG_JSON;
    render_fields(tail, sizeof tail, fields, nfields, json);
    size_t tail_len = strlen(tail);
    /* One write per line, newlines inside messages flattened (text) or
     * escaped (JSON), so that lines from different threads never interleave
     * or split; the message is cut so that the fields fit. */
    size_t len;
    if (json) {
        len = (size_t)snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",\"program\":\"", when,
            level_names[level]);
        json_escape(line, &len, sizeof line, fx_log_program ? fx_log_program : program_invocation_short_name);
        memcpy(line + len, "\",\"module\":\"", 12), len += 12; /* the escapes left room */
        json_escape(line, &len, sizeof line, module);
        memcpy(line + len, "\",\"message\":\"", 13), len += 13;
        json_escape(line, &len, sizeof line - tail_len, msg);
        line[len++] = '"';
    } else {
        int n = snprintf(line, sizeof line - tail_len - 1, "%s %s %s: %s", when, level_names[level], module, msg);
        len = n < 0 ? 0 : (size_t)n < sizeof line - tail_len - 1 ? (size_t)n : sizeof line - tail_len - 2;
        for (size_t i = 0; i < len; i++)
            if (line[i] == '\n' || line[i] == '\r') line[i] = ' ';
    }
    memcpy(line + len, tail, tail_len), len += tail_len;
    if (json) line[len++] = '}';
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
    errno = saved_errno;
}

void fx_log_say(enum fx_log_level level, const char *module, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (fx_log_format != FX_LOG_JSON) {
        fprintf(stderr, "%s\n", msg);
        return;
    }
    const char *program = fx_log_program ? fx_log_program : program_invocation_short_name;
    size_t n = strlen(program);
    const char *text = strncmp(msg, program, n) == 0 && strncmp(msg + n, ": ", 2) == 0 ? msg + n + 2 : msg;
    fx_log_write(level, module, "%s", text);
}
