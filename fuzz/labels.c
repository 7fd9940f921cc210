/* libFuzzer harness: the class-name reader's line splitting (kiln_labels_parse, what kiln_labels_read runs on a
 * file's bytes), then printing the top 5 with those names as a compiled program does. */
#include "kiln_runtime.h"
#include "../Sources/Runtime/kiln_internal.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char **names;
    size_t count;
    if (kiln_labels_parse(data, size, &names, &count) != KILN_OK) return 0;
    static FILE *sink;
    if (sink == NULL) sink = fopen("/dev/null", "w");
    float scores[8] = {0.1f, 0.9f, 0.3f, 0.2f, 0.5f, 0.4f, 0.8f, 0.7f};
    if (sink != NULL) kiln_print_topk(sink, scores, 8, 5, (const char *const *)names, count);
    kiln_labels_free(names, count);
    return 0;
}
