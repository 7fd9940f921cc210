/* kiln_task.h — what the kernel library and the program's thread pool (Sources/Runtime/program/kiln_pool.c)
 * agree on. A parallel run calls one function on every thread of the pool at once, each with its own task: the
 * caller's buffers, which part of the run it is, and the pool, whose barrier kiln_sync is. Kernels split their
 * work by t->part and t->parts (kiln_kernels_parallel.h). */
#ifndef KILN_TASK_H
#define KILN_TASK_H

#include <stddef.h>

struct kiln_pool;

/* One part of a parallel run. `scratch` is this part's own scratch memory, as large as the program's (part 0's is
 * NULL: it uses the program's scratch), for kernels whose parts each need a private buffer. */
typedef struct kiln_task {
    const void *const *inputs;
    void *const *outputs;
    size_t part, parts;
    struct kiln_pool *pool;
    float *scratch;
} kiln_task;

/* Waits until every part of t's run has reached this call: a barrier, after which each part sees what the
 * others wrote before it. Returns at once when the run has one part. */
void kiln_sync(const kiln_task *t);

/* Calls body on every thread of the process's pool (parts = the thread count), the caller's thread being part
 * 0, and returns when all parts have returned. The pool starts on first use with kiln_set_threads' count. */
void kiln_parallel(void (*body)(const kiln_task *t), const void *const *inputs, void *const *outputs);

/* The most threads a pool may have. */
#define KILN_MAX_THREADS 256

/* Sets the pool's thread count (1 to KILN_MAX_THREADS; clamped) before its first use; 0 means the default:
 * $KILN_THREADS when it is a valid count, else the number of CPUs this process may run on. Returns the count. */
size_t kiln_set_threads(size_t threads);

/* The pool's thread count (the default's when kiln_set_threads was not called). */
size_t kiln_threads(void);

#endif
