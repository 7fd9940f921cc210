import IR

extension CPrinter {
    /// `main.c`: `./model INPUT [-o out.npy] [--top K] [--bench N]`. Reads the input with the runtime
    /// (npy, TensorProto or a PPM image preprocessed as chosen at compile time), runs the model, and
    /// prints the top-K classes or writes the output. Bad arguments or input: one line, exit 2.
    public func program(_ plan: KernelPlan) -> String {
        let norm = preprocess == "inception" ? "KILN_NORM_INCEPTION" : "KILN_NORM_IMAGENET"
        var out = """
        /* The command-line program around the generated model (see model.h). */
        #define _POSIX_C_SOURCE 200809L
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/resource.h>
        #include <unistd.h>

        #include "kiln_runtime.h"
        #include "model.h"

        """
        out += "static const char *const kiln_labels[] = {\n"
        for label in labels { out += "    \"\(Identifier.cString(label))\",\n" }
        out += "    NULL\n};\nstatic const size_t kiln_label_count = \(labels.count);\n\n"
        out += """
        static float kiln_input[KILN_INPUT_COUNT];
        static float kiln_output[KILN_OUTPUT_COUNT];

        static int usage(const char *argv0) {
            fprintf(stderr, "usage: %s INPUT [-o out.npy] [--top K] [--bench N]\\n"
                            "  INPUT: .npy (float32), ONNX TensorProto .pb, or a PPM image (preprocessing: \(preprocess))\\n", argv0);
            return 2;
        }

        static int parse_count(const char *text, long *value) {
            char *end = NULL;
            long v = strtol(text, &end, 10);
            if (end == text || *end != '\\0' || v < 0 || v > 1000000) return -1;
            *value = v;
            return 0;
        }

        static int compare_doubles(const void *a, const void *b) {
            double x = *(const double *)a, y = *(const double *)b;
            return (x > y) - (x < y);
        }

        int main(int argc, char **argv) {
            const char *input_path = NULL, *output_path = NULL;
            long top = 5, bench = 0;
            for (int i = 1; i < argc; i++) {
                if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
                    output_path = argv[++i];
                } else if (strcmp(argv[i], "--top") == 0 && i + 1 < argc) {
                    if (parse_count(argv[++i], &top) != 0) return usage(argv[0]);
                } else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc) {
                    if (parse_count(argv[++i], &bench) != 0) return usage(argv[0]);
                } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                    usage(argv[0]);
                    return 0;
                } else if (argv[i][0] == '-' || input_path != NULL) {
                    return usage(argv[0]);
                } else {
                    input_path = argv[i];
                }
            }
            if (input_path == NULL) return usage(argv[0]);
            char err[KILN_ERR_LEN];

        """
        if weights == .external {
            out += """
                char weights_path[4096];
                ssize_t length = readlink("/proc/self/exe", weights_path, sizeof weights_path - 16);
                if (length <= 0) {
                    snprintf(weights_path, sizeof weights_path - 16, "%s", argv[0]);
                    length = (ssize_t)strlen(weights_path);
                }
                weights_path[length] = '\\0';
                strcat(weights_path, ".weights");
                if (kiln_model_load_weights(weights_path, err, sizeof err) != 0) {
                    fprintf(stderr, "error: %s\\n", err);
                    return 2;
                }

            """
        }
        out += """
            const int64_t dims[] = KILN_INPUT_DIMS;
            if (kiln_load_input(input_path, dims, KILN_INPUT_RANK, \(norm), KILN_LAYOUT_NCHW, kiln_input,
                                KILN_INPUT_COUNT, err, sizeof err) != KILN_OK) {
                fprintf(stderr, "error: %s\\n", err);
                return 2;
            }
            if (bench > 0) {
                kiln_model_run(kiln_input, kiln_output); /* warm-up */
                double *times = malloc((size_t)bench * sizeof *times);
                if (times == NULL) {
                    fprintf(stderr, "error: out of memory\\n");
                    return 2;
                }
                for (long i = 0; i < bench; i++) {
                    double start = kiln_now_ms();
                    kiln_model_run(kiln_input, kiln_output);
                    times[i] = kiln_now_ms() - start;
                }
                qsort(times, (size_t)bench, sizeof *times, compare_doubles);
                struct rusage usage;
                double peak_mib = getrusage(RUSAGE_SELF, &usage) == 0 ? (double)usage.ru_maxrss / 1024.0 : 0.0;
                printf("min %.2f ms  median %.2f ms  peak RSS %.1f MiB\\n", times[0], times[bench / 2], peak_mib);
                free(times);
            } else {
                kiln_model_run(kiln_input, kiln_output);
            }
            if (output_path != NULL) {
                const int64_t out_dims[] = KILN_OUTPUT_DIMS;
                if (kiln_npy_write(output_path, kiln_output, out_dims, KILN_OUTPUT_RANK, err, sizeof err) != KILN_OK) {
                    fprintf(stderr, "error: %s\\n", err);
                    return 2;
                }
            } else if (bench == 0 && top > 0) {
                if (!kiln_looks_like_probabilities(kiln_output, KILN_OUTPUT_COUNT)) {
                    kiln_softmax(kiln_output, kiln_output, KILN_OUTPUT_COUNT);
                }
                size_t k = (size_t)top < (size_t)KILN_OUTPUT_COUNT ? (size_t)top : (size_t)KILN_OUTPUT_COUNT;
                kiln_print_topk(stdout, kiln_output, KILN_OUTPUT_COUNT, k, kiln_label_count ? kiln_labels : NULL, kiln_label_count);
            }
            return 0;
        }

        """
        return out
    }
}
