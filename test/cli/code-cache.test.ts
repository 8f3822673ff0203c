// The executable (cli/loader.ts) runs the bundled CLI with a V8 code cache written after a run: one file per bundle,
// Node version and kind of command, in the user's private directory; bad or foreign data is refused and replaced,
// and a directory other users could write to is never used.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bin = path.resolve(import.meta.dirname, '../../dist/bin/tsbuild.js');
const uid = process.getuid?.() ?? 0;

let dir: string;
let cacheDir: string;
let dockerfile: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tsbuild-code-cache-test-'));
  cacheDir = path.join(dir, `tsbuild-compile-cache-${uid}`);
  dockerfile = path.join(dir, 'Dockerfile');
  await writeFile(dockerfile, 'FROM scratch\nCOPY a /b\n');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `tsbuild ARGS…` with its caches below this test's TMPDIR, saying at exit what it did with its code cache. */
function tsbuild(args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: dir, TSBUILD_DEBUG_CODE_CACHE: '1', ...extraEnv };
  if (!('NODE_DISABLE_COMPILE_CACHE' in extraEnv)) delete env.NODE_DISABLE_COMPILE_CACHE;
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
}

/** The state line the loader printed, with the cache file's directory cut off; the run succeeded unless `anyExit`. */
function cacheState(run: SpawnSyncReturns<string>, anyExit = false): string {
  if (!anyExit) expect(run.status, run.stderr).toBe(0);
  const line = run.stderr.split('\n').find((l) => l.startsWith('tsbuild code cache: ')) ?? '';
  return line.replace(`${cacheDir}/`, '').replace(/cli-[0-9a-f]{16}-v[\d.]+-\w+-/, 'cli-…-');
}

async function cacheFiles(): Promise<string[]> {
  return (await readdir(cacheDir)).filter((name) => name.startsWith('cli-')).sort();
}

describe.skipIf(!existsSync(bin))('the code cache of the bundled CLI (run `npm run build` first)', () => {
  it('is written by the first run of a command, private to the user, and used by the next ones', async () => {
    const first = tsbuild(['parse', '--json', dockerfile]);
    expect(cacheState(first)).toBe('tsbuild code cache: missing cli-…-parse.v8');
    const [file] = await cacheFiles();
    // Owner read and write, and the group read bit that marks a cache a short run wrote (provisional: cli/loader.ts);
    // the directory is the user's alone (0700).
    expect(statSync(path.join(cacheDir, file)).mode & 0o777).toBe(0o640);
    const second = tsbuild(['parse', '--json', dockerfile]);
    // The run after a provisional cache takes it again if it grew; this one compiled no more.
    expect(cacheState(second)).toBe('tsbuild code cache: used, kept cli-…-parse.v8');
    expect(statSync(path.join(cacheDir, file)).mode & 0o777).toBe(0o600);
    expect(cacheState(tsbuild(['parse', '--json', dockerfile]))).toBe('tsbuild code cache: used cli-…-parse.v8');
    // The cache changes nothing the command does.
    expect(second.stdout).toBe(first.stdout);
    expect(second.stdout).toContain('"COPY"');
  });

  it('keeps one cache per kind of command; a bare `tsbuild -t …` is a build, --help another kind', async () => {
    expect(cacheState(tsbuild(['parse', dockerfile]))).toBe('tsbuild code cache: missing cli-…-parse.v8');
    // What the checks find (and so the exit status) is no concern here.
    expect(cacheState(tsbuild(['lint', dockerfile]), true)).toBe('tsbuild code cache: missing cli-…-lint.v8');
    expect(cacheState(tsbuild(['--help']))).toBe('tsbuild code cache: missing cli-…-other.v8');
    const bare = tsbuild(['-t', 'x', '--check', dir]);
    expect(cacheState(bare, true)).toBe('tsbuild code cache: missing cli-…-build.v8');
    expect((await cacheFiles()).map((f) => f.replace(/^cli-[0-9a-f]{16}-v[\d.]+-\w+-/, ''))).toEqual([
      'build.v8',
      'lint.v8',
      'other.v8',
      'parse.v8',
    ]);
  });

  it('refuses a damaged cache, runs without it and writes it anew', async () => {
    tsbuild(['parse', dockerfile]);
    const [file] = await cacheFiles();
    const good = await readFile(path.join(cacheDir, file));
    await writeFile(path.join(cacheDir, file), Buffer.concat([good.subarray(0, 64), Buffer.alloc(4096, 0xa5)]));
    const damaged = tsbuild(['parse', '--json', dockerfile]);
    expect(cacheState(damaged)).toBe('tsbuild code cache: rejected cli-…-parse.v8');
    expect(damaged.stdout).toContain('"COPY"');
    expect((await readFile(path.join(cacheDir, file))).length).toBeGreaterThan(4096 + 64);
    expect(cacheState(tsbuild(['parse', dockerfile]))).toBe('tsbuild code cache: used, kept cli-…-parse.v8');
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE, and in a directory other users could write to', async () => {
    expect(cacheState(tsbuild(['parse', dockerfile], { NODE_DISABLE_COMPILE_CACHE: '1' }))).toBe(
      'tsbuild code cache: off',
    );
    expect(existsSync(cacheDir)).toBe(false);
    await mkdir(cacheDir, { mode: 0o700 });
    await chmod(cacheDir, 0o777);
    expect(cacheState(tsbuild(['parse', dockerfile]))).toBe('tsbuild code cache: off');
    expect(await readdir(cacheDir)).toEqual([]);
  });
});
