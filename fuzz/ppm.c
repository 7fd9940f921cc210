/* libFuzzer harness: kiln_ppm_decode, then kiln_preprocess of the image to a size, normalization and layout taken
 * from the first input byte (up- and downscaling, odd sizes), as a compiled program would. */
#include "kiln_runtime.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    static const int64_t sides[8] = {1, 2, 3, 7, 16, 31, 64, 224};
    char err[KILN_ERR_LEN];
    if (size < 1) return 0;
    unsigned char choice = data[0];
    kiln_image img;
    if (kiln_ppm_decode(data + 1, size - 1, &img, err, sizeof err) != KILN_OK) return 0;
    int64_t h = sides[choice & 7], w = sides[(choice >> 3) & 7];
    float *out = malloc((size_t)(3 * h * w) * sizeof *out);
    if (out != NULL)
        kiln_preprocess(&img, h, w, (choice >> 6) & 1 ? KILN_NORM_INCEPTION : KILN_NORM_IMAGENET,
                        (choice >> 7) & 1 ? KILN_LAYOUT_NHWC : KILN_LAYOUT_NCHW, out, err, sizeof err);
    free(out);
    kiln_image_free(&img);
    return 0;
}
