#!/bin/sh
# The kernel tests and one compiled model under AddressSanitizer + UndefinedBehaviorSanitizer (clang), and the
# model under ThreadSanitizer on several threads; any report fatal (-fno-sanitize-recover=all). Long-running; not part of `swift test`. Exit status 0 iff everything passed.
#
#   scripts/sanitize.sh [MODEL.onnx INPUT [--preprocess NAME]]
#       default: samples/lite0/model.onnx on samples/cat.ppm with --preprocess inception
#
# 1. Sources/Kernels/tests/kernels_test.c for each instruction set this CPU runs (AVX-512, AVX2, generic).
# 2. The model compiled by kiln with --emit-c, its sources rebuilt with the same flags kiln used but dynamically
#    linked and sanitized (ASan cannot link -static), then run on the input; its top class must be the one the
#    normal static build prints.
# 3. The same under ThreadSanitizer at 2 and 3 threads.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
    model=$root/samples/lite0/model.onnx input=$root/samples/cat.ppm
    preprocess="--preprocess inception --labels $root/samples/imagenet_classes.txt"
else
    model=$1 input=${2:?usage: scripts/sanitize.sh [MODEL INPUT [--preprocess NAME]]}
    shift 2
    preprocess="$*"
fi
out=$(mktemp -d "${TMPDIR:-/tmp}/kiln-sanitize.XXXXXX")
trap 'rm -rf "$out"' EXIT INT TERM
# -O0 everywhere: at -O1 clang took over 7 minutes of one core for one file of the kernel harness with both
# sanitizers, and as long for the model's generated model.c (the kernels are inlined, fully specialized, into every
# caller), at -O0 under 30 s each; the sanitizers check every access either way, and the programs still run in
# seconds.
san="-O0 -g -fsanitize=address,undefined -fno-sanitize-recover=all"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1
status=0

host_has() { clang -march=native -dM -E -x c /dev/null 2>/dev/null | grep -q "define $1 "; }

echo "== kernel tests (ASan + UBSan)"
for isa in avx512 avx2 generic; do
    case $isa in
    avx512) { host_has __AVX512F__ && host_has __AVX512DQ__; } || { echo "$isa: skipped (CPU lacks it)"; continue; }
            flags="-mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -DKILN_TARGET_AVX512" ;;
    avx2) host_has __AVX2__ || { echo "$isa: skipped (CPU lacks it)"; continue; }
          flags="-mavx2 -mfma -DKILN_TARGET_AVX2" ;;
    generic) flags="" ;;
    esac
    # shellcheck disable=SC2086
    if ! clang -std=c11 $san $flags -I"$root/Sources/Kernels/include" "$root/Sources/Kernels/tests/kernels_test.c" \
        "$root/Sources/Kernels/tests/kernels_test_generic.c" "$root/Sources/Kernels/tests/kernels_test_parallel.c" \
        "$root/Sources/Kernels/tests/kernels_test_mbconv.c" "$root/Sources/Kernels/tests/kernels_test_mbconv_specialized.c" \
        "$root/Sources/Kernels/kiln_pack.c" -pthread -lm -o "$out/kernels-$isa" >"$out/kernels-$isa.log" 2>&1; then
        cat "$out/kernels-$isa.log"; echo "$isa: BUILD FAILED"; status=1; continue
    fi
    if nice -n 10 "$out/kernels-$isa" >"$out/kernels-$isa.log" 2>&1; then
        echo "$isa: $(tail -n 1 "$out/kernels-$isa.log")"
    else
        cat "$out/kernels-$isa.log"; echo "$isa: FAILED"; status=1
    fi
done

echo "== $(basename "$(dirname "$model")")/$(basename "$model") compiled, sanitized, on $(basename "$input")"
kiln="$root/.build/release/kiln"
[ -x "$kiln" ] || kiln="$root/.build/debug/kiln"
[ -x "$kiln" ] || { echo "no kiln executable: run swift build first"; exit 2; }
# shellcheck disable=SC2086
if ! "$kiln" compile "$model" -o "$out/model" --emit-c "$out/src" --cc clang $preprocess >"$out/compile.log" 2>&1; then
    cat "$out/compile.log"; echo "compile FAILED"; exit 1
fi
# build.sh is one compiler call: keep its flags and sources, swap optimization and static linking for sanitizers.
line=$(grep -v '^#' "$out/src/build.sh" | grep -v '^cd ' | sed -e 's/ -O[23] / /' -e 's/ -static / /' -e 's/ -s / /' \
    -e 's/ -Wl,--gc-sections / /' -e 's/ -o [^ ]*$//')
# Unoptimized frames with ASan's redzones take megabytes: the pool's workers get 256 MiB stacks (address space only).
stack="-DKILN_WORKER_STACK_BYTES=268435456"
if ! (cd "$out/src" && eval "$line $san $stack -o '$out/model-asan'") >"$out/build.log" 2>&1; then
    cat "$out/build.log"; echo "sanitized build FAILED"; exit 1
fi
"$out/model" "$input" --top 1 >"$out/expected.txt" 2>&1
if nice -n 10 "$out/model-asan" "$input" --top 1 >"$out/got.txt" 2>&1 && cmp -s "$out/expected.txt" "$out/got.txt"; then
    echo "model: $(cat "$out/got.txt") (the same as the normal build)"
else
    cat "$out/got.txt"; echo "expected: $(cat "$out/expected.txt")"; echo "model: FAILED"; status=1
fi
# 3. The same sources under ThreadSanitizer at 2 and 3 threads: the pool's barriers order every kernel part's
#    writes before the next node's reads, or TSan reports the race. Built by gcc: the TSan runtime of the Swift
#    toolchain's clang carries libdispatch interceptors that do not link without libdispatch.
tsan="-O0 -g -fsanitize=thread"
tsan_line=$(echo "$line" | sed '/^set /!s|^ *[^ ]*|gcc|')
if ! (cd "$out/src" && eval "$tsan_line $tsan $stack -o '$out/model-tsan'") >"$out/build-tsan.log" 2>&1; then
    cat "$out/build-tsan.log"; echo "thread-sanitized build FAILED"; exit 1
fi
for threads in 2 3; do
    if TSAN_OPTIONS=halt_on_error=1 nice -n 10 "$out/model-tsan" "$input" --top 1 --threads $threads >"$out/got-tsan.txt" 2>&1 \
        && cmp -s "$out/expected.txt" "$out/got-tsan.txt"; then
        echo "model at $threads threads (TSan): $(cat "$out/got-tsan.txt") (the same as the normal build)"
    else
        cat "$out/got-tsan.txt"; echo "model at $threads threads (TSan): FAILED"; status=1
    fi
done
[ $status = 0 ] && echo "sanitize: all passed" || echo "sanitize: FAILED"
exit $status
