// What a local build loads: node:http/https (and with them Node's bundled undici, which an ESM import of
// node:http evaluates) cost 60–200 ms of start-up, so they load only when a registry is contacted.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'dist/bin/tsbuild.js');

describe.skipIf(!existsSync(bin))('modules a local build loads (run `npm run build` first)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-startup-'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\nLABEL a=b\n');
    await writeFile(
      path.join(dir, 'report.cjs'),
      `process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n`,
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a build from a local base never loads node:http, node:https or undici', () => {
    const env = { ...process.env, TSBUILD_ROOT: path.join(dir, 'store') };
    const args = ['--require', path.join(dir, 'report.cjs'), bin, 'build', '--progress', 'plain', '-t', 'x', dir];
    const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? 'LOADED []';
    const loaded = JSON.parse(line.slice('LOADED '.length)) as string[];
    expect(loaded).toContain('NativeModule fs'); // the report works
    expect(loaded.filter((m) => /\b(http|https|undici)\b/.test(m))).toEqual([]);
  });

  // The built-in modules are made lazy by scripts/bundle.mjs: a dist/bin older than it says nothing about it.
  const staleBundle =
    existsSync(bin) && statSync(bin).mtimeMs < statSync(path.join(root, 'scripts/bundle.mjs')).mtimeMs;
  it.skipIf(staleBundle)(
    'a cached rebuild loads no child_process, net, zlib, worker_threads or perf_hooks, nor the stdio streams',
    async () => {
      const context = path.join(dir, 'cached');
      await mkdir(context);
      await writeFile(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY Dockerfile /d\n');
      // Reported with write(2): creating process.stderr would itself load node:net on this pipe.
      const report = path.join(dir, 'report-fd.cjs');
      const code =
        "process.on('exit', () => require('node:fs').writeSync(2, 'LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'));\n";
      await writeFile(report, code);
      const env = { ...process.env, TSBUILD_ROOT: path.join(dir, 'store-cached') };
      const args = ['--require', report, bin, 'build', '--progress', 'plain', '-t', 'x', context];
      expect(spawnSync(process.execPath, args, { env, encoding: 'utf8' }).status).toBe(0);
      const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('#3 [1/1] COPY Dockerfile /d\n#3 CACHED\n');
      const line = r.stderr.split('\n').find((l) => l.startsWith('LOADED ')) ?? 'LOADED []';
      const loaded = (JSON.parse(line.slice('LOADED '.length)) as string[]).map((m) => m.replace(/^NativeModule /, ''));
      expect(loaded).toContain('fs');
      const heavy = [
        'child_process',
        'net',
        'zlib',
        'worker_threads',
        'perf_hooks',
        'tty',
        'internal/fs/sync_write_stream',
      ];
      expect(loaded.filter((m) => heavy.includes(m))).toEqual([]);
    },
  );
});
