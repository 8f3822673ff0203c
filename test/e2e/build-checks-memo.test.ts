// The bundled CLI remembers a Dockerfile's build checks (cli/commands/build/check-memo.ts): a rebuild with the same
// Dockerfile, arguments and .dockerignore prints the remembered warnings without loading the linter, and anything
// the checks depend on picks a result of its own. (The command-function tests in build-checks.test.ts run the
// sources, which do not remember, so they always exercise the linter itself.)
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import {
  bundledCli,
  bundledCliUnavailable,
  freshDir,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

describe.skipIf(bundledCliUnavailable() !== undefined)('remembered build checks', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox as base\nARG X\nRUN true\n' }]);
  });

  const build = (...args: string[]) =>
    spawnSync(process.execPath, [bundledCli, 'build', '--progress', 'plain', ...args, ctx], {
      env: { ...process.env, TSBUILD_ROOT: store.root },
      encoding: 'utf8',
    });
  const memoDir = () => path.join(store.paths.cache, 'checks');

  it('are written by the first build and read by the next one', async () => {
    const first = build();
    expect(first.status).toBe(0);
    expect(first.stderr).toContain(" - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n");
    const files = await readdir(memoDir());
    expect(files).toHaveLength(1);
    // What the next build prints comes from the file: change the remembered message.
    const file = path.join(memoDir(), files[0] as string);
    const remembered = JSON.parse(await readFile(file, 'utf8'));
    remembered.checks[0].message = 'remembered, not linted again';
    await writeFile(file, JSON.stringify(remembered));
    const second = build();
    expect(second.status).toBe(0);
    expect(second.stderr).toContain(' - FromAsCasing: remembered, not linted again (line 1)\n');
  });

  it('are checked again when a build argument changes', async () => {
    const before = (await readdir(memoDir())).length;
    const result = build('--build-arg', 'X=1');
    expect(result.stderr).toContain(" - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)\n");
    expect(await readdir(memoDir())).toHaveLength(before + 1);
  });

  it('are checked again when the Dockerfile changes', async () => {
    await writeFile(path.join(ctx, 'Dockerfile'), 'FROM busybox AS base\nRUN true\n');
    const result = build();
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('warning');
  });
});
