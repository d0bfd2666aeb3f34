/* The resolution table (base/resolution.h). */
#include "base/resolution.h"

#include "base/calendar.h"

#include <criterion/criterion.h>
#include <string.h>

Test(resolution, query_names_and_stream_names)
{
    const struct fx_resolution *m = fx_resolution_by_name("1m");
    cr_assert_not_null(m);
    cr_assert_str_eq(m->stream, "minute");
    cr_assert_eq(m->width_us, 60 * FX_US_PER_SEC);
    cr_assert_eq(fx_resolution_by_stream("minute"), m);
    cr_assert_eq(fx_resolution_find("minute"), m);
    cr_assert_eq(fx_resolution_find("1m"), m);
    cr_assert_null(fx_resolution_by_name("minute"), "stream names are not query names");
    cr_assert_null(fx_resolution_find("3m"));
    cr_assert_null(fx_resolution_find(NULL));
    cr_assert_null(fx_resolution_find("1M"), "names are case-sensitive, as the API documents them");
}

Test(resolution, the_utc_day_and_the_custom_day_are_two_entries)
{
    const struct fx_resolution *d = fx_resolution_by_name("1d"), *c = fx_resolution_by_stream("custom-day");
    cr_assert_not_null(d);
    cr_assert_not_null(c);
    cr_assert_neq(d, c);
    cr_assert_not(d->custom_day);
    cr_assert(c->custom_day);
    cr_assert_eq(d->width_us, c->width_us);
    cr_assert_eq(d->rollup, FX_ROLLUP_DAY);
    cr_assert_eq(c->rollup, FX_ROLLUP_HOUR, "days from 22:00 UTC are tiled by hours, not by UTC days");
    cr_assert(fx_resolution_is_rollup(d));
    cr_assert_not(fx_resolution_is_rollup(c));
}

/* What every entry must satisfy for the core to answer it from its rollup. */
Test(resolution, every_entry_is_tiled_by_its_rollup)
{
    size_t n;
    const struct fx_resolution *t = fx_resolutions(&n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        int64_t w = fx_rollup_width(t[i].rollup);
        cr_assert_gt(w, 0, "%s", t[i].name);
        cr_assert_eq(t[i].width_us % w, 0, "%s: %lld is not a multiple of its rollup", t[i].name,
            (long long)t[i].width_us);
        /* the coarsest such rollup, unless days from DAY_START_HOUR */
        if (!t[i].custom_day && t[i].rollup + 1 < FX_ROLLUPS)
            cr_assert_neq(t[i].width_us % fx_rollup_width(t[i].rollup + 1), 0, "%s could be read from a coarser rollup",
                t[i].name);
        cr_assert(strlen(t[i].name) > 0);
    }
}

Test(resolution, the_lists_name_every_entry)
{
    size_t n;
    const struct fx_resolution *t = fx_resolutions(&n);
    for (size_t i = 0; i < n; i++) {
        if (!t[i].custom_day) cr_assert(strstr(fx_resolution_names(), t[i].name), "%s", t[i].name);
        if (t[i].stream) cr_assert(strstr(fx_resolution_stream_names(), t[i].stream), "%s", t[i].stream);
    }
    cr_assert_str_eq(fx_resolution_stream_names(), "minute, hour, day or custom-day");
    cr_assert_eq(strncmp(fx_resolution_names(), "1m, 2m, 5m", 10), 0, "%s", fx_resolution_names());
}
