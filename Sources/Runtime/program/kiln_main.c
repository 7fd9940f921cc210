/* The command-line program around a generated model (configured by model.h, see kiln_program.h):
 *
 *   ./BIN INPUT [-o out.npy] [--top K] [--bench N] [--profile N [--profile-json FILE]] [--peak-gflops G]
 *         [--bandwidth-gbs B]
 *   ./BIN --machine
 *
 * Reads INPUT with the runtime (.npy, TensorProto .pb, or a PPM image preprocessed as chosen at compile time),
 * runs the model, and prints the top-K classes or writes the output tensor. --bench N prints the min and median
 * of N timed runs after a warm-up (and the top-K too when --top is given); --profile N times every node
 * (kiln_profile.c) against the roofline of this machine, measured unless --peak-gflops and --bandwidth-gbs give
 * it; --machine prints that measurement as JSON. Bad arguments or input: one line on stderr, exit status 2. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "kiln_machine.h"
#include "kiln_program.h"
#include "kiln_runtime.h"
#include "kiln_kernels_vec.h"

#define KILN_MAX_COUNT 1000000L

static float kiln_input[KILN_INPUT_COUNT];
static float kiln_output[KILN_OUTPUT_COUNT];

static int usage(const char *argv0, const char *problem, const char *what) {
    if (problem != NULL) fprintf(stderr, "error: %s%s\n", problem, what != NULL ? what : "");
    fprintf(stderr,
            "usage: %s INPUT [-o out.npy] [--top K] [--bench N] [--profile N [--profile-json FILE]]\n"
            "  INPUT: .npy (float32), ONNX TensorProto .pb, or a PPM image (preprocessing: %s)\n",
            argv0, KILN_PREPROCESS_NAME);
    return 2;
}

/* A positive number (GFLOP/s, GB/s), or -1. */
static double parse_rate(const char *text) {
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v > 0) || v > 1e9) return -1;
    return v;
}

/* A count from 1 to KILN_MAX_COUNT, or -1. */
static long parse_count(const char *text) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 1 || v > KILN_MAX_COUNT) return -1;
    return v;
}

/* Peak resident memory of this program: VmHWM belongs to the address space exec created, unlike getrusage's
 * ru_maxrss, which Linux carries over from the process that exec'd (a big parent such as a Python benchmark would
 * be counted). */
static double peak_rss_mib(void) {
    FILE *status = fopen("/proc/self/status", "r");
    if (status != NULL) {
        char line[256];
        long kib = -1;
        while (fgets(line, sizeof line, status) != NULL) {
            if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
        }
        fclose(status);
        if (kib >= 0) return (double)kib / 1024.0;
    }
    struct rusage usage;
    return getrusage(RUSAGE_SELF, &usage) == 0 ? (double)usage.ru_maxrss / 1024.0 : 0.0;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#if KILN_WEIGHTS_EXTERNAL
/* BIN.weights beside the executable (its real path, so a symlink or PATH lookup still finds it). */
static int load_weights(const char *argv0, char *err, size_t errlen) {
    char path[4096];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path - 16);
    if (length <= 0) {
        snprintf(path, sizeof path - 16, "%s", argv0);
        length = (ssize_t)strlen(path);
    }
    path[length] = '\0';
    strcat(path, ".weights");
    return kiln_model_load_weights(path, err, errlen);
}
#endif

int main(int argc, char **argv) {
    const char *input_path = NULL, *output_path = NULL;
    const char *profile_json = NULL;
    long top = 5, bench = 0, profile = 0;
    double peak = 0, bandwidth = 0;
    int top_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int takes_value = strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0 || strcmp(arg, "--top") == 0
                          || strcmp(arg, "--bench") == 0 || strcmp(arg, "--profile") == 0 || strcmp(arg, "--profile-json") == 0
                          || strcmp(arg, "--peak-gflops") == 0 || strcmp(arg, "--bandwidth-gbs") == 0;
        if (takes_value && i + 1 >= argc) return usage(argv[0], "missing value for ", arg);
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            output_path = argv[++i];
        } else if (strcmp(arg, "--top") == 0) {
            if ((top = parse_count(argv[++i])) < 0) return usage(argv[0], "--top needs a count from 1 to 1000000, not ", argv[i]);
            top_given = 1;
        } else if (strcmp(arg, "--bench") == 0) {
            if ((bench = parse_count(argv[++i])) < 0) return usage(argv[0], "--bench needs a count from 1 to 1000000, not ", argv[i]);
        } else if (strcmp(arg, "--profile") == 0) {
            if ((profile = parse_count(argv[++i])) < 0) return usage(argv[0], "--profile needs a count from 1 to 1000000, not ", argv[i]);
        } else if (strcmp(arg, "--profile-json") == 0) {
            profile_json = argv[++i];
        } else if (strcmp(arg, "--peak-gflops") == 0) {
            if ((peak = parse_rate(argv[++i])) < 0) return usage(argv[0], "--peak-gflops needs a positive number, not ", argv[i]);
        } else if (strcmp(arg, "--bandwidth-gbs") == 0) {
            if ((bandwidth = parse_rate(argv[++i])) < 0) return usage(argv[0], "--bandwidth-gbs needs a positive number, not ", argv[i]);
        } else if (strcmp(arg, "--machine") == 0) {
            double measured_peak = kiln_measure_peak_gflops(), measured_bandwidth = kiln_measure_bandwidth_gbs();
            printf("{\"isa\": \"%s\", \"peak_gflops\": %.2f, \"bandwidth_gbs\": %.2f}\n", KILN_ISA_NAME, measured_peak,
                   measured_bandwidth);
            return 0;
        } else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            usage(argv[0], NULL, NULL);
            return 0;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage(argv[0], "unknown option ", arg);
        } else if (input_path != NULL) {
            return usage(argv[0], "more than one input: ", arg);
        } else {
            input_path = arg;
        }
    }
    if (input_path == NULL) return usage(argv[0], "no input file given", NULL);
    if (profile_json != NULL && profile == 0) return usage(argv[0], "--profile-json needs --profile N", NULL);
    if (profile > 0 && (bench > 0 || output_path != NULL)) {
        return usage(argv[0], "--profile runs alone: not with --bench or -o", NULL);
    }
    char err[KILN_ERR_LEN];
#if KILN_WEIGHTS_EXTERNAL
    if (load_weights(argv[0], err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
#endif
    const int64_t dims[] = KILN_INPUT_DIMS;
    if (kiln_load_input(input_path, dims, KILN_INPUT_RANK, KILN_PREPROCESS, KILN_LAYOUT_NCHW, kiln_input, KILN_INPUT_COUNT,
                        err, sizeof err) != KILN_OK) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
    if (profile > 0) return kiln_profile(kiln_input, kiln_output, profile, profile_json, peak, bandwidth);
    if (bench > 0) {
        kiln_model_run(kiln_input, kiln_output); /* warm-up */
        double *times = malloc((size_t)bench * sizeof *times);
        if (times == NULL) {
            fprintf(stderr, "error: out of memory\n");
            return 2;
        }
        for (long i = 0; i < bench; i++) {
            double start = kiln_now_ms();
            kiln_model_run(kiln_input, kiln_output);
            times[i] = kiln_now_ms() - start;
        }
        qsort(times, (size_t)bench, sizeof *times, compare_doubles);
        printf("min %.2f ms  median %.2f ms  peak RSS %.1f MiB\n", times[0], times[bench / 2], peak_rss_mib());
        free(times);
    } else {
        kiln_model_run(kiln_input, kiln_output);
    }
    if (output_path != NULL) {
        const int64_t out_dims[] = KILN_OUTPUT_DIMS;
        if (kiln_npy_write(output_path, kiln_output, out_dims, KILN_OUTPUT_RANK, err, sizeof err) != KILN_OK) {
            fprintf(stderr, "error: %s\n", err);
            return 2;
        }
    } else if (bench == 0 || top_given) {
        if (!kiln_looks_like_probabilities(kiln_output, KILN_OUTPUT_COUNT)) {
            kiln_softmax(kiln_output, kiln_output, KILN_OUTPUT_COUNT);
        }
        size_t k = (size_t)top < (size_t)KILN_OUTPUT_COUNT ? (size_t)top : (size_t)KILN_OUTPUT_COUNT;
        kiln_print_topk(stdout, kiln_output, KILN_OUTPUT_COUNT, k, kiln_label_count ? kiln_labels : NULL, kiln_label_count);
    }
    return 0;
}
