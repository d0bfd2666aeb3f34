#include "base/nng_tls.h"

#include "base/errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX (1 << 20) /* a certificate chain or key file larger than this is not one */

int fx_tls_is_tls_url(const char *url) { return url && strncmp(url, FX_TLS_SCHEME, strlen(FX_TLS_SCHEME)) == 0; }

int fx_tls_url_host(const char *url, char *host, size_t len)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (p == NULL) return -1;
    p += 3;
    const char *end;
    if (*p == '[') {
        end = strchr(++p, ']');
        if (end == NULL) return -1;
    } else {
        end = strrchr(p, ':');
        if (end == NULL) end = p + strcspn(p, "/");
    }
    size_t n = (size_t)(end - p);
    if (n == 0 || n >= len) return -1;
    memcpy(host, p, n);
    host[n] = '\0';
    return 0;
}

/* The file named by environment variable `var`, NUL-terminated, in *out
 * (free it). */
static int read_pem(const char *var, char **out, char *err, size_t errlen)
{
    const char *path = getenv(var);
    if (path == NULL || *path == '\0')
        return fx_fail(err, errlen, FX_ECONFIG,
            "%s is not set: a tls+tcp:// address needs FX_TLS_CERT, FX_TLS_KEY and FX_TLS_CA (PEM files)",
            var);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return fx_fail(err, errlen, FX_ECONFIG, "%s=%s: cannot read: %s", var, path, strerror(errno));
    char *buf = malloc(PEM_MAX + 1);
    size_t n = buf ? fread(buf, 1, PEM_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL) return fx_fail(err, errlen, FX_ENOMEM, "%s: out of memory", var);
    if (bad || n == 0 || n > PEM_MAX) {
        free(buf);
        return fx_fail(err, errlen, FX_ECONFIG, "%s=%s: %s", var, path,
            bad          ? "read error"
                : n == 0 ? "empty file"
                         : "larger than 1 MiB: not a PEM file");
    }
    buf[n] = '\0';
    if (strstr(buf, "-----BEGIN ") == NULL) {
        free(buf);
        return fx_fail(err, errlen, FX_ECONFIG, "%s=%s: not a PEM file (no -----BEGIN line)", var, path);
    }
    *out = buf;
    return 0;
}

int fx_tls_config_new(nng_tls_config **out, int server, const char *server_name, char *err, size_t errlen)
{
    char *cert = NULL, *key = NULL, *ca = NULL;
    int rc = read_pem(FX_TLS_ENV_CERT, &cert, err, errlen);
    if (rc == 0) rc = read_pem(FX_TLS_ENV_KEY, &key, err, errlen);
    if (rc == 0) rc = read_pem(FX_TLS_ENV_CA, &ca, err, errlen);
    nng_tls_config *cfg = NULL;
    int rv = 0;
    if (rc == 0 && (rv = nng_tls_config_alloc(&cfg, server ? NNG_TLS_MODE_SERVER : NNG_TLS_MODE_CLIENT)) != 0)
        rc = fx_fail(err, errlen, FX_ENNG, "TLS: %s (is libnng built with a TLS engine? it has \"%s\")",
            nng_strerror(rv), nng_tls_engine_name());
    if (rc == 0 && (rv = nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_3)) != 0
        && (rv = nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_2)) != 0) /* an engine without 1.3 */
        rc = fx_fail(err, errlen, FX_ENNG, "TLS versions: %s", nng_strerror(rv));
    if (rc == 0 && (rv = nng_tls_config_own_cert(cfg, cert, key, NULL)) != 0)
        rc = fx_fail(err, errlen, FX_ECONFIG,
            "FX_TLS_CERT=%s with FX_TLS_KEY=%s: not a usable certificate and key: %s",
            getenv(FX_TLS_ENV_CERT), getenv(FX_TLS_ENV_KEY), nng_strerror(rv));
    if (rc == 0 && (rv = nng_tls_config_ca_chain(cfg, ca, NULL)) != 0)
        rc = fx_fail(err, errlen, FX_ECONFIG, "FX_TLS_CA=%s: not a usable CA certificate: %s",
            getenv(FX_TLS_ENV_CA), nng_strerror(rv));
    /* both ways: a server takes only clients with a certificate of the CA,
     * a client only a server whose certificate names the host it dials */
    if (rc == 0 && (rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0)
        rc = fx_fail(err, errlen, FX_ENNG, "TLS authentication mode: %s", nng_strerror(rv));
    if (rc == 0 && !server) {
        if (server_name == NULL || *server_name == '\0')
            rc = fx_fail(err, errlen, FX_ECONFIG, "TLS: no server name to verify the certificate against");
        else if ((rv = nng_tls_config_server_name(cfg, server_name)) != 0)
            rc = fx_fail(err, errlen, FX_ENNG, "TLS server name %s: %s", server_name, nng_strerror(rv));
    }
    free(cert);
    if (key) memset(key, 0, strlen(key)); /* the private key does not linger in freed memory */
    free(key);
    free(ca);
    if (rc != 0) {
        if (cfg) nng_tls_config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

static int nng_fail(char *err, size_t errlen, int *nng_rv, int rv, const char *what, const char *url)
{
    if (nng_rv) *nng_rv = rv;
    return fx_fail(err, errlen, FX_ENNG, "cannot %s %s: %s", what, url, nng_strerror(rv));
}

int fx_tls_listen(nng_socket sock, const char *url, char *err, size_t errlen, int *nng_rv)
{
    if (nng_rv) *nng_rv = 0;
    if (!fx_tls_is_tls_url(url)) {
        int rv = nng_listen(sock, url, NULL, 0);
        return rv ? nng_fail(err, errlen, nng_rv, rv, "listen on", url) : 0;
    }
    nng_tls_config *cfg;
    int rc = fx_tls_config_new(&cfg, 1, NULL, err, errlen);
    if (rc != 0) return rc;
    nng_listener l;
    int rv = nng_listener_create(&l, sock, url);
    if (rv == 0 && (rv = nng_listener_set_ptr(l, NNG_OPT_TLS_CONFIG, cfg)) != 0) nng_listener_close(l);
    nng_tls_config_free(cfg); /* the listener holds it now (or nobody) */
    if (rv == 0 && (rv = nng_listener_start(l, 0)) != 0) nng_listener_close(l);
    return rv ? nng_fail(err, errlen, nng_rv, rv, "listen on", url) : 0;
}

int fx_tls_dial(nng_socket sock, const char *url, nng_tls_config *tls, nng_dialer *dialer, int flags, char *err,
    size_t errlen, int *nng_rv)
{
    if (nng_rv) *nng_rv = 0;
    if (!fx_tls_is_tls_url(url)) {
        int rv = nng_dial(sock, url, dialer, flags);
        return rv ? nng_fail(err, errlen, nng_rv, rv, "connect to", url) : 0;
    }
    nng_tls_config *cfg = tls;
    if (cfg == NULL) {
        char host[256];
        if (fx_tls_url_host(url, host, sizeof host) != 0)
            return fx_fail(err, errlen, FX_ECONFIG, "%s: expected tls+tcp://HOST:PORT", url);
        int rc = fx_tls_config_new(&cfg, 0, host, err, errlen);
        if (rc != 0) return rc;
    }
    nng_dialer d;
    int rv = nng_dialer_create(&d, sock, url);
    if (rv == 0 && (rv = nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg)) != 0) nng_dialer_close(d);
    if (tls == NULL) nng_tls_config_free(cfg); /* ours: the dialer holds it now */
    if (rv == 0 && (rv = nng_dialer_start(d, flags)) != 0) nng_dialer_close(d);
    if (rv != 0) return nng_fail(err, errlen, nng_rv, rv, "connect to", url);
    if (dialer) *dialer = d;
    return 0;
}
