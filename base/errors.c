#include "base/errors.h"

const char *fx_strerror(int err)
{
    switch (err) {
    case FX_OK: return "ok";
    case FX_EINVAL: return "invalid argument";
    case FX_ENOTFOUND: return "not found";
    case FX_EEXIST: return "already exists";
    case FX_ENOMEM: return "out of memory";
    case FX_EDB: return "database error";
    case FX_EREDIS: return "redis error";
    case FX_ENNG: return "messaging error";
    case FX_ECONFIG: return "configuration error";
    case FX_ETOOBIG: return "limit exceeded";
    case FX_EUNAVAIL: return "dependency unavailable";
    default: return "unknown error";
    }
}
