/* The C half of a Swift program (`kiln compile --backend swift`, built with -DKILN_SWIFT): the static arena and
 * scratch sized by model.h (so it is compiled with each model), and where the weights are. The C backend defines
 * these in its generated model.c and does not compile this file. */
#ifdef KILN_SWIFT
#include "kiln_program.h"
#include "kiln_swift.h"
#include "model.h"

static float kiln_arena[KILN_ARENA_BYTES / 4 + 1] __attribute__((aligned(64)));
static float kiln_scratch[KILN_SCRATCH_BYTES / 4 + 1] __attribute__((aligned(64)));

float *kiln_swift_arena(void) { return kiln_arena; }
float *kiln_swift_scratch(void) { return kiln_scratch; }

#if KILN_WEIGHTS_EXTERNAL
/* kiln_weights.c maps them before kiln_model_run is called. */
const float *kiln_swift_weights(void) { return kiln_weights; }
#else
/* weights.S links weights.bin in, 64-byte aligned. */
extern const float kiln_weights_data[];
const float *kiln_swift_weights(void) { return kiln_weights_data; }
#endif
#else
typedef int kiln_swift_glue_unused_; /* ISO C forbids an empty translation unit */
#endif
