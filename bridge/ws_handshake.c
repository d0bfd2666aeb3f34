#include "bridge/ws_handshake.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

void fx_ws_accept_of(const char *key, char accept[FX_WS_ACCEPT_LEN + 1])
{
    struct sha1_ctx sha;
    uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_init(&sha);
    sha1_update(&sha, strlen(key), (const uint8_t *)key);
    sha1_update(&sha, sizeof ws_guid - 1, (const uint8_t *)ws_guid);
    sha1_digest(&sha, sizeof digest, digest);
    base64_encode_raw(accept, sizeof digest, digest);
    accept[FX_WS_ACCEPT_LEN] = '\0';
}

/* Whether the comma-separated header value `list` holds `token` (any case):
 * "keep-alive, Upgrade" holds "upgrade". */
static int has_token(const char *list, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        const char *end = p;
        while (*end && *end != ',') end++;
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t')) last--;
        if ((size_t)(last - p) == n && strncasecmp(p, token, n) == 0) return 1;
        p = end;
    }
    return 0;
}

/* A key is 16 random bytes in base64: 24 characters that decode to 16. */
static int key_is_valid(const char *key)
{
    if (strlen(key) != 24) return 0;
    struct base64_decode_ctx ctx;
    uint8_t raw[BASE64_DECODE_LENGTH(24)];
    size_t n = sizeof raw;
    base64_decode_init(&ctx);
    return base64_decode_update(&ctx, &n, raw, 24, key) && base64_decode_final(&ctx) && n == 16;
}

static const char *header(struct MHD_Connection *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

unsigned fx_ws_handshake_check(struct MHD_Connection *conn, const char *method, const char *http_version,
    char accept[FX_WS_ACCEPT_LEN + 1], char *why, size_t whylen)
{
    if (strcmp(method, "GET") != 0 || strcmp(http_version, "HTTP/1.1") != 0) {
        snprintf(why, whylen, "a WebSocket is opened by GET over HTTP/1.1 (got %.8s over %.16s)", method,
            http_version);
        return 400;
    }
    const char *upgrade = header(conn, "Upgrade"), *connection = header(conn, "Connection");
    const char *version = header(conn, "Sec-WebSocket-Version"), *key = header(conn, "Sec-WebSocket-Key");
    if (upgrade == NULL || !has_token(upgrade, "websocket") || connection == NULL
        || !has_token(connection, "upgrade")) {
        snprintf(why, whylen, "this is a WebSocket endpoint: send \"Upgrade: websocket\" and \"Connection: Upgrade\"");
        return 400;
    }
    if (version == NULL || strcmp(version, "13") != 0) {
        snprintf(why, whylen, "Sec-WebSocket-Version must be 13");
        return 426;
    }
    if (key == NULL || !key_is_valid(key)) {
        snprintf(why, whylen, "Sec-WebSocket-Key must be 16 bytes in base64 (24 characters)");
        return 400;
    }
    fx_ws_accept_of(key, accept);
    return 0;
}

const char *fx_ws_select_protocol(struct MHD_Connection *conn)
{
    const char *offer = header(conn, "Sec-WebSocket-Protocol");
    return offer && has_token(offer, FX_WS_PROTOCOL) ? FX_WS_PROTOCOL : NULL;
}
