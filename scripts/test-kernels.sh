#!/bin/sh
# Builds Sources/Kernels/tests/kernels_test.c for every ISA path of kiln_kernels.h (AVX-512, AVX2+FMA, generic)
# with each of gcc and clang that is installed, -std=c11 -O2 (the parallel wrappers' file -O1) -Wall -Wextra
# -Werror, and runs it. ISAs the host CPU lacks are compiled but not run. Two builds at a time. Exit status 0 iff
# everything built and passed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/Sources/Kernels"
if [ "${1:-}" != --one ]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/kiln-kernels.XXXXXX")
    trap 'rm -rf "$out"' EXIT INT TERM
fi

host_has() { # host_has MACRO: the native compiler target defines MACRO
    for probe in gcc clang; do
        command -v $probe >/dev/null 2>&1 || continue
        $probe -march=native -dM -E -x c /dev/null 2>/dev/null | grep -q "define $1 "
        return
    done
    return 1
}

one() { # one CC NAME FLAGS...: build and run one variant; output in $out/CC-NAME.log, exit status in .rc
    one_ "$@"
    echo $? >"$out/$1-$2.rc"
}
one_() {
    cc=$1 name=$2; shift 2
    log="$out/$cc-$name.log"
    # kernels_test_parallel.c at -O1: it checks the part wrappers' ranges and phases (split against whole, both
    # built alike), and at -O2 it alone took 100-134 s to compile per variant, against 37 s at -O1. The kernels
    # themselves are checked at -O2, as programs build them, by every other file here.
    if ! $cc -std=c11 -O1 -Wall -Wextra -Werror "$@" -I"$src/include" -c "$src/tests/kernels_test_parallel.c" \
        -o "$out/$cc-$name-parallel.o" >"$log" 2>&1 ||
        ! $cc -std=c11 -O2 -Wall -Wextra -Werror "$@" -I"$src/include" "$src/tests/kernels_test.c" "$src/tests/kernels_test_generic.c" \
        "$out/$cc-$name-parallel.o" "$src/tests/kernels_test_mbconv.c" "$src/tests/kernels_test_mbconv_specialized.c" \
        "$src/kiln_pack.c" -pthread -lm -o "$out/$cc-$name" >>"$log" 2>&1; then
        echo "BUILD FAILED: $cc $name" >>"$log"
        return 1
    fi
    case $name in
    avx512) { host_has __AVX512F__ && host_has __AVX512DQ__; } ||
                { echo "$cc $name: built (host lacks AVX-512, not run)" >>"$log"; return 0; } ;;
    avx2) host_has __AVX2__ || { echo "$cc $name: built (host lacks AVX2, not run)" >>"$log"; return 0; } ;;
    esac
    printf '%s: ' "$cc" >>"$log"
    "$out/$cc-$name" >>"$log" 2>&1
}

# One variant per invocation of this script with --one, two at a time through xargs -P 2 (a shell's own
# `&` + `wait` can hang when the parent, e.g. a Swift test's Process, started us with SIGCHLD blocked).
if [ "${1:-}" = --one ]; then
    out=$2 cc=$3 name=$4
    trap - EXIT INT TERM
    case $name in
    avx512) one $cc avx512 -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -DKILN_TARGET_AVX512 ;;
    avx2) one $cc avx2 -mavx2 -mfma -DKILN_TARGET_AVX2 ;;
    generic) one $cc generic ;;
    esac
    exit 0
fi
status=0 found=0
# KILN_KERNEL_CCS narrows the compilers (the default `swift test` run uses gcc alone; KILN_FULL_MATRIX=1 both).
for cc in ${KILN_KERNEL_CCS:-gcc clang}; do
    command -v $cc >/dev/null 2>&1 || continue
    found=1
    for name in avx512 avx2 generic; do echo "$out $cc $name"; done
done | xargs -P 2 -L 1 sh "$0" --one
for cc in ${KILN_KERNEL_CCS:-gcc clang}; do command -v $cc >/dev/null 2>&1 && found=1; done
[ $found = 1 ] || { echo "test-kernels: neither gcc nor clang found"; exit 2; }
cat "$out"/*.log
for rc in "$out"/*.rc; do [ "$(cat "$rc")" = 0 ] || status=1; done
[ $status = 0 ] && echo "test-kernels: all passed" || echo "test-kernels: FAILED"
exit $status
