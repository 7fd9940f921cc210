/* kiln_model_info.h — the model as the program files read it: the generated model.h's facts as data, defined by
 * kiln_model_info.c (compiled with each model), so that kiln_main.c and kiln_pool.c are the same objects for
 * every model (see kiln_program.h). */
#ifndef KILN_MODEL_INFO_H
#define KILN_MODEL_INFO_H

#include <stddef.h>
#include <stdint.h>

#include "kiln_runtime.h"

/* One input or output of the model (model.h's KILN_INPUT_TABLE, KILN_OUTPUT_TABLE). */
typedef struct {
    int type; /* ONNX TensorProto code */
    int rank;
    int64_t dims[8];
    size_t count;
} kiln_io;

/* The inputs and outputs, in order: KILN_INPUTS and KILN_OUTPUTS entries (one dummy entry when there are none). */
extern const kiln_io kiln_model_inputs[];
extern const int kiln_model_input_count;
extern const kiln_io kiln_model_outputs[];
extern const int kiln_model_output_count;

/* The kernels' scratch (KILN_SCRATCH_BYTES): the pool gives every worker one as large. */
extern const size_t kiln_model_scratch_bytes;

/* How images are normalized (KILN_PREPROCESS, KILN_PREPROCESS_NAME: kiln compile --preprocess). */
extern const kiln_norm kiln_model_preprocess;
extern const char kiln_model_preprocess_name[];

/* Makes the weights ready (kiln_weights.c): with --weights external, maps BIN.weights from beside the executable
 * (argv0, or better its real path); linked-in weights need nothing. 0, or -1 with a message in err. */
int kiln_weights_load(const char *argv0, char *err, size_t errlen);

#endif
