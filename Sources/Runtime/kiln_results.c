/* Reading a classifier's output: top-k, softmax, and printing with class names. */
#include "kiln_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* a ranks before b: larger first, NaN last. Equal scores never rank before each other, which keeps ties in
 * index order because candidates are visited in increasing index. */
static int ranks_before(float a, float b) {
    if (isnan(a)) return 0;
    return isnan(b) || a > b;
}

size_t kiln_topk(const float *scores, size_t n, size_t k, size_t *indices) {
    if (k > n) k = n;
    size_t filled = 0;
    for (size_t i = 0; i < n && k > 0; i++) {
        if (filled == k && !ranks_before(scores[i], scores[indices[k - 1]])) continue;
        size_t pos = filled < k ? filled++ : k - 1; /* the slot to fill, then bubble towards the front */
        while (pos > 0 && ranks_before(scores[i], scores[indices[pos - 1]])) {
            indices[pos] = indices[pos - 1];
            pos--;
        }
        indices[pos] = i;
    }
    return k;
}

void kiln_softmax(const float *in, float *out, size_t n) {
    if (n == 0) return;
    float max = in[0];
    for (size_t i = 1; i < n; i++)
        if (in[i] > max) max = in[i];
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double e = exp((double)in[i] - (double)max);
        out[i] = (float)e;
        sum += e;
    }
    for (size_t i = 0; i < n; i++) out[i] = (float)((double)out[i] / sum);
}

int kiln_looks_like_probabilities(const float *scores, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(scores[i] >= 0.0f && scores[i] <= 1.0f)) return 0;
        sum += scores[i];
    }
    return n > 0 && fabs(sum - 1.0) <= 1e-3;
}

void kiln_print_topk(FILE *f, const float *scores, size_t n, size_t k, const char *const *names, size_t name_count) {
    size_t *top = malloc((k < n ? k : n) * sizeof *top + 1);
    if (top == NULL) return;
    size_t count = kiln_topk(scores, n, k, top);
    for (size_t r = 0; r < count; r++) {
        size_t i = top[r];
        if (names != NULL && i < name_count && names[i] != NULL)
            fprintf(f, "%3zu. %s  (%.4f)\n", r + 1, names[i], (double)scores[i]);
        else
            fprintf(f, "%3zu. class %zu  (%.4f)\n", r + 1, i, (double)scores[i]);
    }
    free(top);
}

void kiln_labels_free(char **names, size_t count) {
    if (names == NULL) return;
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
}

kiln_status kiln_labels_read(const char *path, char ***names, size_t *count, char *err, size_t errlen) {
    *names = NULL;
    *count = 0;
    unsigned char *buf;
    size_t len;
    kiln_status st = kiln_read_file(path, KILN_MAX_LABELS_BYTES, &buf, &len, err, errlen);
    if (st != KILN_OK) return st;
    st = kiln_labels_parse(buf, len, names, count);
    free(buf);
    return st == KILN_OK ? st : kiln_fail(err, errlen, st, "%s: out of memory reading labels", path);
}

kiln_status kiln_labels_parse(const unsigned char *buf, size_t len, char ***names, size_t *count) {
    *names = NULL;
    *count = 0;
    size_t lines = 0;
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    if (len > 0 && buf[len - 1] != '\n') lines++;
    char **list = calloc(lines + 1, sizeof *list);
    size_t n = 0, begin = 0;
    for (size_t i = 0; list != NULL && i <= len && n < lines; i++) {
        if (i < len && buf[i] != '\n') continue;
        size_t end = i;
        if (end > begin && buf[end - 1] == '\r') end--;
        list[n] = malloc(end - begin + 1);
        if (list[n] == NULL) break;
        memcpy(list[n], buf + begin, end - begin);
        list[n][end - begin] = '\0';
        n++;
        begin = i + 1;
    }
    if (list == NULL || n != lines) {
        kiln_labels_free(list, n);
        return KILN_ERR_NOMEM;
    }
    *names = list;
    *count = n;
    return KILN_OK;
}
