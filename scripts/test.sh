#!/usr/bin/env bash
# The whole test suite: types, lint/format check, unit, conformance and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build
npm run typecheck
npm run check
npx vitest run
