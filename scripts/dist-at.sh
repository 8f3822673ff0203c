#!/usr/bin/env bash
# Builds tsbuild as it was at a commit into DIR (its dist/), for `npm run bench:ab -- --a DIR`: a git worktree of the
# commit, this checkout's node_modules linked into it, `npm run build`, then the worktree removed.
# Usage: scripts/dist-at.sh REV DIR
set -euo pipefail
rev="${1:?usage: scripts/dist-at.sh REV DIR}"
out="${2:?usage: scripts/dist-at.sh REV DIR}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
tree="$(mktemp -d "${TMPDIR:-/tmp}/tsbuild-dist-at-XXXXXX")"
cleanup() { git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"; }
trap cleanup EXIT
git -C "$repo" worktree add --detach --quiet "$tree" "$rev"
ln -s "$repo/node_modules" "$tree/node_modules"
(cd "$tree" && npm run build --silent >/dev/null)
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$tree/dist" "$out"
echo "tsbuild at $(git -C "$repo" rev-parse --short "$rev") built into $out"
