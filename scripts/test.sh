#!/usr/bin/env bash
# The whole test suite: types, lint/format check, unit, conformance and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
npm run typecheck
npm run check
mkdir -p .tsbuild-test
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.tsbuild-test/vitest.json || status=$?
# One plain closing line that any CI log reader understands.
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(".tsbuild-test/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit "$status"
