#include "server/pg_copy.h"

#include "base/errors.h"

#include <stdint.h>
#include <stdlib.h>

static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0"; /* signature, flags, no extension */

int fx_pg_copy_begin(struct fx_pg_copy *c, size_t tuples, size_t tuple_max)
{
    c->buf = c->p = NULL;
    if (tuple_max != 0 && tuples > (SIZE_MAX - sizeof header - 2) / tuple_max) return FX_ENOMEM;
    c->buf = malloc(sizeof header + tuples * tuple_max + 2);
    if (c->buf == NULL) return FX_ENOMEM;
    memcpy(c->buf, header, sizeof header);
    c->p = c->buf + sizeof header;
    return 0;
}

int fx_pg_copy_send(struct fx_db *db, const char *sql, struct fx_pg_copy *c, char *err, size_t errlen)
{
    fx_pg_put_u16(c->p, 0xffff), c->p += 2; /* trailer: field count -1 */
    int rc = fx_db_copy_in(db, sql, c->buf, (size_t)(c->p - c->buf), err, errlen);
    fx_pg_copy_discard(c);
    return rc;
}

void fx_pg_copy_discard(struct fx_pg_copy *c)
{
    free(c->buf);
    c->buf = c->p = NULL;
}
