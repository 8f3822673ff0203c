// What a local build loads: node:http/https (and with them Node's bundled undici, which an ESM import of
// node:http evaluates) cost 60–200 ms of start-up, so they load only when a registry is contacted.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
});
