/* kernels_bench.h — what the kernel benchmarks (kernels_bench.c, kernels_bench_mbconv.c) share: the instruction set
 * the compiler targets (-march=native), the kernel library, a clock of this thread's CPU time and deterministic
 * pseudo-random data. Not a test. */
#ifndef KILN_KERNELS_BENCH_H
#define KILN_KERNELS_BENCH_H

#define _POSIX_C_SOURCE 200809L
#if defined(__AVX512F__)
#define KILN_TARGET_AVX512
#elif defined(__AVX2__) && defined(__FMA__)
#define KILN_TARGET_AVX2
#endif
#include "kiln_kernels.h"
#include "kiln_pack.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds of this thread's CPU time: the machine may be shared. */
static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* n floats in [-0.5, 0.5), the same on every run (at least one float, so n = 0 is a valid buffer). */
static float *randv(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

#endif
