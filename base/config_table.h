/*
 * Configuration as one table of environment variables {name, type, default,
 * bounds, help} written into a struct by offset. fx-core and fx-bridge each
 * declare their table; this module fills the struct, checks bounds at
 * start-up, and prints the table for --help.
 */
#ifndef FX_CONFIG_TABLE_H
#define FX_CONFIG_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum fx_config_type { FX_CONFIG_STRING, FX_CONFIG_INT };

struct fx_config_var {
    const char *name; /* the environment variable */
    enum fx_config_type type;
    const char *def;
    long min, max; /* FX_CONFIG_INT bounds; FX_CONFIG_STRING: max length */
    size_t offset; /* of the char[] or int field in the struct */
    const char *help;
};

#define FX_CONFIG_STR(type, field, name, def, help) \
    { name, FX_CONFIG_STRING, def, 0, sizeof(((type *)0)->field) - 1, offsetof(type, field), help }
#define FX_CONFIG_INT(type, field, name, def, min, max, help) \
    { name, FX_CONFIG_INT, #def, min, max, offsetof(type, field), help }

/* Fills `base` from `get` (getenv, or a test's stand-in); unset or empty
 * variables take their default. Returns 0, or FX_ECONFIG with a message
 * naming the variable and its bounds in `err`. */
int fx_config_table_load(const struct fx_config_var *vars, size_t n, void *base,
    const char *(*get)(const char *name), char *err, size_t errlen);

void fx_config_table_print(const struct fx_config_var *vars, size_t n, FILE *out);

/* getenv, as a `get` function. */
const char *fx_config_getenv(const char *name);

#endif
