#!/usr/bin/env bash
# Installs what building Kiln needs on a fresh Debian/Ubuntu machine, only when it is missing:
# libprotobuf-c (the ONNX parser's runtime library). Swift itself must already be installed.
set -euo pipefail
if [ -f /usr/include/protobuf-c/protobuf-c.h ] && pkg-config --exists libprotobuf-c 2>/dev/null; then
    exit 0
fi
echo "bootstrap: installing libprotobuf-c-dev and pkg-config" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to apt-get install libprotobuf-c-dev" >&2; exit 1; }
    sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libprotobuf-c-dev pkg-config >/dev/null
