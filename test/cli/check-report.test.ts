// When `tsbuild build` runs BuildKit's checks: before any step when the Dockerfile or a build argument configures
// them (they may stop the build), else once a container runs or the build ends (they can only warn).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BuildCheckReport } from '../../cli/commands/build/check-report.js';
import { BuildError, type PlannedBuild } from '../../executor/index.js';
import { Store } from '../../image/index.js';
import { parse } from '../../parser/index.js';
import type { Plan } from '../../planner/index.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-check-report-'));
  store = await Store.open(path.join(dir, 'store'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A planned build of `text` that records whether the linter read its parse. */
function planned(text: string): { build: PlannedBuild; linted: () => boolean } {
  let read = false;
  const parsed = parse(text);
  const build = {
    text,
    get parsed() {
      read = true;
      return parsed;
    },
    plan: { stages: [{ index: 0 }] } as unknown as Plan,
    diagnostics: [],
    ignoreFile: null,
  };
  return { build, linted: () => read };
}

const warning =
  "\n \u001b[33m1 warning found (use docker --debug to expand):\n\u001b[0m - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n";

describe('BuildCheckReport', () => {
  it('puts off the checks of an unconfigured Dockerfile until a container runs', async () => {
    const report = new BuildCheckReport({});
    const { build, linted } = planned('FROM busybox as base\nRUN true\n');
    await report.check(store, build);
    expect(linted()).toBe(false);
    report.runWhileIdle();
    await vi.waitFor(() => expect(linted()).toBe(true), { timeout: 10_000 });
    expect(await report.warnings(false, 'Dockerfile')).toBe(warning);
  });

  it('runs put-off checks when the warnings are asked for (a build without RUN)', async () => {
    const report = new BuildCheckReport({});
    const { build, linted } = planned('FROM busybox as base\nCOPY a /a\n');
    await report.check(store, build);
    expect(linted()).toBe(false);
    expect(await report.warnings(false, 'Dockerfile')).toBe(warning);
  });

  it('checks before any step when the Dockerfile configures them, and error=true stops the build', async () => {
    const report = new BuildCheckReport({});
    const { build, linted } = planned('# check=error=true\nFROM busybox as base\nRUN true\n');
    const stopped = await report.check(store, build).catch((error: unknown) => error);
    expect(linted()).toBe(true);
    expect(stopped).toBeInstanceOf(BuildError);
    expect((stopped as Error).message).toBe('lint violation found for rules: FromAsCasing');
  });

  it('checks before any step when BUILDKIT_DOCKERFILE_CHECK is given, and a bad one stops the build', async () => {
    const report = new BuildCheckReport({ BUILDKIT_DOCKERFILE_CHECK: 'skip=all;bogus=1' });
    const { build, linted } = planned('FROM busybox as base\nRUN true\n');
    const stopped = await report.check(store, build).catch((error: unknown) => error);
    expect(linted()).toBe(true);
    expect((stopped as Error).message).toMatch(/^failed to parse check options: /);
  });
});
