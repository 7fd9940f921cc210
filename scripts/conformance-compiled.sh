#!/bin/sh
# Runs every ONNX conformance case that passes in the reference interpreter through `kiln compile` and the
# compiled program (CompiledConformanceTests with KILN_CONFORMANCE_COMPILED=all, release build), checks the
# outcomes against Tests/conformance-compiled-expected.txt, and prints the pass count and the time taken.
# --update rewrites that list instead (hand-written reasons of failures that stay are kept).
set -u
cd "$(dirname "$0")/.." || exit 2
export KILN_CONFORMANCE_COMPILED=all
[ "${1:-}" = --update ] && export KILN_UPDATE_CONFORMANCE=1
start=$(date +%s)
swift test -c release --filter CompiledConformance 2>&1 | tee "${TMPDIR:-/tmp}/kiln-conformance-compiled.log" |
    grep -E "compiled conformance:|fails compiled|now passes|error:|Test run"
echo "conformance-compiled: $(($(date +%s) - start)) s in all (including the release build)"
grep -q "Test run with .* passed" "${TMPDIR:-/tmp}/kiln-conformance-compiled.log"
