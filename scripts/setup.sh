#!/usr/bin/env bash
# Installs what tsbuild and its tests need on a Debian machine (run as root), then builds tsbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for pkg in runc crun busybox-static attr skopeo umoci docker-registry debootstrap openssh-client bzip2 xz-utils git; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    echo "tsbuild: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi
. scripts/node-env.sh
npm ci --no-audit --no-fund
npm run build
