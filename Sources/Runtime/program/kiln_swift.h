/* kiln_swift.h — what the Swift program of `kiln compile --backend swift` imports from C (its bridging header):
 * the thread pool (kiln_task.h: kiln_parallel, kiln_sync), the program's static memory and weights, defined by
 * kiln_swift_glue.c, and the trace writer of kiln_trace.c.
 * The rest of the program is this folder's C: kiln_main.c calls kiln_model_run, which the Swift program defines
 * (kiln_program.swift). */
#ifndef KILN_SWIFT_H
#define KILN_SWIFT_H

#include <stdint.h>

#include "kiln_task.h"

/* Non-null pointers import into Swift as non-optional (clang only; gcc compiles the glue without it). */
#if defined(__clang__)
#define KILN_NONNULL _Nonnull
#else
#define KILN_NONNULL
#endif

/* The arena of intermediate tensors (KILN_ARENA_BYTES), 64-byte aligned. */
float *KILN_NONNULL kiln_swift_arena(void);
/* The kernels' scratch memory (KILN_SCRATCH_BYTES), 64-byte aligned. */
float *KILN_NONNULL kiln_swift_scratch(void);
/* The packed weights: linked in (weights.S) or mapped from BIN.weights (kiln_weights.c). */
const float *KILN_NONNULL kiln_swift_weights(void);

/* Trace builds only (-DKILN_TRACE, `-D KILN_TRACE` for swiftc): see kiln_program.h. */
void kiln_trace(int node, const float *KILN_NONNULL data, const int64_t *KILN_NONNULL dims, int rank);

#endif
