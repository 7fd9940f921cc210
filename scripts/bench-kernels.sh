#!/bin/sh
# Benchmarks kiln_kernels.h on EfficientNet-B0's layer shapes: builds Sources/Kernels/tests/kernels_bench.c with
# -O3 -march=native (CC=clang to use clang; extra flags in CFLAGS, e.g. CFLAGS=-mno-avx512f for the AVX2 path)
# and prints GFLOP/s per layer and the estimated total; then tests/kernels_bench_mbconv.c, the expand + depthwise
# fusion against the two kernels it fuses. Not a test: numbers depend on the machine and its load.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/Sources/Kernels"
out=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
${CC:-gcc} -std=c11 -O3 -march=native ${CFLAGS:-} -Wall -Wextra -I"$src/include" "$src/tests/kernels_bench.c" \
    "$src/kiln_pack.c" -lm -o "$out/bench"
"$out/bench"
${CC:-gcc} -std=c11 -O3 -march=native ${CFLAGS:-} -Wall -Wextra -I"$src/include" "$src/tests/kernels_bench_mbconv.c" \
    "$src/kiln_pack.c" -lm -o "$out/bench_mbconv"
"$out/bench_mbconv"
