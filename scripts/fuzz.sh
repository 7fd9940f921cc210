#!/bin/sh
# Builds the libFuzzer harnesses in fuzz/ and runs each for SECONDS (default 60), one at a time and niced (the
# machine is shared), under AddressSanitizer (+ UndefinedBehaviorSanitizer for the C runtime), with the issue-12
# acceptance limits: an input that takes more than 1 s (-timeout=1) or 1 GB (-rss_limit_mb=1024) is a failure,
# like a crash or a leak. Prints each target's executions and time; exit status 0 iff no target failed.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: npy tensorproto ppm labels load_input onnx (default: all)
#   FUZZ_RUNS=1000000 scripts/fuzz.sh 0 npy   a fixed number of executions instead of a time
#
# The committed seeds (fuzz/corpus/TARGET) stay small; what the fuzzer finds goes to .build-fuzz/corpus/TARGET
# and is kept between runs. Crashing inputs land in .build-fuzz/artifacts/; add each as a regression test.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/.build-fuzz"
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-npy tensorproto ppm labels load_input onnx}
mkdir -p "$out/artifacts" "$out/logs"

build_c() { # build_c NAME: a runtime harness with the runtime's sources, ASan + UBSan
    clang -g -O1 -std=c11 -fuse-ld=lld -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
        -I"$root/Sources/Runtime/include" "$root/fuzz/$1.c" "$root"/Sources/Runtime/*.c -lm -o "$out/$1" \
        >"$out/logs/build-$1.log" 2>&1 || { cat "$out/logs/build-$1.log"; return 1; }
}

build_onnx() { # the Swift libraries instrumented through SwiftPM, the harness linked by swiftc (see FuzzONNX.swift)
    swift_out="$out/swift"
    for target in Frontend Optimizer; do
        swift build -c release --build-path "$swift_out" --target $target \
            -Xswiftc -sanitize=fuzzer,address \
            -Xcc -fsanitize=fuzzer-no-link,address >"$out/logs/build-$target.log" 2>&1 ||
            { cat "$out/logs/build-$target.log"; return 1; }
    done
    release="$swift_out/release"
    objects=$(ls "$release"/IR.build/*.o "$release"/Reference.build/*.o "$release"/Frontend.build/*.o \
        "$release"/Optimizer.build/*.o "$release"/ONNXProto.build/*.o)
    # shellcheck disable=SC2086
    swiftc -O -sanitize=fuzzer,address -parse-as-library -I "$release/Modules" \
        -Xcc -fmodule-map-file="$release/ONNXProto.build/module.modulemap" -Xcc -I"$root/Sources/ONNXProto/include" \
        -Xcc -fmodule-map-file="$root/Sources/CProtobufC/module.modulemap" \
        "$root/fuzz/onnx/FuzzONNX.swift" $objects -lprotobuf-c -o "$out/onnx" >"$out/logs/build-onnx.log" 2>&1 ||
        { cat "$out/logs/build-onnx.log"; return 1; }
}

status=0
printf '%-12s %12s %8s %10s  %s\n' target executions seconds exec/s result
for t in $targets; do
    if [ "$t" = onnx ]; then build_onnx; else build_c "$t"; fi || { echo "$t: BUILD FAILED"; status=1; continue; }
    mkdir -p "$out/corpus/$t"
    log="$out/logs/$t.log"
    limit="-max_total_time=$seconds"
    [ -n "${FUZZ_RUNS:-}" ] && limit="-runs=$FUZZ_RUNS"
    nice -n 10 "$out/$t" "$out/corpus/$t" "$root/fuzz/corpus/$t" $limit -timeout=1 -rss_limit_mb=1024 \
        -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$out/artifacts/$t-" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if [ $rc = 0 ]; then result=ok; else result="FAILED (exit $rc; see $log)"; status=1; fi
    printf '%-12s %12s %8s %10s  %s\n' "$t" "${runs:-?}" "${time:-?}" "${speed:-?}" "$result"
done
rm -f /dev/shm/kiln-fuzz-* /tmp/kiln-fuzz-*
exit $status
