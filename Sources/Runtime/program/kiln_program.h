/* kiln_program.h — what the generated model and the fixed program files share. It does not include the generated
 * model.h: the program files that are the same for every model (kiln_main.c, kiln_pool.c, kiln_profile.c,
 * kiln_trace.c) read the model through data (kiln_model_info.h, the tables below), never through its macros, so
 * their objects depend only on the compiler and its flags and `kiln compile` reuses them (its object cache).
 * The files compiled with each model: the generated ones (model.c: kiln_model_run, the node table, the class
 * names), kiln_model_info.c (model.h's facts as data), kiln_weights.c (where the weights come from) and, for
 * the Swift backend, kiln_swift_glue.c (the static arena and scratch). */
#ifndef KILN_PROGRAM_H
#define KILN_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "kiln_task.h"

/* Runs the model (model.h; defined by the generated model.c, or model.swift's kiln_model_run). */
int kiln_model_run(const void *const inputs[], void *const outputs[]);

extern const char *const kiln_labels[];
extern const size_t kiln_label_count;

/* One node of the plan, as the profiler sees it: its function, its index in the optimized graph, what it is,
 * and the work its kernel does (MACs; bytes moved: inputs, weights and output once each). */
typedef struct {
    void (*run)(const kiln_task *t); /* called by every thread of a parallel run (kiln_parallel) */
    int index;
    const char *name;
    const char *kernel;
    const char *shape;
    const char *layout;
    uint64_t macs;
    uint64_t bytes;
} kiln_node;

/* Every node function in order (kiln_model_run calls the same functions, directly, with a barrier between nodes). */
extern const kiln_node kiln_nodes[];
extern const size_t kiln_node_count;

/* --profile (kiln_profile.c): per-node medians of `runs` runs against the roofline of peak GFLOP/s and bandwidth
 * GB/s (measured when 0), printed, and written as JSON to json_path when not NULL. Returns the exit status. */
int kiln_profile(const void *const *inputs, void *const *outputs, long runs, const char *json_path, double peak, double bandwidth);

/* The weights mapped from BIN.weights (kiln_weights.c, --weights external). A program that links them in
 * (weights.S) names them kiln_weights_data; the generated model_internal.h then #defines kiln_weights to it. */
extern const float *kiln_weights;

/* Trace builds (-DKILN_TRACE, by `kiln verify`): after each node, its result goes to $KILN_TRACE_DIR/NNN.npy
 * (NNN: the node's index in the optimized graph) in its stored shape, [N, H, W, C] for an NHWC tensor, written by
 * part 0 of the run between two barriers (the node's parts are done; the next node's do not overwrite it yet).
 * Normal builds carry no tracing code. */
#ifdef KILN_TRACE
void kiln_trace(int node, const float *data, const int64_t *dims, int rank);
#define KILN_TRACE_NODE(t, node, data, rank, ...)                                                                 \
    do {                                                                                                          \
        kiln_sync(t);                                                                                             \
        if ((t)->part == 0) kiln_trace((node), (data), (const int64_t[]){__VA_ARGS__}, (rank));                   \
        kiln_sync(t);                                                                                             \
    } while (0)
#else
#define KILN_TRACE_NODE(t, node, data, rank, ...) ((void)0)
#endif

#endif
