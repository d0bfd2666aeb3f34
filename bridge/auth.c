#include "bridge/auth.h"

#include "base/errors.h"
#include "base/log.h"

#include <ctype.h>
#include <errno.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_LEN 64

struct key {
    char name[NAME_MAX_LEN + 1]; /* for logs: the only part of a key that may be logged */
    enum fx_scope scope;
    uint8_t digest[SHA256_DIGEST_SIZE];
};

struct key_table {
    struct key *keys;
    size_t n;
};

struct fx_auth {
    pthread_rwlock_t lock; /* readers: fx_auth_check; writer: fx_auth_reload */
    struct key_table table;
    char path[1024];
    int public_reads;
};

static const char *const scope_names[] = { "open", "read", "write", "admin" };

const char *fx_scope_name(enum fx_scope s) { return (unsigned)s < 4 ? scope_names[s] : "?"; }

int fx_scope_parse(const char *s, size_t len)
{
    for (int i = FX_SCOPE_READ; i <= FX_SCOPE_ADMIN; i++)
        if (strlen(scope_names[i]) == len && strncmp(s, scope_names[i], len) == 0) return i;
    return -1;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* One line without its newline. Returns 0 (a key, or *skip for a blank
 * line or a comment) or -1 with the reason (never the line's text: it may
 * hold a key pasted by mistake). */
static int parse_line(char *line, struct key *k, int *skip, char *why, size_t whylen)
{
    *skip = 0;
    size_t len = strlen(line);
    while (len > 0 && isspace((unsigned char)line[len - 1])) line[--len] = '\0';
    char *p = line;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '\0' || *p == '#') {
        *skip = 1;
        return 0;
    }
    char *c1 = strchr(p, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (c1 == NULL || c2 == NULL || strchr(c2 + 1, ':') != NULL) {
        snprintf(why, whylen, "expected name:scope:sha256-hex (three fields separated by ':')");
        return -1;
    }
    size_t nlen = (size_t)(c1 - p);
    if (nlen == 0 || nlen > NAME_MAX_LEN) {
        snprintf(why, whylen, "the name must be 1 to %d characters", NAME_MAX_LEN);
        return -1;
    }
    for (size_t i = 0; i < nlen; i++)
        if (!isalnum((unsigned char)p[i]) && p[i] != '-' && p[i] != '_' && p[i] != '.') {
            snprintf(why, whylen, "the name may hold letters, digits, '-', '_' and '.' only");
            return -1;
        }
    memcpy(k->name, p, nlen);
    k->name[nlen] = '\0';
    int scope = fx_scope_parse(c1 + 1, (size_t)(c2 - c1 - 1));
    if (scope < 0) {
        snprintf(why, whylen, "the scope must be read, write or admin");
        return -1;
    }
    k->scope = (enum fx_scope)scope;
    const char *hex = c2 + 1;
    if (strlen(hex) != 2 * SHA256_DIGEST_SIZE) {
        snprintf(why, whylen, "the third field must be the key's SHA-256 in hex (64 characters; "
                              "e.g. printf %%s KEY | sha256sum), not the key itself");
        return -1;
    }
    for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
        int hi = hexval((unsigned char)hex[2 * i]), lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            snprintf(why, whylen, "the SHA-256 must be 64 hexadecimal digits");
            return -1;
        }
        k->digest[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int load_file(const char *path, struct key_table *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, errlen, "BRIDGE_API_KEYS_FILE=%s: %s", path, strerror(errno));
        return FX_ECONFIG;
    }
    struct key_table t = { NULL, 0 };
    size_t cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    int lineno = 0, rc = 0;
    while (getline(&line, &linecap, f) >= 0) {
        lineno++;
        struct key k;
        int skip;
        char why[192];
        if (parse_line(line, &k, &skip, why, sizeof why) != 0) {
            snprintf(err, errlen, "BRIDGE_API_KEYS_FILE=%s line %d: %s", path, lineno, why);
            rc = FX_ECONFIG;
            break;
        }
        if (skip) continue;
        for (size_t i = 0; i < t.n; i++)
            if (strcmp(t.keys[i].name, k.name) == 0) {
                snprintf(err, errlen, "BRIDGE_API_KEYS_FILE=%s line %d: the name \"%s\" is used twice", path,
                    lineno, k.name);
                rc = FX_ECONFIG;
            }
        if (rc) break;
        if (t.n == cap) {
            cap = cap ? cap * 2 : 16;
            struct key *p = realloc(t.keys, cap * sizeof *p);
            if (p == NULL) {
                rc = FX_ENOMEM;
                snprintf(err, errlen, "BRIDGE_API_KEYS_FILE: out of memory");
                break;
            }
            t.keys = p;
        }
        t.keys[t.n++] = k;
    }
    free(line);
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "BRIDGE_API_KEYS_FILE=%s: read error", path);
        rc = FX_ECONFIG;
    }
    fclose(f);
    if (rc) {
        /* the digests are not secrets, but nothing of the file outlives it */
        if (t.keys) memset(t.keys, 0, t.n * sizeof *t.keys);
        free(t.keys);
        return rc;
    }
    *out = t;
    return 0;
}

int fx_auth_create(struct fx_auth **out, const char *path, int public_reads, char *err, size_t errlen)
{
    struct fx_auth *a = calloc(1, sizeof *a);
    if (a == NULL) return FX_ENOMEM;
    pthread_rwlock_init(&a->lock, NULL);
    a->public_reads = public_reads;
    if (path && *path) {
        snprintf(a->path, sizeof a->path, "%s", path);
        int rc = load_file(a->path, &a->table, err, errlen);
        if (rc) {
            fx_auth_destroy(a);
            return rc;
        }
        fx_info("auth", "%zu API keys from %s%s", a->table.n, a->path,
            public_reads ? " (reads are public: BRIDGE_PUBLIC_READS=1)" : "");
        if (a->table.n == 0) fx_warn("auth", "%s holds no key: every protected route answers 401", a->path);
    }
    *out = a;
    return 0;
}

void fx_auth_destroy(struct fx_auth *a)
{
    if (a == NULL) return;
    free(a->table.keys);
    pthread_rwlock_destroy(&a->lock);
    free(a);
}

int fx_auth_enabled(const struct fx_auth *a) { return a && a->path[0] != '\0'; }

size_t fx_auth_key_count(struct fx_auth *a)
{
    pthread_rwlock_rdlock(&a->lock);
    size_t n = a->table.n;
    pthread_rwlock_unlock(&a->lock);
    return n;
}

int fx_auth_reload(struct fx_auth *a, char *err, size_t errlen)
{
    if (!fx_auth_enabled(a)) return 0;
    struct key_table t;
    int rc = load_file(a->path, &t, err, errlen);
    if (rc) return rc; /* the old table stays */
    pthread_rwlock_wrlock(&a->lock);
    struct key_table old = a->table;
    a->table = t;
    pthread_rwlock_unlock(&a->lock);
    free(old.keys);
    fx_info("auth", "reloaded %zu API keys from %s", t.n, a->path);
    return 0;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

/* The key a request presents: points into its headers (no copy), with its
 * length, or NULL. */
static const char *presented_key(struct MHD_Connection *conn, size_t *len)
{
    const char *v = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    if (v && strncasecmp(v, "Bearer ", 7) == 0) {
        v += 7;
        while (*v == ' ') v++;
        *len = strlen(v);
        while (*len > 0 && (v[*len - 1] == ' ' || v[*len - 1] == '\t')) (*len)--;
        if (*len) return v;
    }
    v = header(conn, "X-API-Key");
    if (v && *v) {
        *len = strlen(v);
        return v;
    }
    /* "fx.v1, bearer.KEY": a browser's WebSocket can send nothing else */
    v = header(conn, "Sec-WebSocket-Protocol");
    for (const char *p = v; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ' && *end != '\t') end++;
        if (end - p > 7 && strncmp(p, "bearer.", 7) == 0) {
            *len = (size_t)(end - p - 7);
            return p + 7;
        }
        p = end;
    }
    return NULL;
}

unsigned fx_auth_check(struct fx_auth *a, enum fx_scope need, struct MHD_Connection *conn, char *why,
    size_t whylen)
{
    if (need == FX_SCOPE_OPEN || !fx_auth_enabled(a)) return 0;
    if (need == FX_SCOPE_READ && a->public_reads) return 0;
    size_t len = 0;
    const char *key = presented_key(conn, &len);
    if (key == NULL) {
        snprintf(why, whylen, "an API key is required: send \"Authorization: Bearer KEY\" or \"X-API-Key: KEY\"");
        return 401;
    }
    uint8_t digest[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, len, (const uint8_t *)key);
    sha256_digest(&ctx, sizeof digest, digest);
    /* Every key is compared, each in constant time, so the time taken says
     * nothing of which (or how much of one) matched. */
    int found = -1;
    enum fx_scope scope = FX_SCOPE_OPEN;
    char name[NAME_MAX_LEN + 1] = "";
    pthread_rwlock_rdlock(&a->lock);
    for (size_t i = 0; i < a->table.n; i++) {
        int eq = memeql_sec(digest, a->table.keys[i].digest, sizeof digest);
        if (eq && found < 0) {
            found = (int)i;
            scope = a->table.keys[i].scope;
            memcpy(name, a->table.keys[i].name, sizeof name);
        }
    }
    pthread_rwlock_unlock(&a->lock);
    if (found < 0) {
        snprintf(why, whylen, "unknown API key");
        return 401;
    }
    if (scope < need) {
        snprintf(why, whylen, "the API key \"%s\" has scope %s; this route needs %s", name, fx_scope_name(scope),
            fx_scope_name(need));
        return 403;
    }
    return 0;
}
