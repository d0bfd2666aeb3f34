/* UTF-8 checks (RFC 3629): what passes and what does not. */
#include "base/utf8.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(utf8);

static int valid(const char *s) { return fx_utf8_valid(s, strlen(s)); }

Test(utf8, well_formed_text_passes)
{
    cr_assert(valid(""));
    cr_assert(valid("EURUSD America/New_York"));
    cr_assert(valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80")); /* é € 😀 */
    cr_assert(valid("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
    cr_assert_eq(fx_utf8_char_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
}

Test(utf8, malformed_bytes_fail)
{
    const char *bad[] = { "\xff", "\xc3", "\xc0\xaf" /* overlong / */, "\xe0\x80\xaf", "\xed\xa0\x80" /* surrogate */,
        "\xf4\x90\x80\x80" /* above U+10FFFF */, "\xf0\x8f\xbf\xbf", "a\x80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) cr_assert_not(valid(bad[i]), "case %zu passed", i);
    cr_assert_not(fx_utf8_valid("ab\0c", 4), "an embedded NUL");
    cr_assert_eq(fx_utf8_char_len((const unsigned char *)"\xe2\x82", 2), 0, "cut short");
}
