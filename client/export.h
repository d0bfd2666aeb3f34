/*
 * Symbol visibility of libfxclient (private to the library sources).
 *
 * The library is compiled with -fvisibility=hidden so that only the fxc_*
 * functions of include/fx/client.h are exported from the shared object;
 * every public definition is marked FXC_API, everything else stays internal.
 */
#ifndef FXC_EXPORT_H
#define FXC_EXPORT_H

#define FXC_API __attribute__((visibility("default")))

#endif
