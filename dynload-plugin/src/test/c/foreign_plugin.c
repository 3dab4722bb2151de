/*
 * A plugin built for macOS (Mach-O) and Windows (PE) on this Linux machine: its manifest is read from the
 * file whatever the platform, so that `dynload plugin(s)` can list another platform's plugins. Only the
 * header and the compiler's freestanding headers: no C library of those platforms is needed.
 */
#include "dynload_plugin.h"

DLP_MANIFEST("id = com.example.portable\n"
             "version = 2.1.0\n"
             "abi = 1..1\n"
             "description = Built for another platform\n"
             "provides = com.example.portable/1.0: answer = i32()\n");

DLP_EXPORT int32_t portable_answer(void) {
    return 42;
}
