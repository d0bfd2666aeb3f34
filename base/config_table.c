#include "base/config_table.h"

#include "base/errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int set_var(void *base, const struct fx_config_var *v, const char *value, char *err, size_t errlen)
{
    char *dst = (char *)base + v->offset;
    if (v->type == FX_CONFIG_STRING) {
        if (strlen(value) > (size_t)v->max) {
            snprintf(err, errlen, "%s is longer than %ld characters", v->name, v->max);
            return FX_ECONFIG;
        }
        strcpy(dst, value);
        return 0;
    }
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (errno || end == value || *end || n < v->min || n > v->max) {
        snprintf(err, errlen, "%s=\"%s\": expected an integer in %ld..%ld", v->name, value, v->min, v->max);
        return FX_ECONFIG;
    }
    *(int *)dst = (int)n;
    return 0;
}

int fx_config_table_load(const struct fx_config_var *vars, size_t n, void *base,
    const char *(*get)(const char *name), char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        const char *value = get(vars[i].name);
        if (value == NULL || *value == '\0') value = vars[i].def;
        int rc = set_var(base, &vars[i], value, err, errlen);
        if (rc) return rc;
    }
    return 0;
}

void fx_config_table_print(const struct fx_config_var *vars, size_t n, FILE *out)
{
    fprintf(out, "Environment:\n");
    for (size_t i = 0; i < n; i++) {
        const struct fx_config_var *v = &vars[i];
        if (v->type == FX_CONFIG_INT)
            fprintf(out, "  %-22s %s (default %s, %ld..%ld)\n", v->name, v->help, v->def, v->min, v->max);
        else
            fprintf(out, "  %-22s %s (default %s)\n", v->name, v->help, v->def[0] ? v->def : "none");
    }
}

const char *fx_config_getenv(const char *name) { return getenv(name); }
