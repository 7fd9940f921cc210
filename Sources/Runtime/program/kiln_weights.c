/* Where the weights come from (kiln_weights_load, kiln_model_info.h): linked in (weights.S), or with --weights
 * external mapped from BIN.weights, written beside the binary by kiln compile. Compiled with each model
 * (model.h says which, and how many bytes). */
#define _POSIX_C_SOURCE 200809L
#include "kiln_model_info.h"
#include "kiln_program.h"
#include "model.h"

#if KILN_WEIGHTS_EXTERNAL
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const float *kiln_weights;

int kiln_model_load_weights(const char *path, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open the weights file: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != (uint64_t)KILN_WEIGHTS_BYTES) {
        snprintf(err, errlen, "%s: expected %llu bytes of weights", path, (unsigned long long)KILN_WEIGHTS_BYTES);
        close(fd);
        return -1;
    }
    if (KILN_WEIGHTS_BYTES == 0) { /* nothing to map (mmap rejects length 0) */
        close(fd);
        return 0;
    }
    void *map = mmap(NULL, (size_t)KILN_WEIGHTS_BYTES, PROT_READ, MAP_PRIVATE, fd, 0);
    int mapError = errno;
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: cannot map the weights file: %s", path, strerror(mapError));
        return -1;
    }
    kiln_weights = (const float *)map;
    return 0;
}

/* BIN.weights beside the executable (its real path, so a symlink or PATH lookup still finds it). */
int kiln_weights_load(const char *argv0, char *err, size_t errlen) {
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
#else
int kiln_weights_load(const char *argv0, char *err, size_t errlen) {
    (void)argv0;
    (void)err;
    (void)errlen;
    return 0; /* linked in */
}
#endif
