#include "proto/wire.h"

#include "base/utf8.h"

#include <protobuf-c/protobuf-c.h>
#include <stdio.h>

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end) return -1;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

int fx_wire_count(const uint8_t *buf, size_t len, const uint32_t *path, size_t depth, size_t *count)
{
    const uint8_t *p = buf, *end = buf + len;
    size_t n = 0;
    while (p < end) {
        uint64_t key, v;
        if (varint(&p, end, &key) != 0) return -1;
        uint32_t field = (uint32_t)(key >> 3);
        const uint8_t *value = p;
        size_t value_len = 0;
        switch (key & 7) {
        case 0: /* varint */
            if (varint(&p, end, &v) != 0) return -1;
            break;
        case 1: /* 64-bit */
            if (end - p < 8) return -1;
            p += 8;
            break;
        case 2: /* length-delimited */
            if (varint(&p, end, &v) != 0 || v > (uint64_t)(end - p)) return -1;
            value = p, value_len = (size_t)v;
            p += v;
            break;
        case 5: /* 32-bit */
            if (end - p < 4) return -1;
            p += 4;
            break;
        default: /* groups (3, 4) are not used by our schemas */
            return -1;
        }
        if (field != path[0]) continue;
        if (depth == 1) {
            n++;
        } else if ((key & 7) == 2) {
            size_t inner = 0;
            if (fx_wire_count(value, value_len, path + 1, depth - 1, &inner) != 0) return -1;
            n += inner;
        }
    }
    *count = n;
    return 0;
}

int fx_wire_check_strings(const uint8_t *buf, size_t len, const struct ProtobufCMessageDescriptor *desc, char *field,
    size_t fieldlen)
{
    const uint8_t *p = buf, *end = buf + len;
    while (p < end) {
        uint64_t key, v;
        if (varint(&p, end, &key) != 0) return 0;
        switch (key & 7) {
        case 0:
            if (varint(&p, end, &v) != 0) return 0;
            continue;
        case 1:
            if (end - p < 8) return 0;
            p += 8;
            continue;
        case 5:
            if (end - p < 4) return 0;
            p += 4;
            continue;
        case 2:
            break;
        default:
            return 0;
        }
        if (varint(&p, end, &v) != 0 || v > (uint64_t)(end - p)) return 0;
        const uint8_t *value = p;
        p += v;
        const ProtobufCFieldDescriptor *f = protobuf_c_message_descriptor_get_field(desc, (unsigned)(key >> 3));
        if (f == NULL) continue; /* unknown to this schema: skipped by the unpacking too */
        if (f->type == PROTOBUF_C_TYPE_STRING && !fx_utf8_valid((const char *)value, (size_t)v)) {
            snprintf(field, fieldlen, "%s", f->name);
            return -1;
        }
        if (f->type == PROTOBUF_C_TYPE_MESSAGE
            && fx_wire_check_strings(value, (size_t)v, f->descriptor, field, fieldlen) != 0)
            return -1;
    }
    return 0;
}
