// `tsbuild build` reading from stdin through the compiled CLI (`npm run build` first): the context as a
// tar (plain or gzip) with `CONTEXT` `-`, the Dockerfile with `-f -`, both at once (a usage error), and a
// hostile tar whose `../x` entry must be refused without writing outside the private temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
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

const cliPath = bundledCli;
const skip = bundledCliUnavailable() !== undefined;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function tsbuild(store: Store, args: string[], input: Buffer | string): Ran {
  const ran = spawnSync(process.execPath, [cliPath, 'build', '--progress', 'plain', ...args], {
    input,
    env: { ...process.env, TSBUILD_ROOT: store.root },
    encoding: 'utf8',
  });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

function tarOf(dir: string): Buffer {
  return execFileSync('tar', ['-C', dir, '-cf', '-', '.'], { maxBuffer: 64 << 20 });
}

/** What the store's private temp dir holds after a build: nothing once the context is cleaned up. */
async function leftovers(store: Store): Promise<string[]> {
  return readdir(path.join(store.root, 'tmp')).catch(() => []);
}

describe.skipIf(skip)('tsbuild build with stdin (compiled CLI)', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: 'FROM busybox\nCOPY hello.txt /hello.txt\n' },
      { path: 'other.Dockerfile', content: 'FROM busybox\nCOPY sub/ /data/\n' },
      { path: 'hello.txt', content: 'hello from the tar\n' },
      { path: 'sub/a.txt', content: 'a\n' },
      { path: 'secret.txt', content: 'ignored\n' },
      { path: '.dockerignore', content: 'secret.txt\n' },
    ]);
  });

  it('builds a tar context from stdin; the COPY’d file is in the image; the temp dir is removed', async () => {
    const out = await freshDir('o');
    const ran = tsbuild(store, ['-q', '--output', `type=local,dest=${out}`, '-'], tarOf(ctx));
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toBe(''); // only files out: no image kept, no id (docker -q prints an empty line)
    expect(await readFile(path.join(out, 'hello.txt'), 'utf8')).toBe('hello from the tar\n');
    expect(await leftovers(store)).toEqual([]);
    // The unpacked context is thrown away, so no stat cache is kept for it either.
    expect(await readdir(path.join(store.root, 'cache', 'context')).catch(() => [])).toEqual([]);
  });

  it('removes the unpacked context when the build fails', async () => {
    const bad = await freshDir('b');
    await writeContext(bad, [{ path: 'Dockerfile', content: 'FROM busybox\nCOPY missing.txt /\n' }]);
    const ran = tsbuild(store, ['-'], tarOf(bad));
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('"/missing.txt": not found');
    expect(await leftovers(store)).toEqual([]);
  });

  it('accepts a gzip-compressed tar and `-f NAME` as a path inside the tar', async () => {
    const out = await freshDir('o');
    const ran = tsbuild(
      store,
      ['-q', '-f', 'other.Dockerfile', '-o', `type=local,dest=${out}`, '-'],
      gzipSync(tarOf(ctx)),
    );
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await readFile(path.join(out, 'data/a.txt'), 'utf8')).toBe('a\n');
    expect(await leftovers(store)).toEqual([]);
  });

  it('reads the Dockerfile from stdin with `-f -` and applies the context root .dockerignore', async () => {
    const out = await freshDir('o');
    const dockerfile = 'FROM busybox\nCOPY hello.txt /from-stdin.txt\nCOPY secret.txt /secret.txt\n';
    const ran = tsbuild(store, ['-f', '-', '-o', `type=local,dest=${out}`, ctx], dockerfile);
    expect(ran.code).toBe(1);
    // secret.txt is in .dockerignore, so the second COPY fails: proof the Dockerfile came from stdin.
    expect(ran.stderr).toContain('"/secret.txt": not found');
    expect(ran.stderr).toContain('load build definition from Dockerfile');

    const ok = tsbuild(
      store,
      ['-q', '-f', '-', '-o', `type=local,dest=${out}`, ctx],
      'FROM busybox\nCOPY hello.txt /from-stdin.txt\n',
    );
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(await readFile(path.join(out, 'from-stdin.txt'), 'utf8')).toBe('hello from the tar\n');
    // The build is recorded under the Dockerfile name `-`, so `tsbuild plan -f -` finds it.
    const plan = spawnSync(process.execPath, [cliPath, 'plan', '-f', '-', ctx], {
      input: 'FROM busybox\nCOPY hello.txt /from-stdin.txt\n',
      env: { ...process.env, TSBUILD_ROOT: store.root },
      encoding: 'utf8',
    });
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/ {2}COPY hello\.txt \/from-stdin\.txt {2}CACHED\n/);
  });

  it('takes standard input that is no archive for the Dockerfile, with an empty context (docker build - < Dockerfile)', async () => {
    const out = await freshDir('o');
    const dockerfile = 'FROM busybox\nRUN echo built-from-stdin > /made.txt\n';
    const ran = tsbuild(store, ['-q', '--output', `type=local,dest=${out}`, '-'], dockerfile);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await readFile(path.join(out, 'made.txt'), 'utf8')).toBe('built-from-stdin\n');
    expect(await leftovers(store)).toEqual([]);
    // There is no context to copy from.
    const copy = tsbuild(store, ['-'], 'FROM busybox\nCOPY hello.txt /x\n');
    expect(copy.code).toBe(1);
    expect(copy.stderr).toContain(
      'ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref local::context: "/hello.txt": not found',
    );
    // A Dockerfile on stdin and -f as well: docker's error.
    const both = tsbuild(store, ['-f', 'Dockerfile', '-'], dockerfile);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe('ERROR: ambiguous Dockerfile source: both stdin and flag correspond to Dockerfiles\n');
    expect(await leftovers(store)).toEqual([]);
  });

  it('refuses to read both the Dockerfile and the context from stdin (exit 2)', () => {
    const ran = tsbuild(store, ['-f', '-', '-'], tarOf(ctx));
    expect(ran).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tsbuild: cannot read both the Dockerfile and the context from stdin\n',
    });
  });

  it('refuses a hostile tar (`../x`) with a clear error and writes nothing outside', async () => {
    const src = await freshDir('h');
    await writeContext(src, [{ path: 'x', content: 'escaped\n' }]);
    const hostile = execFileSync('tar', ['-C', src, '-P', '--transform', 's,^x$,../x,', '-cf', '-', 'x']);
    const before = await readdir(store.root);
    const ran = tsbuild(store, ['-'], hostile);
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toBe(
      'ERROR: cannot read the build context from stdin: build context tar entry "../x": path escapes the context\n',
    );
    expect(existsSync(path.join(store.root, 'tmp', 'x'))).toBe(false);
    expect(existsSync(path.join(store.root, 'x'))).toBe(false);
    expect((await readdir(store.root)).sort()).toEqual([...new Set([...before, 'tmp'])].sort());
    expect(await leftovers(store)).toEqual([]);
  });

  it('refuses a Dockerfile in the tar that is a symlink out of the context', async () => {
    const src = await freshDir('l');
    await writeContext(src, [{ path: 'Dockerfile', type: 'symlink', target: '/etc/hostname' }]);
    const ran = tsbuild(store, ['-'], tarOf(src));
    expect(ran).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ERROR: the Dockerfile "Dockerfile" in the context tar points outside the context\n',
    });
    expect(await leftovers(store)).toEqual([]);
  });
});
