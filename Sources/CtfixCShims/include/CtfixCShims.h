#ifndef CTFIX_C_SHIMS_H
#define CTFIX_C_SHIMS_H

#include <stddef.h>

/// C's printf conversion of one double (`%.Nf`, `%.Ng`), called without Swift's `CVarArg`.
///
/// Swift reaches `vsnprintf` only through `withVaList`, whose `CVarArg` dynamic cast makes the
/// runtime scan every protocol-conformance record of the binary on first use. Here the variadic
/// call is made in C, where it is an ordinary call: the same glibc (or musl) conversion, so the
/// same bytes. Returns what snprintf returns (the length the text needs, or < 0).
int ctfix_format_double(char *buffer, size_t size, const char *format, double value);

#endif
