#include <stdio.h>
#include "CtfixCShims.h"

int ctfix_format_double(char *buffer, size_t size, const char *format, double value) {
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"
#endif
    return snprintf(buffer, size, format, value);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
}
