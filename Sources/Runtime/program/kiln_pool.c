/* The program's thread pool (the contract is kiln_task.h): a few persistent pthreads that run each parallel run's
 * body beside the calling thread, and the barrier between a run's phases.
 *
 * A run publishes its body and buffers and bumps `run`; the workers, waiting for `run` to change, call the body
 * with their part, and every part ends the run at a barrier, so kiln_parallel returns only when all parts are
 * done. Waiting spins (a generated model separates its nodes by barriers a few microseconds apart), then yields
 * the CPU (so more threads than cores still make progress), and a worker idle between runs sleeps on a condition
 * variable. The barrier is a counter and a generation number: the last part to arrive resets the counter and
 * advances the generation, which releases the others; release/acquire order makes every part's writes before
 * the barrier visible to every part after it. No OpenMP: POSIX threads and C11 atomics only. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiln_task.h"
#include "kiln_model_info.h" /* kiln_model_scratch_bytes: each worker's private scratch */

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KILN_CPU_RELAX() _mm_pause()
#else
#define KILN_CPU_RELAX() ((void)0)
#endif

enum { KILN_SPINS_BEFORE_YIELD = 2000, KILN_SPINS_BEFORE_SLEEP = 20000 };

struct kiln_pool {
    size_t threads;
    /* the current run */
    void (*body)(const kiln_task *t);
    const void *const *inputs;
    void *const *outputs;
    atomic_uint run;
    /* the barrier */
    atomic_size_t arrived;
    atomic_uint generation;
    /* idle workers sleep here until `run` changes */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int started;
    /* each worker's private scratch (kiln_task.scratch) */
    float *scratch[KILN_MAX_THREADS];
};

static struct kiln_pool kiln_the_pool = {
    .threads = 0,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
};

/* Spins, then yields, until *word differs from seen. */
static void kiln_wait_change(atomic_uint *word, unsigned seen) {
    for (unsigned spins = 0; atomic_load_explicit(word, memory_order_acquire) == seen; spins++) {
        if (spins < KILN_SPINS_BEFORE_YIELD) KILN_CPU_RELAX();
        else sched_yield();
    }
}

void kiln_sync(const kiln_task *t) {
    if (t->parts <= 1) return;
    struct kiln_pool *pool = t->pool;
    unsigned generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (atomic_fetch_add_explicit(&pool->arrived, 1, memory_order_acq_rel) + 1 == t->parts) {
        atomic_store_explicit(&pool->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&pool->generation, generation + 1, memory_order_release);
    } else {
        kiln_wait_change(&pool->generation, generation);
    }
}

static void *kiln_worker(void *arg) {
    struct kiln_pool *pool = &kiln_the_pool;
    size_t part = (size_t)(uintptr_t)arg;
    kiln_task task = {NULL, NULL, part, 0, pool, pool->scratch[part]};
    unsigned seen = 0;
    for (;;) {
        unsigned spins = 0;
        while (atomic_load_explicit(&pool->run, memory_order_acquire) == seen && spins < KILN_SPINS_BEFORE_SLEEP) {
            KILN_CPU_RELAX();
            spins++;
        }
        if (atomic_load_explicit(&pool->run, memory_order_acquire) == seen) {
            pthread_mutex_lock(&pool->lock);
            while (atomic_load_explicit(&pool->run, memory_order_acquire) == seen) pthread_cond_wait(&pool->wake, &pool->lock);
            pthread_mutex_unlock(&pool->lock);
        }
        seen = atomic_load_explicit(&pool->run, memory_order_acquire);
        task.inputs = pool->inputs;
        task.outputs = pool->outputs;
        task.parts = pool->threads;
        pool->body(&task);
        kiln_sync(&task);
    }
    return NULL;
}

/* A valid thread count from text, or 0. */
static size_t kiln_parse_threads(const char *text) {
    if (text == NULL || *text == '\0') return 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    return *end == '\0' && v >= 1 && v <= KILN_MAX_THREADS ? (size_t)v : 0;
}

size_t kiln_set_threads(size_t threads) {
    struct kiln_pool *pool = &kiln_the_pool;
    if (pool->started) return pool->threads;
    if (threads == 0) threads = kiln_parse_threads(getenv("KILN_THREADS"));
    if (threads == 0) {
        cpu_set_t cpus;
        threads = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? (size_t)CPU_COUNT(&cpus) : 1;
    }
    pool->threads = threads < 1 ? 1 : threads > KILN_MAX_THREADS ? KILN_MAX_THREADS : threads;
    return pool->threads;
}

size_t kiln_threads(void) {
    return kiln_the_pool.threads ? kiln_the_pool.threads : kiln_set_threads(0);
}

/* Each worker's stack: kernels keep their tiles in registers and small arrays, so 1 MiB is plenty for optimized code;
 * builds without optimization (scripts/sanitize.sh, whose -O0 frames with ASan's redzones reach megabytes) raise it. */
#ifndef KILN_WORKER_STACK_BYTES
#define KILN_WORKER_STACK_BYTES (1 << 20)
#endif

/* Starts the workers once, each with its private scratch; with fewer threads when one cannot start or get its
 * scratch (no run has been published yet, and workers read the count at each run). */
static void kiln_start(struct kiln_pool *pool) {
    if (pool->threads == 0) kiln_set_threads(0);
    pool->started = 1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, KILN_WORKER_STACK_BYTES);
    for (size_t part = 1; part < pool->threads; part++) {
        pthread_t thread;
        pool->scratch[part] = aligned_alloc(64, (kiln_model_scratch_bytes + 64) / 64 * 64);
        if (pool->scratch[part] == NULL || pthread_create(&thread, &attr, kiln_worker, (void *)(uintptr_t)part) != 0) {
            free(pool->scratch[part]);
            pool->threads = part;
            break;
        }
        pthread_detach(thread);
    }
    pthread_attr_destroy(&attr);
}

void kiln_parallel(void (*body)(const kiln_task *t), const void *const *inputs, void *const *outputs) {
    struct kiln_pool *pool = &kiln_the_pool;
    if (!pool->started) kiln_start(pool);
    kiln_task task = {inputs, outputs, 0, pool->threads, pool, NULL};
    if (pool->threads == 1) {
        body(&task);
        return;
    }
    pool->body = body;
    pool->inputs = inputs;
    pool->outputs = outputs;
    pthread_mutex_lock(&pool->lock);
    atomic_fetch_add_explicit(&pool->run, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    body(&task);
    kiln_sync(&task);
}
