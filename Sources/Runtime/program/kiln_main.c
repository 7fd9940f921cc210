/* The command-line program around a generated model (which it reads through kiln_model_info.h):
 *
 *   ./BIN INPUT... [-o out.npy]... [--top K] [--bench N] [--profile N [--profile-json FILE]] [--peak-gflops G]
 *         [--bandwidth-gbs B] [--threads N]
 *   ./BIN --machine
 *
 * Reads one INPUT per model input, in order, with the runtime (a float32 input: .npy, TensorProto .pb, or a PPM
 * image preprocessed as chosen at compile time; other element types: .npy or .pb of that type), runs the model,
 * and prints the top-K classes of the first output or writes the outputs: the k-th -o names the file of output k
 * (outputs beyond the last -o are not written). --bench N prints the min and median of N timed runs after a
 * warm-up (and the top-K too when --top is given); --profile N times every node (kiln_profile.c) against the
 * roofline of this machine, measured unless --peak-gflops and --bandwidth-gbs give it; --machine prints that
 * measurement as JSON. --threads N (else $KILN_THREADS, else the CPUs the process may run on) sizes the thread
 * pool the nodes' kernels share (kiln_pool.c); results are the same for every count. Bad arguments or input: one
 * line on stderr, exit status 2. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "kiln_kernels_vec.h"
#include "kiln_machine.h"
#include "kiln_model_info.h"
#include "kiln_program.h"
#include "kiln_runtime.h"

#define KILN_MAX_COUNT 1000000L
#define KILN_STRINGIFY_(x) #x
#define KILN_STRINGIFY(x) KILN_STRINGIFY_(x)

/* A one-input model compiled for a batch of N > 1 (kiln compile --batch N) takes its input as one file of the
 * whole batch or as N files of one image each; N, else 1. */
static long batch_files(void) {
    if (kiln_model_input_count != 1) return 1;
    const kiln_io *t = &kiln_model_inputs[0];
    return t->type == KILN_TYPE_FLOAT && t->rank >= 1 && t->dims[0] > 1 ? (long)t->dims[0] : 1;
}

static int usage(const char *argv0, const char *problem, const char *what) {
    if (problem != NULL) fprintf(stderr, "error: %s%s\n", problem, what != NULL ? what : "");
    if (kiln_model_input_count == 1)
        fprintf(stderr,
                "usage: %s INPUT [-o out.npy] [--top K] [--bench N] [--profile N [--profile-json FILE]] [--threads N]\n"
                "  INPUT: .npy (float32), ONNX TensorProto .pb, or a PPM image (preprocessing: %s)\n",
                argv0, kiln_model_preprocess_name);
    if (batch_files() > 1)
        fprintf(stderr, "  a batch of %ld: one INPUT of the whole batch, or %ld INPUTs of one image each\n", batch_files(),
                batch_files());
    else if (kiln_model_input_count != 1)
        fprintf(stderr,
                "usage: %s INPUT x %d [-o out.npy] x up to %d [--top K] [--bench N] [--threads N]\n"
                "  INPUT: .npy or ONNX TensorProto .pb of the input's element type (a float32 one may be a PPM image)\n",
                argv0, kiln_model_input_count, kiln_model_output_count);
    return 2;
}

/* How an image feeds the input: NHWC for a [1, H, W, 3] input (Keras), else NCHW. */
static kiln_layout image_layout(const kiln_io *t) {
    return t->rank == 4 && t->dims[3] == 3 && t->dims[1] != 3 ? KILN_LAYOUT_NHWC : KILN_LAYOUT_NCHW;
}

/* A zeroed, 64-byte aligned buffer for count elements of `type`; NULL when out of memory. */
static void *tensor_buffer(int type, size_t count) {
    size_t bytes = (count ? count : 1) * kiln_type_size(type);
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (p != NULL) memset(p, 0, (bytes + 63) / 64 * 64);
    return p;
}

/* A positive number (GFLOP/s, GB/s), or -1. */
static double parse_rate(const char *text) {
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v > 0) || v > 1e9) return -1;
    return v;
}

/* A count from 1 to max, or -1. */
static long parse_count_to(const char *text, long max) {
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 1 || v > max) return -1;
    return v;
}

/* A count from 1 to KILN_MAX_COUNT, or -1. */
static long parse_count(const char *text) { return parse_count_to(text, KILN_MAX_COUNT); }

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

/* Reads the inputs: one file per model input, or the batch_files() images of a batched one-input model into their
 * slices of the batch. 0, or 2 after printing the error. */
static int load_inputs(const char *const *paths, long given, void *const inputs[]) {
    char err[KILN_ERR_LEN];
    long files = given > 1 ? batch_files() : 1;
    if (kiln_model_input_count == 1 && given > 1 && given != files) {
        fprintf(stderr, "error: this program takes a batch of %ld: give one input of the whole batch or %ld images, not %ld\n",
                files, files, given);
        return 2;
    }
    for (long i = 0; i < (kiln_model_input_count == 1 ? files : kiln_model_input_count); i++) {
        int k = kiln_model_input_count == 1 ? 0 : (int)i;
        kiln_io t = kiln_model_inputs[k];
        unsigned char *at = (unsigned char *)inputs[k];
        if (files > 1) { /* one image of the batch: [1, ...] at the i-th slice */
            t.count /= (size_t)t.dims[0];
            t.dims[0] = 1;
            at += (size_t)i * t.count * kiln_type_size(t.type);
        }
        kiln_status st = t.type == KILN_TYPE_FLOAT
            ? kiln_load_input(paths[i], t.dims, t.rank, kiln_model_preprocess, image_layout(&t), (float *)at, t.count, err, sizeof err)
            : kiln_load_typed(paths[i], t.type, t.dims, t.rank, at, t.count, err, sizeof err);
        if (st != KILN_OK) {
            fprintf(stderr, "error: %s\n", err);
            return 2;
        }
    }
    return 0;
}

/* The top-K classes of the first output: of each image when the output has the batch's rows (named by their files
 * when the batch came as one file each), else of the whole output. */
static void print_top(float *scores, long top, const char *const *paths, long given) {
    size_t images = batch_files(), count = kiln_model_outputs[0].count;
    if (kiln_model_outputs[0].rank < 1 || kiln_model_outputs[0].dims[0] != (int64_t)images) images = 1;
    count /= images;
    for (size_t i = 0; i < images; i++, scores += count) {
        if (images > 1 && given > 1) printf("%s:\n", paths[i]);
        else if (images > 1) printf("image %zu:\n", i);
        if (!kiln_looks_like_probabilities(scores, count)) kiln_softmax(scores, scores, count);
        size_t k = (size_t)top < count ? (size_t)top : count;
        kiln_print_topk(stdout, scores, count, k, kiln_label_count ? kiln_labels : NULL, kiln_label_count);
    }
}

/* The program: main's arguments, with room for their input and output paths. */
static int run(int argc, char **argv, const char **input_paths, const char **output_paths) {
    int inputs_given = 0, outputs_given = 0;
    const char *profile_json = NULL;
    long top = 5, bench = 0, profile = 0, threads = 0;
    double peak = 0, bandwidth = 0;
    int top_given = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int takes_value = strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0 || strcmp(arg, "--top") == 0
                          || strcmp(arg, "--bench") == 0 || strcmp(arg, "--profile") == 0 || strcmp(arg, "--profile-json") == 0
                          || strcmp(arg, "--peak-gflops") == 0 || strcmp(arg, "--bandwidth-gbs") == 0
                          || strcmp(arg, "--threads") == 0;
        if (takes_value && i + 1 >= argc) return usage(argv[0], "missing value for ", arg);
        if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (outputs_given >= kiln_model_output_count) return usage(argv[0], "more -o than the model has outputs: ", argv[i + 1]);
            output_paths[outputs_given++] = argv[++i];
        } else if (strcmp(arg, "--top") == 0) {
            if ((top = parse_count(argv[++i])) < 0) return usage(argv[0], "--top needs a count from 1 to 1000000, not ", argv[i]);
            top_given = 1;
        } else if (strcmp(arg, "--bench") == 0) {
            if ((bench = parse_count(argv[++i])) < 0) return usage(argv[0], "--bench needs a count from 1 to 1000000, not ", argv[i]);
        } else if (strcmp(arg, "--profile") == 0) {
            if ((profile = parse_count(argv[++i])) < 0) return usage(argv[0], "--profile needs a count from 1 to 1000000, not ", argv[i]);
        } else if (strcmp(arg, "--threads") == 0) {
            if ((threads = parse_count_to(argv[++i], KILN_MAX_THREADS)) < 0)
                return usage(argv[0], "--threads needs a count from 1 to " KILN_STRINGIFY(KILN_MAX_THREADS) ", not ", argv[i]);
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
        } else if (inputs_given >= (kiln_model_input_count == 1 ? batch_files() : kiln_model_input_count)) {
            return usage(argv[0], batch_files() == 1 && kiln_model_input_count == 1 ? "more than one input: " : "more inputs than the model takes: ", arg);
        } else {
            input_paths[inputs_given++] = arg;
        }
    }
    const char *env_threads = getenv("KILN_THREADS");
    if (threads == 0 && env_threads != NULL && parse_count_to(env_threads, KILN_MAX_THREADS) < 0)
        return usage(argv[0], "KILN_THREADS needs a count from 1 to " KILN_STRINGIFY(KILN_MAX_THREADS) ", not ", env_threads);
    kiln_set_threads((size_t)threads);
    if (inputs_given < kiln_model_input_count) return usage(argv[0], inputs_given == 0 ? "no input file given" : "too few input files", NULL);
    if (profile_json != NULL && profile == 0) return usage(argv[0], "--profile-json needs --profile N", NULL);
    if (profile > 0 && (bench > 0 || outputs_given > 0)) {
        return usage(argv[0], "--profile runs alone: not with --bench or -o", NULL);
    }
    char err[KILN_ERR_LEN];
    if (kiln_weights_load(argv[0], err, sizeof err) != 0) {
        fprintf(stderr, "error: %s\n", err);
        return 2;
    }
    void **inputs = calloc((size_t)kiln_model_input_count + 1, sizeof *inputs);
    void **outputs = calloc((size_t)kiln_model_output_count + 1, sizeof *outputs);
    int status = 2;
    if (inputs == NULL || outputs == NULL) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
    }
    for (int k = 0; k < kiln_model_input_count + kiln_model_output_count; k++) {
        const kiln_io *t = k < kiln_model_input_count ? &kiln_model_inputs[k] : &kiln_model_outputs[k - kiln_model_input_count];
        void *p = tensor_buffer(t->type, t->count);
        if (p == NULL) {
            fprintf(stderr, "error: out of memory\n");
            goto done;
        }
        if (k < kiln_model_input_count) inputs[k] = p;
        else outputs[k - kiln_model_input_count] = p;
    }
    if (load_inputs(input_paths, inputs_given, inputs) != 0) goto done;
    if (profile > 0) {
        status = kiln_profile((const void *const *)inputs, outputs, profile, profile_json, peak, bandwidth);
        goto done;
    }
    if (bench > 0) {
        kiln_model_run((const void *const *)inputs, outputs); /* warm-up */
        double *times = malloc((size_t)bench * sizeof *times);
        if (times == NULL) {
            fprintf(stderr, "error: out of memory\n");
            goto done;
        }
        for (long i = 0; i < bench; i++) {
            double start = kiln_now_ms();
            kiln_model_run((const void *const *)inputs, outputs);
            times[i] = kiln_now_ms() - start;
        }
        qsort(times, (size_t)bench, sizeof *times, compare_doubles);
        printf("min %.2f ms  median %.2f ms  peak RSS %.1f MiB  threads %zu\n", times[0], times[bench / 2], peak_rss_mib(),
               kiln_threads());
        free(times);
    } else {
        kiln_model_run((const void *const *)inputs, outputs);
    }
    for (int k = 0; k < outputs_given; k++) {
        const kiln_io *t = &kiln_model_outputs[k];
        if (kiln_npy_write_typed(output_paths[k], t->type, outputs[k], t->dims, t->rank, err, sizeof err) != KILN_OK) {
            fprintf(stderr, "error: %s\n", err);
            goto done;
        }
    }
    if (outputs_given == 0 && (bench == 0 || top_given) && kiln_model_output_count > 0 && kiln_model_outputs[0].type == KILN_TYPE_FLOAT)
        print_top(outputs[0], top, input_paths, inputs_given);
    status = 0;
done: /* every buffer freed, on every path: the sanitizer builds check for leaks */
    for (int k = 0; inputs != NULL && k < kiln_model_input_count; k++) free(inputs[k]);
    for (int k = 0; outputs != NULL && k < kiln_model_output_count; k++) free(outputs[k]);
    free(inputs);
    free(outputs);
    return status;
}

int main(int argc, char **argv) {
    /* Room for every argument: a batched model takes one input file per image. */
    const char **input_paths = calloc((size_t)argc + (size_t)kiln_model_input_count, sizeof *input_paths);
    const char **output_paths = calloc((size_t)kiln_model_output_count + 1, sizeof *output_paths);
    int status = input_paths != NULL && output_paths != NULL ? run(argc, argv, input_paths, output_paths)
                                                             : usage(argv[0], "out of memory", NULL);
    free(input_paths);
    free(output_paths);
    return status;
}
