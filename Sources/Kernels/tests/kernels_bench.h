/* kernels_bench.h — what the kernel benchmarks (kernels_bench.c, kernels_bench_mbconv.c) share: the instruction set
 * the compiler targets (-march=native), the kernel library, a clock of this thread's CPU time and deterministic
 * pseudo-random data. Not a test. */
#ifndef KILN_KERNELS_BENCH_H
#define KILN_KERNELS_BENCH_H

#define _POSIX_C_SOURCE 200809L
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define KILN_TARGET_AVX512
#elif defined(__AVX2__) && defined(__FMA__)
#define KILN_TARGET_AVX2
#endif
#define KILN_SPECIALIZED_CALLS 1 /* the shapes are literal constants, as in generated code */
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

/* n floats in [-0.5, 0.5), the same on every run (at least one float, so n = 0 is a valid buffer), 64-byte aligned
 * as the program's arena, weights and scratch are: with malloc's 16-byte alignment every vector load split a cache
 * line, and the depthwise kernels measured 1.4x slower than in programs. */
static float *randv(size_t n) {
    float *p = aligned_alloc(64, ((n ? n : 1) * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

#endif
