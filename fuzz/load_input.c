/* libFuzzer harness: kiln_load_input, the loader kiln run and compiled programs call, on a file holding the bytes,
 * named .npy, .pb, .ppm or .bin by the first byte and expected to be one of a few shapes (images included). */
#include "kiln_runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    static const char *const suffixes[4] = {".npy", ".pb", ".ppm", ".bin"};
    static const int64_t shapes[4][4] = {{1, 3, 8, 8}, {2, 3}, {1, 8, 8, 3}, {3, 5, 4, 0}};
    static const int ranks[4] = {4, 2, 4, 3};
    static char paths[4][64];
    if (size < 1) return 0;
    unsigned choice = data[0];
    char *path = paths[choice & 3];
    if (path[0] == '\0') snprintf(path, sizeof paths[0], "%s/kiln-fuzz-%ld%s", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
                 (long)getpid(), suffixes[choice & 3]);
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    int shape = (choice >> 2) & 3;
    size_t count = 1;
    for (int i = 0; i < ranks[shape]; i++) count *= (size_t)shapes[shape][i];
    float *out = malloc((count ? count : 1) * sizeof *out);
    char err[KILN_ERR_LEN];
    if (out != NULL)
        kiln_load_input(path, shapes[shape], ranks[shape], (choice >> 4) & 1 ? KILN_NORM_INCEPTION : KILN_NORM_IMAGENET,
                        shape == 2 ? KILN_LAYOUT_NHWC : KILN_LAYOUT_NCHW, out, count, err, sizeof err);
    free(out);
    return 0;
}
