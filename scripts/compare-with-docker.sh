#!/usr/bin/env bash
# Builds one context with `docker build` (BuildKit) and with tsbuild, then prints what differs: the image's
# filesystem (path, type, mode, owner, size, link target) and its config. A development aid, not a test: it
# needs a Docker daemon, and the same base image in both (load it into tsbuild's store with
# `docker save IMAGE | node dist/bin/tsbuild.js load`). Expected differences: files docker's `export` adds
# (/.dockerenv, /etc/mtab …) are left out; an older docker's BuildKit lacks a few modern behaviours (WorkingDir
# `/` in every config, the primary gid among the groups).
# Usage: TSBUILD_ROOT=STORE [DOCKER=/usr/bin/docker] bash scripts/compare-with-docker.sh CONTEXT_DIR
# (DOCKER: a client whose `docker build` talks to the daemon's own BuildKit, e.g. Debian's docker.io.)
set -uo pipefail
docker=${DOCKER:-docker}
context=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
name=compare-$(basename "$context" | tr -c 'a-z0-9\n' '-')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DOCKER_BUILDKIT=1 "$docker" build -q -t "$name" "$context" > /dev/null 2> "$work/docker.err"
docker_status=$?
node "$repo/dist/bin/tsbuild.js" build -q -t "$name" -o "type=tar,dest=$work/tsbuild.tar" "$context" > /dev/null 2> "$work/tsbuild.err"
tsbuild_status=$?
echo "== $context: docker exit $docker_status, tsbuild exit $tsbuild_status"
if [ "$docker_status" -ne 0 ] || [ "$tsbuild_status" -ne 0 ]; then
  tail -3 "$work/docker.err" | sed 's/^/  docker: /'
  tail -3 "$work/tsbuild.err" | sed 's/^/  tsbuild: /'
  exit 1
fi
container=$("$docker" create "$name" true)
"$docker" export "$container" > "$work/docker.tar"
"$docker" rm "$container" > /dev/null
listing() {
  mkdir -p "$work/$1" && tar -xf "$work/$1.tar" -C "$work/$1" 2> /dev/null
  (cd "$work/$1" && find . -printf '%p %y %m %U:%G %s %l\n' |
    grep -v -E '^\./(\.dockerenv|etc/(hosts|hostname|resolv\.conf|mtab)|proc|sys|dev)( |/)' | sort)
}
config() {
  python3 -c 'import json,sys
c=json.load(sys.stdin); c=c[0] if isinstance(c,list) else c; c=c.get("Config") or {}
print(json.dumps({k:v for k,v in sorted(c.items()) if v not in (None,"",[],{},False) and k not in ("Hostname","Image")}, sort_keys=True, indent=1))'
}
diff <(listing docker) <(listing tsbuild) | sed 's/^/  fs: /'
diff <("$docker" inspect "$name" | config) <(node "$repo/dist/bin/tsbuild.js" inspect "$name" | config) | sed 's/^/  config: /'
