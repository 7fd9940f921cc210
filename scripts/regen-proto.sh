#!/usr/bin/env bash
# Regenerates the protobuf-c parser for Proto/onnx-kiln.proto. The output is committed, so a build
# needs libprotobuf-c (the library) but never protoc-c (the compiler). Needs: apt-get install protobuf-c-compiler
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
protoc-c --proto_path=Proto --c_out="$out" Proto/onnx-kiln.proto
mv "$out/onnx-kiln.pb-c.h" Sources/ONNXProto/include/onnx-kiln.pb-c.h
mv "$out/onnx-kiln.pb-c.c" Sources/ONNXProto/onnx-kiln.pb-c.c
rmdir "$out"
echo "regenerated Sources/ONNXProto from Proto/onnx-kiln.proto"
