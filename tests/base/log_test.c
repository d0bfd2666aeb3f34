/* Log lines: text as before, or one valid JSON object per line (LOG_FORMAT=json)
 * whatever the message holds (quotes, newlines, bytes that are not UTF-8). */
#include "base/log.h"

#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(log);

/* What fx_log_write wrote to stderr while `fn` ran. */
static char *captured(void (*fn)(void))
{
    char path[] = "/tmp/fx-log-test.XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    static char buf[8192];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    cr_assert_geq(n, 0);
    buf[n] = '\0';
    return buf;
}

static void write_hostile(void)
{
    fx_log_write(FX_LOG_WARN, "ingest", "symbol \"%s\" said %s", "EU\"R\\", "line\nbreak \xff\xfe end, caf\xc3\xa9");
}

Test(log, json_lines_are_valid_json_with_every_field)
{
    fx_log_setup("info", "json", "fx-test");
    char *out = captured(write_hostile);
    fx_log_setup("info", "text", NULL);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1, "one line: %s", out);
    json_error_t e;
    json_t *j = json_loads(out, 0, &e);
    cr_assert_not_null(j, "not JSON (%s): %s", e.text, out);
    cr_assert_str_eq(json_string_value(json_object_get(j, "level")), "warn");
    cr_assert_str_eq(json_string_value(json_object_get(j, "program")), "fx-test");
    cr_assert_str_eq(json_string_value(json_object_get(j, "module")), "ingest");
    cr_assert_str_eq(json_string_value(json_object_get(j, "message")),
        "symbol \"EU\"R\\\" said line\nbreak \xef\xbf\xbd\xef\xbf\xbd end, caf\xc3\xa9");
    const char *when = json_string_value(json_object_get(j, "time"));
    cr_assert(when && strlen(when) == 24 && when[10] == 'T' && when[23] == 'Z', "time %s", when);
    json_decref(j);
}

static void write_long(void)
{
    static char big[4000];
    memset(big, '"', sizeof big - 1);
    fx_log_write(FX_LOG_ERROR, "rpc", "%s", big);
}

Test(log, a_long_message_is_cut_and_stays_one_json_line)
{
    fx_log_setup("info", "json", "fx-test");
    char *out = captured(write_long);
    fx_log_setup("info", "text", NULL);
    cr_assert_leq(strlen(out), 2048);
    json_t *j = json_loads(out, 0, NULL);
    cr_assert_not_null(j, "not JSON: %s", out);
    cr_assert_gt(strlen(json_string_value(json_object_get(j, "message"))), 500);
    json_decref(j);
}

Test(log, text_lines_flatten_newlines_and_checks_name_the_setting)
{
    fx_log_setup("info", "text", NULL);
    char *out = captured(write_hostile);
    cr_assert(strstr(out, " warn ingest: symbol \"EU\"R\\\" said line break "), "%s", out);
    cr_assert_eq(strchr(out, '\n'), out + strlen(out) - 1);
    char err[128];
    cr_assert_eq(fx_log_check("info", "json", err, sizeof err), 0);
    cr_assert_eq(fx_log_check("info", "xml", err, sizeof err), -1);
    cr_assert(strstr(err, "LOG_FORMAT"), "%s", err);
    cr_assert_eq(fx_log_check("loud", "text", err, sizeof err), -1);
    cr_assert(strstr(err, "LOG_LEVEL"), "%s", err);
}

static void write_fields(void)
{
    fx_log_event(FX_LOG_INFO, "ingest", FX_LOG_FIELDS(FX_LOG_INT("batch_size", 500), FX_LOG_STR("symbol", "EUR\"USD")),
        "stored %d", 500);
    fx_log_event(FX_LOG_DEBUG, "ingest", FX_LOG_FIELDS(FX_LOG_INT("hidden", 1)), "below the threshold");
}

Test(log, event_fields_are_members_in_json_and_key_value_in_text)
{
    fx_log_setup("info", "json", "fx-test");
    char *out = captured(write_fields);
    json_t *j = json_loads(out, 0, NULL);
    cr_assert_not_null(j, "one JSON line (the debug one is below the threshold): %s", out);
    cr_assert_eq(json_integer_value(json_object_get(j, "batch_size")), 500, "%s", out);
    cr_assert_str_eq(json_string_value(json_object_get(j, "symbol")), "EUR\"USD");
    cr_assert_str_eq(json_string_value(json_object_get(j, "message")), "stored 500");
    json_decref(j);
    fx_log_setup("info", "text", NULL);
    out = captured(write_fields);
    cr_assert(strstr(out, " info ingest: stored 500 batch_size=500 symbol=EUR\"USD\n"), "%s", out);
}

static void say_something(void) { fx_log_say(FX_LOG_ERROR, "tool", "fx-test: cannot open %s", "x.csv"); }

Test(log, a_program_message_is_the_line_in_text_and_loses_its_prefix_in_json)
{
    fx_log_setup("info", "text", "fx-test");
    cr_assert_str_eq(captured(say_something), "fx-test: cannot open x.csv\n");
    fx_log_setup("info", "json", "fx-test");
    char *out = captured(say_something);
    fx_log_setup("info", "text", NULL);
    json_t *j = json_loads(out, 0, NULL);
    cr_assert_not_null(j, "%s", out);
    cr_assert_str_eq(json_string_value(json_object_get(j, "message")), "cannot open x.csv");
    cr_assert_str_eq(json_string_value(json_object_get(j, "module")), "tool");
    json_decref(j);
}
