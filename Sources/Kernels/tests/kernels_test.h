/* kernels_test.h — what the parts of the kernel test program share (see kernels_test.c). */
#ifndef KILN_KERNELS_TEST_H
#define KILN_KERNELS_TEST_H

#include "kiln_kernels.h"

extern long checks, failures;
/* Uniform in [-1, 1). */
float frand(void);
/* n values scale * frand(), malloc'd. */
float *randv(size_t n, float scale);
/* Counts a check; a failure when |got - ref| > 1e-5 * (|ref| + scale). */
void check(const char *what, size_t index, float got, double ref, double scale);
/* Counts a check; a failure unless got equals want bit for bit (kernels_test_mbconv.c). */
void check_bits(const char *what, const float *got, const float *want, size_t count);
/* Random expand (1x1, cin -> c) and depthwise (k x k) weights, packed: *pe and *pd, malloc'd (kernels_test_mbconv.c). */
void mb_packed_weights(size_t cin, size_t c, size_t k, float **pe, float **pd);
/* The generic kernels (kernels_test_generic.c). */
void test_generic(void);
/* The kiln_*_part wrappers on 1 to 5 threads (kernels_test_parallel.c). */
void test_parallel(void);
/* The expand + depthwise fusion (kernels_test_mbconv.c). */
void test_mbconv(void);
/* The same, compiled as generated code compiles it (kernels_test_mbconv_specialized.c). */
void test_mbconv_specialized(void);

#endif
