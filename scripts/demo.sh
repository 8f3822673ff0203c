#!/usr/bin/env bash
# The main job: install everything, then build the bundled example image with tsbuild and show it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. scripts/node-env.sh
export TSBUILD_ROOT="${TSBUILD_ROOT:-$PWD/.tsbuild-demo}"
tsbuild() { node dist/bin/tsbuild.js "$@"; }  # the package bin (bundled CLI)
# No registry is reachable here: the base image is made from Debian's busybox-static and imported.
node dist/fixtures/make-base-image.js .tsbuild-test/busybox-rootfs.tar
tsbuild import .tsbuild-test/busybox-rootfs.tar busybox:latest
tsbuild lint examples/hello/Dockerfile --fail-level error
tsbuild -t hello:1 --progress plain examples/hello
tsbuild images
tsbuild history hello:1
tsbuild run --rm hello:1
