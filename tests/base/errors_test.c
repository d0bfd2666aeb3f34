/* The one table of error codes, statuses and HTTP answers (base/errors.h). */
#include "base/errors.h"

#include <criterion/criterion.h>
#include <string.h>

Test(errors, each_code_has_words_and_a_status)
{
    for (int e = FX_EREMOTE; e <= FX_OK; e++) {
        cr_assert_str_neq(fx_strerror(e), "unknown error", "code %d", e);
        cr_assert_str_neq(fx_status_name(fx_error_status(e)), "UNKNOWN", "code %d", e);
    }
    cr_assert_str_eq(fx_strerror(-999), "unknown error");
    cr_assert_eq(fx_error_status(-999), FX_STATUS_INTERNAL, "an unknown failure is internal, never OK");
}

Test(errors, store_failures_become_the_statuses_clients_rely_on)
{
    cr_assert_eq(fx_error_status(FX_OK), FX_STATUS_OK);
    cr_assert_eq(fx_error_status(FX_EINVAL), FX_STATUS_INVALID_ARGUMENT);
    cr_assert_eq(fx_error_status(FX_ENOTFOUND), FX_STATUS_NOT_FOUND);
    cr_assert_eq(fx_error_status(FX_EEXIST), FX_STATUS_ALREADY_EXISTS);
    cr_assert_eq(fx_error_status(FX_ETOOBIG), FX_STATUS_RESOURCE_EXHAUSTED);
    cr_assert_eq(fx_error_status(FX_EUNAVAIL), FX_STATUS_UNAVAILABLE);
    cr_assert_eq(fx_error_status(FX_EDB), FX_STATUS_INTERNAL);
    cr_assert_eq(fx_error_status(FX_ESEALED), FX_STATUS_FAILED_PRECONDITION, "a write to a sealed day");
    cr_assert_eq(fx_error_status(FX_EBUSY), FX_STATUS_UNAVAILABLE, "a maintenance pass runs already");
    /* and back, for the codes that own their status */
    int own[] = { FX_OK, FX_EINVAL, FX_ENOTFOUND, FX_EEXIST, FX_ESEALED };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) cr_assert_eq(fx_status_error(fx_error_status(own[i])), own[i]);
    cr_assert_eq(fx_status_error(99), FX_EREMOTE);
}

Test(errors, http_answers)
{
    cr_assert_eq(fx_status_http(FX_STATUS_OK, 0), 200);
    cr_assert_eq(fx_status_http(FX_STATUS_INVALID_ARGUMENT, 1), 422, "a named field failed validation");
    cr_assert_eq(fx_status_http(FX_STATUS_INVALID_ARGUMENT, 0), 400, "an inconsistent request");
    cr_assert_eq(fx_status_http(FX_STATUS_NOT_FOUND, 0), 404);
    cr_assert_eq(fx_status_http(FX_STATUS_ALREADY_EXISTS, 0), 409);
    cr_assert_eq(fx_status_http(FX_STATUS_FAILED_PRECONDITION, 0), 409);
    cr_assert_str_eq(fx_status_name(FX_STATUS_FAILED_PRECONDITION), "FAILED_PRECONDITION");
    cr_assert_eq(fx_status_http(FX_STATUS_RESOURCE_EXHAUSTED, 1), 413);
    cr_assert_eq(fx_status_http(FX_STATUS_UNAVAILABLE, 0), 503);
    cr_assert_eq(fx_status_http(FX_STATUS_INTERNAL, 0), 500);
    cr_assert_eq(fx_status_http(77, 0), 500);
    cr_assert_str_eq(fx_status_name(FX_STATUS_UNAVAILABLE), "UNAVAILABLE");
}
