/* Trace builds only (see kiln_program.h). */
#ifdef KILN_TRACE
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "kiln_program.h"
#include "kiln_runtime.h"

void kiln_trace(int node, const float *data, const int64_t *dims, int rank) {
    const char *dir = getenv("KILN_TRACE_DIR");
    if (dir == NULL) return;
    char path[4096], err[KILN_ERR_LEN];
    snprintf(path, sizeof path, "%s/%03d.npy", dir, node);
    if (kiln_npy_write(path, data, dims, rank, err, sizeof err) != KILN_OK) fprintf(stderr, "kiln trace: %s\n", err);
}
#else
typedef int kiln_trace_unused_; /* ISO C forbids an empty translation unit */
#endif
