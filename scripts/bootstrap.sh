#!/usr/bin/env bash
# Installs what building Kiln needs on a fresh Debian/Ubuntu machine, only when it is missing:
# libprotobuf-c (the ONNX parser's runtime library) and a C compiler with a static C library (for the
# programs `kiln compile` builds). Swift itself must already be installed.
set -euo pipefail
if [ -f /usr/include/protobuf-c/protobuf-c.h ] && pkg-config --exists libprotobuf-c 2>/dev/null \
    && command -v cc >/dev/null && [ -f /usr/lib/x86_64-linux-gnu/libc.a -o -f /usr/lib/libc.a -o -f /usr/lib/aarch64-linux-gnu/libc.a ]; then
    exit 0
fi
echo "bootstrap: installing libprotobuf-c-dev, pkg-config, gcc and libc6-dev" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to apt-get install libprotobuf-c-dev" >&2; exit 1; }
    sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libprotobuf-c-dev pkg-config gcc libc6-dev >/dev/null
