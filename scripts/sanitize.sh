#!/bin/sh
# The kernel tests and compiled models under AddressSanitizer + UndefinedBehaviorSanitizer (clang), and the models
# under ThreadSanitizer on several threads; any report fatal (-fno-sanitize-recover=all). Long-running; not part of `swift test`. Exit status 0 iff everything passed.
#
#   scripts/sanitize.sh [MODEL.onnx INPUT [--preprocess NAME]]
#       default: samples/lite0/model.onnx on samples/cat.ppm with --preprocess inception, then tv_b0 from
#       $KILN_SHARED/models (../shared by default) on its test input when it is there: lite0 has neither SiLU nor
#       squeeze-excite, whose split FCs raced at 2 threads until ThreadSanitizer ran on tv_b0
#
# 1. Sources/Kernels/tests/kernels_test.c for each instruction set this CPU runs (AVX-512, AVX2, generic).
# 2. Each model compiled by kiln with --emit-c, its sources rebuilt with the same flags kiln used but dynamically
#    linked and sanitized (ASan cannot link -static), then run on the input; its top class must be the one the
#    normal static build prints.
# 3. The same under ThreadSanitizer at 2 and 3 threads.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 0 ] || [ $# -ge 2 ] || { echo "usage: scripts/sanitize.sh [MODEL INPUT [--preprocess NAME]]"; exit 2; }
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

# check_model MODEL INPUT [KILN COMPILE FLAGS...]: steps 2 and 3 for one model, in a folder of its own
check_model() {
    model=$1 input=$2
    shift 2
    dir="$out/$(basename "$(dirname "$model")")"
    mkdir -p "$dir"
    echo "== $(basename "$(dirname "$model")")/$(basename "$model") compiled, sanitized, on $(basename "$input")"
    kiln="$root/.build/release/kiln"
    [ -x "$kiln" ] || kiln="$root/.build/debug/kiln"
    [ -x "$kiln" ] || { echo "no kiln executable: run swift build first"; exit 2; }
    if ! "$kiln" compile "$model" -o "$dir/model" --emit-c "$dir/src" --cc clang "$@" >"$dir/compile.log" 2>&1; then
        cat "$dir/compile.log"; echo "compile FAILED"; status=1; return
    fi
    # build.sh is one compiler call: keep its flags and sources, swap optimization and static linking for sanitizers.
    line=$(grep -v '^#' "$dir/src/build.sh" | grep -v '^cd ' | sed -e 's/ -O[23] / /' -e 's/ -static / /' -e 's/ -s / /' \
        -e 's/ -Wl,--gc-sections / /' -e 's/ -o [^ ]*$//')
    # Unoptimized frames with ASan's redzones take megabytes: the pool's workers get 256 MiB stacks (address space only).
    stack="-DKILN_WORKER_STACK_BYTES=268435456"
    if ! (cd "$dir/src" && eval "$line $san $stack -o '$dir/model-asan'") >"$dir/build.log" 2>&1; then
        cat "$dir/build.log"; echo "sanitized build FAILED"; status=1; return
    fi
    "$dir/model" "$input" --top 1 >"$dir/expected.txt" 2>&1
    if nice -n 10 "$dir/model-asan" "$input" --top 1 >"$dir/got.txt" 2>&1 && cmp -s "$dir/expected.txt" "$dir/got.txt"; then
        echo "model: $(cat "$dir/got.txt") (the same as the normal build)"
    else
        cat "$dir/got.txt"; echo "expected: $(cat "$dir/expected.txt")"; echo "model: FAILED"; status=1
    fi
    # 3. The same sources under ThreadSanitizer at 2 and 3 threads: the pool's barriers order every kernel part's
    #    writes before the next node's reads, or TSan reports the race. Built by gcc: the TSan runtime of the Swift
    #    toolchain's clang carries libdispatch interceptors that do not link without libdispatch.
    tsan="-O0 -g -fsanitize=thread"
    tsan_line=$(echo "$line" | sed '/^set /!s|^ *[^ ]*|gcc|')
    if ! (cd "$dir/src" && eval "$tsan_line $tsan $stack -o '$dir/model-tsan'") >"$dir/build-tsan.log" 2>&1; then
        cat "$dir/build-tsan.log"; echo "thread-sanitized build FAILED"; status=1; return
    fi
    for threads in 2 3; do
        if TSAN_OPTIONS=halt_on_error=1 nice -n 10 "$dir/model-tsan" "$input" --top 1 --threads $threads >"$dir/got-tsan.txt" 2>&1 \
            && cmp -s "$dir/expected.txt" "$dir/got-tsan.txt"; then
            echo "model at $threads threads (TSan): $(cat "$dir/got-tsan.txt") (the same as the normal build)"
        else
            cat "$dir/got-tsan.txt"; echo "model at $threads threads (TSan): FAILED"; status=1
        fi
    done
}

if [ $# -eq 0 ]; then
    check_model "$root/samples/lite0/model.onnx" "$root/samples/cat.ppm" --preprocess inception \
        --labels "$root/samples/imagenet_classes.txt"
    shared=${KILN_SHARED:-$root/../shared}
    if [ -f "$shared/models/tv_b0/model.onnx" ]; then
        check_model "$shared/models/tv_b0/model.onnx" "$shared/models/tv_b0/test_data_set_0/input_0.pb"
    else
        echo "== tv_b0: skipped ($shared/models/tv_b0 not found; set KILN_SHARED)"
    fi
else
    check_model "$@"
fi
[ $status = 0 ] && echo "sanitize: all passed" || echo "sanitize: FAILED"
exit $status
