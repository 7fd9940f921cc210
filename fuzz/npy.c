/* libFuzzer harness: kiln_npy_decode on arbitrary bytes. Any status is fine; a crash, leak or sanitizer report
 * is a bug. Built and run by scripts/fuzz.sh. */
#include "kiln_runtime.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char err[KILN_ERR_LEN];
    kiln_tensor t;
    if (kiln_npy_decode(data, size, &t, err, sizeof err) == KILN_OK) kiln_tensor_free(&t);
    return 0;
}
