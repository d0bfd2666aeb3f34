/*
 * A look at a protobuf message's wire bytes before it is unpacked: how many
 * times a (nested) field occurs. protobuf-c allocates every element of a
 * repeated field while unpacking, ~30 times the bytes of an empty element,
 * so the request handler counts first and refuses a request over its
 * limits without allocating. Pure, any thread.
 */
#ifndef FX_PROTO_WIRE_H
#define FX_PROTO_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Counts the occurrences of field path[depth - 1] inside every occurrence
 * of the length-delimited fields path[0] > path[1] > ... of `buf`. Returns 0
 * with *count, or -1 when the bytes are not a well-formed message. */
int fx_wire_count(const uint8_t *buf, size_t len, const uint32_t *path, size_t depth, size_t *count);

struct ProtobufCMessageDescriptor;

/* Checks every string field of a message of type `desc` (and of the
 * messages inside it) in its wire bytes: protobuf-c hands strings over
 * NUL-terminated, so "EUR\0junk" would be read as "EUR", and it does not
 * check UTF-8. Returns 0, or -1 with the field's name in `field` (e.g.
 * "symbol") when one holds a NUL byte or is not UTF-8; malformed bytes
 * return 0 (the unpacking refuses them). */
int fx_wire_check_strings(const uint8_t *buf, size_t len, const struct ProtobufCMessageDescriptor *desc, char *field,
    size_t fieldlen);

#endif
