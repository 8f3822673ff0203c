// `tsbuild run` as a separate process interrupted with SIGINT / SIGTERM while its container runs: the first signal
// goes to the container's process (ignored here: PID 1 without a handler), the second stops the container; it exits
// with 128 + the signal's number, and leaves no mount, no work dir and no runc container.
import { execFileSync, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { build as bundle } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRuncStateRoot, listMountsUnder } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { containerTestDir, removeTestDir, storeWithBusybox } from './container-store.js';
import { isolationUnavailable, repoRoot } from './helpers.js';

// The child: `tsbuild run --rm --root argv[2] argv[3…]` as main would run it, with its own stdio and signals.
const program = `
import { runArgv } from './cli/commands/run/run.js';
const [root, ...rest] = process.argv.slice(2);
process.exit(await runArgv(['--rm', '--root', root, ...rest]));
`;

describe.skipIf(isolationUnavailable() !== undefined)('tsbuild run interrupted', () => {
  let store: Store;
  let scriptDir: string;
  let script: string;

  beforeAll(async () => {
    store = await storeWithBusybox();
    scriptDir = await containerTestDir('js');
    script = path.join(scriptDir, 'run-cli.mjs');
    await bundle({
      stdin: { contents: program, resolveDir: repoRoot, loader: 'ts', sourcefile: 'run-cli.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
      packages: 'external',
    });
  }, 120_000);

  afterAll(async () => {
    await removeTestDir(store?.root);
    await removeTestDir(scriptDir);
  });

  function runcContainersOf(root: string): string[] {
    const listing = execFileSync('runc', ['--root', defaultRuncStateRoot, 'list'], { encoding: 'utf8' });
    return listing.split('\n').filter((line) => line.includes(root));
  }

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`a second ${signal} stops a container that ignored the first, and cleans up (exit ${code})`, async () => {
      const child = spawn(process.execPath, [script, store.root, 'busybox', 'sh', '-c', 'echo started; sleep 30'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('started')) resolve();
        }),
      );
      child.kill(signal);
      const first = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 500))]);
      expect(first, stderr).toBe('running');
      const started = performance.now();
      child.kill(signal);
      expect(await exited, stderr).toBe(code);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(stdout).toBe('started\n');
      expect(await listMountsUnder(store.root)).toEqual([]);
      expect((await readdir(store.paths.snapshots)).filter((n) => n.startsWith('tr-'))).toEqual([]);
      expect(runcContainersOf(store.root)).toEqual([]);
    });
  }
});
