#!/usr/bin/env bash
# Builds a context with `docker build` (BuildKit) and with tsbuild, once as it is and again after each edit, and
# prints for every Dockerfile step whether each tool took it from the cache, flagging where they disagree. A
# development aid, not a test: it needs a Docker daemon and the same base image in both (see
# compare-with-docker.sh). The context is copied first; edits change the copy only.
# Usage: TSBUILD_ROOT=STORE [DOCKER=/usr/bin/docker] bash scripts/compare-cache-with-docker.sh CONTEXT_DIR [EDIT ...]
#   EDIT: a shell snippet run in the copied context before the next build, optionally followed by ` ::: ` and
#   flags given to both builds (--build-arg K=V, --target T, --no-cache), e.g. 'touch f', 'chmod 600 f',
#   ': ::: --build-arg A=1'. The first build of a context may disagree only because one tool saw an identical
#   step before (both caches outlive this script); it is marked "(first build)".
# (DOCKER: a client whose `docker build` talks to the daemon's own BuildKit, e.g. Debian's docker.io.)
set -uo pipefail
docker=${DOCKER:-docker}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -a "$1/." "$work/context"
shift

# Prints "[STAGE N]<TAB>CACHED|built<TAB>INSTRUCTION" for each step of a --progress=plain log, in order, FROM and
# internal steps left out. Steps are matched by their "[stage N" only: docker 20.10 shows the instruction with
# variables expanded (tsbuild as written), and counts M differently with ONBUILD triggers or `WORKDIR /`.
steps() {
  awk '
    /^#[0-9]+ \[/ { id = $1; name = substr($0, length(id) + 2)
      if (name ~ /^\[internal\]/ || name ~ /^\[[^]]*\] FROM /) next
      sub(/^\[stage-0 /, "[", name) # docker 20.10 names a lone stage so when a RUN has --mount
      if (!(id in names)) { order[++n] = id; names[id] = name } }
    /^#[0-9]+ CACHED$/ { cached[$1] = 1 }
    END { for (i = 1; i <= n; i++) { name = names[order[i]]; step = substr(name, 1, index(name, "]"))
      key = step; sub(/\/[0-9]+\]$/, "]", key)
      print key "\t" (order[i] in cached ? "CACHED" : "built") "\t" substr(name, length(step) + 2) } }' "$1"
}

build() { # build NUMBER FLAGS...
  local number=$1
  shift
  (cd "$work/context" && DOCKER_BUILDKIT=1 "$docker" build --progress=plain "$@" . > "$work/docker.log" 2>&1)
  local docker_status=$?
  (cd "$work/context" && node "$repo/dist/bin/tsbuild.js" build --progress plain "$@" . > "$work/tsbuild.log" 2>&1)
  local tsbuild_status=$?
  echo "  docker exit $docker_status, tsbuild exit $tsbuild_status"
  [ "$docker_status" -ne 0 ] && grep -i -m2 error "$work/docker.log" | sed 's/^/    docker: /'
  [ "$tsbuild_status" -ne 0 ] && grep -i -m2 error "$work/tsbuild.log" | sed 's/^/    tsbuild: /'
  steps "$work/docker.log" > "$work/docker.steps"
  steps "$work/tsbuild.log" > "$work/tsbuild.steps"
  local note=""
  [ "$number" -eq 0 ] && note=" (first build)"
  # Every step either tool ran, in docker's order then tsbuild's extras; "-" where a tool did not run it.
  cut -f1 "$work/docker.steps" "$work/tsbuild.steps" | awk '!seen[$0]++' | while IFS= read -r step; do
    local in_docker in_tsbuild instruction
    in_docker=$(awk -F '\t' -v s="$step" '$1 == s { print $2; exit }' "$work/docker.steps")
    in_tsbuild=$(awk -F '\t' -v s="$step" '$1 == s { print $2; exit }' "$work/tsbuild.steps")
    instruction=$(awk -F '\t' -v s="$step" '$1 == s { print $3; exit }' "$work/tsbuild.steps" "$work/docker.steps")
    local flag=""
    [ "${in_docker:--}" != "${in_tsbuild:--}" ] && flag="   <-- DIFFERS$note"
    printf '  %-7s %-7s %s %s%s\n' "${in_docker:--}" "${in_tsbuild:--}" "$step" "$instruction" "$flag"
  done
}

echo "== build 0 (docker, tsbuild, step)"
build 0
number=0
for edit in "$@"; do
  number=$((number + 1))
  snippet=${edit%% ::: *}
  flags=()
  [ "$snippet" != "$edit" ] && read -r -a flags <<< "${edit#* ::: }"
  echo "== build $number after: $edit"
  (cd "$work/context" && bash -c "$snippet") || echo "  edit failed"
  build "$number" "${flags[@]}"
done
