/* The roofline's two ceilings, measured on this machine for the instruction set the program was built for:
 *   peak: FMA throughput of one core, in GFLOP/s (2 flops per lane per FMA), from independent chains of the
 *         kernel library's own vector FMA (kiln_v_fma), so the width is the target's (16 for AVX-512, …); the
 *         chains are unrolled explicitly, since at -O2 (how programs are built) gcc kept them in memory and
 *         measured a quarter of the peak;
 *   bandwidth: a STREAM-like triad a[i] = b[i] + s * c[i] over arrays far larger than the caches, in GB/s
 *         (12 bytes per element: two reads and one write; write-allocate traffic not counted, as STREAM).
 * Each is the best of several short repetitions (about 0.3 s in all). Built with -DKILN_MACHINE_MAIN this file is
 * also the whole program `kiln bench --machine` runs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include "kiln_kernels_vec.h"
#include "kiln_machine.h"
#include "kiln_runtime.h"

#define KILN_CHAINS 12

double kiln_measure_peak_gflops(void) {
    kiln_v acc[KILN_CHAINS];
    for (int i = 0; i < KILN_CHAINS; i++) acc[i] = kiln_v_set1(0.001f * (float)i);
    const kiln_v a = kiln_v_set1(0.999999f), b = kiln_v_set1(1e-7f);
    const long iterations = 2000000;
    double best = 0.0;
    for (int rep = 0; rep < 5; rep++) {
        double start = kiln_now_ms();
        for (long it = 0; it < iterations; it++) {
            KILN_UNROLL for (int i = 0; i < KILN_CHAINS; i++) acc[i] = kiln_v_fma(acc[i], a, b);
        }
        double seconds = (kiln_now_ms() - start) / 1e3;
        double gflops = 2.0 * KILN_VW * KILN_CHAINS * (double)iterations / seconds / 1e9;
        if (gflops > best) best = gflops;
    }
    float sink = 0.0f;
    for (int i = 0; i < KILN_CHAINS; i++) sink += kiln_v_reduce_add(acc[i]);
    if (sink == 12345.0f) fprintf(stderr, "%f\n", (double)sink); /* the result is used */
    return best;
}

double kiln_measure_bandwidth_gbs(void) {
    const size_t n = (size_t)16 << 20; /* 64 MiB per array */
    float *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *c = malloc(n * sizeof *c);
    if (a == NULL || b == NULL || c == NULL) {
        free(a);
        free(b);
        free(c);
        return 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        a[i] = 0.0f;
        b[i] = 1.0f;
        c[i] = 2.0f;
    }
    double best = 0.0;
    for (int rep = 0; rep < 4; rep++) {
        double start = kiln_now_ms();
        for (size_t i = 0; i < n; i++) a[i] = b[i] + 3.0f * c[i];
        double seconds = (kiln_now_ms() - start) / 1e3;
        double gbs = 12.0 * (double)n / seconds / 1e9;
        if (gbs > best) best = gbs;
    }
    if (a[n / 2] != 7.0f) best = 0.0; /* the triad ran */
    free(a);
    free(b);
    free(c);
    return best;
}

#ifdef KILN_MACHINE_MAIN
int main(void) {
    double peak = kiln_measure_peak_gflops(), bandwidth = kiln_measure_bandwidth_gbs();
    printf("{\"isa\": \"%s\", \"peak_gflops\": %.2f, \"bandwidth_gbs\": %.2f}\n", KILN_ISA_NAME, peak, bandwidth);
    return 0;
}
#endif
