/* The model's facts as data (kiln_model_info.h), from the generated model.h's macros. Compiled with each model, so
 * that the program files reading them are not. */
#include "kiln_model_info.h"
#include "model.h"

const kiln_io kiln_model_inputs[] = KILN_INPUT_TABLE;
const int kiln_model_input_count = KILN_INPUTS;
const kiln_io kiln_model_outputs[] = KILN_OUTPUT_TABLE;
const int kiln_model_output_count = KILN_OUTPUTS;
const size_t kiln_model_scratch_bytes = KILN_SCRATCH_BYTES;
const kiln_norm kiln_model_preprocess = KILN_PREPROCESS;
const char kiln_model_preprocess_name[] = KILN_PREPROCESS_NAME;
