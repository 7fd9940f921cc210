/* libFuzzer harness: kiln_tensorproto_decode (the hand-written protobuf reader) on arbitrary bytes. */
#include "kiln_runtime.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char err[KILN_ERR_LEN];
    kiln_tensor t;
    if (kiln_tensorproto_decode(data, size, &t, err, sizeof err) == KILN_OK) kiln_tensor_free(&t);
    return 0;
}
