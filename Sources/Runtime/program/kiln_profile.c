/* --profile N: per-node timing of the generated model (see kiln_program.h for the node table).
 *
 * After a warm-up run, N whole runs give the whole-run median; then N profiled runs time every node function
 * on its own (two clock reads around each), and each node's median is reported with its work and where it
 * stands against the roofline: the node's bound time is max(2·MACs / peak, bytes / bandwidth); the roofline
 * percentage is that bound time over the measured time, and the bound is whichever term is larger (with N
 * threads the peak is N cores'; the bandwidth stays the one measured from one core). The
 * profiler is always compiled in and costs nothing unless asked for: kiln_model_run never looks at it. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiln_kernels_vec.h"
#include "kiln_machine.h"
#include "kiln_program.h"
#include "kiln_runtime.h"

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, size_t n) {
    qsort(values, n, sizeof *values, compare_doubles);
    return n == 0 ? 0.0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0);
}

/* The JSON string for text the program itself holds (node names are sanitized at compile time, but quote and
 * backslash may remain). */
static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

typedef struct {
    double median_us, share, gflops, roofline, bound_us;
    const char *bound;
} kiln_row;

static kiln_row row_for(const kiln_node *node, double median_us, double total_us, double peak, double bandwidth) {
    kiln_row r;
    r.median_us = median_us;
    r.share = total_us > 0 ? median_us / total_us : 0.0;
    r.gflops = median_us > 0 ? 2.0 * (double)node->macs / (median_us * 1e3) : 0.0;
    double compute_us = peak > 0 ? 2.0 * (double)node->macs / (peak * 1e3) : 0.0;
    double memory_us = bandwidth > 0 ? (double)node->bytes / (bandwidth * 1e3) : 0.0;
    r.bound = compute_us >= memory_us ? "compute" : "memory";
    r.bound_us = compute_us >= memory_us ? compute_us : memory_us;
    r.roofline = median_us > 0 ? r.bound_us / median_us : 0.0;
    return r;
}

int kiln_profile(const void *const *inputs, void *const *outputs, long runs, const char *json_path, double peak, double bandwidth) {
    size_t count = kiln_node_count;
    double *whole = malloc((size_t)runs * sizeof *whole);
    double *times = malloc((size_t)runs * (count ? count : 1) * sizeof *times);
    double *medians = malloc((count ? count : 1) * sizeof *medians);
    if (whole == NULL || times == NULL || medians == NULL) {
        free(whole);
        free(times);
        free(medians);
        fprintf(stderr, "error: out of memory for %ld profiled runs\n", runs);
        return 2;
    }
    if (peak <= 0) peak = kiln_measure_peak_gflops();
    if (bandwidth <= 0) bandwidth = kiln_measure_bandwidth_gbs();
    size_t threads = kiln_threads();
    double core_peak = peak;
    peak *= (double)threads; /* every thread has its core's FMA units; the bandwidth stays the measured one's */

    kiln_model_run(inputs, outputs); /* warm-up */
    for (long r = 0; r < runs; r++) {
        double start = kiln_now_ms();
        kiln_model_run(inputs, outputs);
        whole[r] = (kiln_now_ms() - start) * 1e3;
    }
    for (long r = 0; r < runs; r++) {
        for (size_t i = 0; i < count; i++) {
            double start = kiln_now_ms();
            kiln_parallel(kiln_nodes[i].run, inputs, outputs);
            times[i * (size_t)runs + (size_t)r] = (kiln_now_ms() - start) * 1e3;
        }
    }
    double whole_us = median(whole, (size_t)runs), sum_us = 0.0;
    for (size_t i = 0; i < count; i++) {
        medians[i] = median(times + i * (size_t)runs, (size_t)runs);
        sum_us += medians[i];
    }

    printf("profile: %ld runs after a warm-up, %zu thread%s; roofline: peak %.1f GFLOP/s (%s, %.1f per core), bandwidth %.1f GB/s\n",
           runs, threads, threads == 1 ? "" : "s", peak, KILN_ISA_NAME, core_peak, bandwidth);
    printf("%4s  %-40s  %-26s  %-16s  %-6s  %12s  %10s  %10s  %6s  %7s  %8s  %s\n", "#", "node", "kernel", "output", "layout",
           "MACs", "bytes", "median us", "share", "GFLOP/s", "roofline", "bound");
    for (size_t i = 0; i < count; i++) {
        const kiln_node *n = &kiln_nodes[i];
        kiln_row r = row_for(n, medians[i], sum_us, peak, bandwidth);
        printf("%4d  %-40.40s  %-26s  %-16s  %-6s  %12llu  %10llu  %10.1f  %5.1f%%  %7.1f  %7.1f%%  %s\n", n->index, n->name,
               n->kernel, n->shape, n->layout, (unsigned long long)n->macs, (unsigned long long)n->bytes, r.median_us,
               100.0 * r.share, r.gflops, 100.0 * r.roofline, r.bound);
    }
    printf("sum of rows %.1f us; whole-run median %.1f us (rows are %.1f%% of it)\n", sum_us, whole_us,
           whole_us > 0 ? 100.0 * sum_us / whole_us : 0.0);

    int status = 0;
    if (json_path != NULL) {
        FILE *f = fopen(json_path, "w");
        if (f == NULL) {
            fprintf(stderr, "error: %s: cannot write the profile\n", json_path);
            status = 2;
        } else {
            fprintf(f, "{\"isa\": \"%s\", \"threads\": %zu, \"peak_gflops\": %.3f, \"bandwidth_gbs\": %.3f, \"runs\": %ld, ",
                    KILN_ISA_NAME, threads, peak, bandwidth, runs);
            fprintf(f, "\"whole_run_median_us\": %.3f, \"sum_us\": %.3f, \"layers\": [", whole_us, sum_us);
            for (size_t i = 0; i < count; i++) {
                const kiln_node *n = &kiln_nodes[i];
                kiln_row r = row_for(n, medians[i], sum_us, peak, bandwidth);
                fprintf(f, "%s\n  {\"index\": %d, \"name\": ", i ? "," : "", n->index);
                json_string(f, n->name);
                fprintf(f, ", \"kernel\": \"%s\", \"shape\": \"%s\", \"layout\": \"%s\", \"macs\": %llu, \"bytes\": %llu, ", n->kernel,
                        n->shape, n->layout, (unsigned long long)n->macs, (unsigned long long)n->bytes);
                fprintf(f, "\"median_us\": %.3f, \"share\": %.5f, \"gflops\": %.3f, \"roofline\": %.5f, \"bound\": \"%s\"}", r.median_us,
                        r.share, r.gflops, r.roofline, r.bound);
            }
            fprintf(f, "\n]}\n");
            if (fclose(f) != 0) {
                fprintf(stderr, "error: %s: cannot write the profile\n", json_path);
                status = 2;
            }
        }
    }
    free(whole);
    free(times);
    free(medians);
    return status;
}
