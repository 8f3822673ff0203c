// BuildKit's Dockerfile build cases (../shared/conformance/buildkit/build/cases.json) run against
// tsbuild on a busybox base. Cases that cannot run here are skipped with their reason; cases that
// fail for a missing feature are listed in conformance/known-failures.json with the reason, and run
// as expected failures, so a case that starts passing makes CI say so.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import { loadCases, skipReason } from './conformance/cases.js';
import { runCase } from './conformance/run-case.js';
import { isolationUnavailable, removeFreshDirs, storeWithBusybox } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const knownFailures = JSON.parse(readFileSync(path.join(here, 'conformance/known-failures.json'), 'utf8')) as Record<
  string,
  string
>;
const cases = loadCases();
const only = process.env.TSBUILD_CASES ? new RegExp(process.env.TSBUILD_CASES) : null;
const tally = { passed: 0, knownFailing: 0, skipped: 0 };

describe.skipIf(isolationUnavailable() !== undefined)('BuildKit build cases', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  beforeAll(async () => {
    store = await storeWithBusybox();
  });
  afterAll(() => {
    console.log(
      `BuildKit build cases: ${tally.passed} passed, ${tally.knownFailing} known failures, ${tally.skipped} skipped of ${cases.length}`,
    );
  });

  for (const c of cases) {
    if (only !== null && !only.test(c.name)) continue;
    const reason = skipReason(c);
    if (reason !== null) {
      tally.skipped++;
      it.skip(`${c.name} (${reason})`, () => {});
      continue;
    }
    const known = knownFailures[c.name];
    if (known !== undefined) {
      it(`${c.name} [known failure: ${known}]`, async () => {
        const problems = await runCase(store, c);
        tally.knownFailing++;
        expect(problems.length, `${c.name} passes now: remove it from known-failures.json`).toBeGreaterThan(0);
      });
      continue;
    }
    it(c.name, async () => {
      const problems = await runCase(store, c);
      expect(problems).toEqual([]);
      tally.passed++;
    });
  }
});
