// The shortcuts of the context snapshot give exactly the answers of the general code: an ignore
// pattern's literal-tail check, the allocation-free walk matcher, one-call hashing of files that
// fit the read buffer, and directory headers hashed straight from lstat numbers.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextWorker, float64s } from '../../cache/context/context-worker.js';
import { IgnorePatternMatcher } from '../../cache/context/ignore-pattern.js';
import { Re2Program } from '../../cache/context/re2-nfa.js';
import { FIELDS, StatPipeline, statAll } from '../../cache/context/stat-batch.js';
import { FAILED, PARAMS, READ_BUFFER } from '../../cache/context/worker-source.js';
import {
  compileIgnore,
  fileDigest,
  headerFor,
  headerOnlyDigest,
  snapshotContext,
  translatePattern,
} from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

describe('ignore patterns: the literal-tail check', () => {
  const patterns = [
    '**/*.tmp',
    '*.go',
    'a*b/c',
    'x?z',
    'dir/[ab]c',
    'dir/[ab]',
    'lit[^x]y',
    'a\\d',
    'a\\*b',
    'ends\\',
    'a^b',
    'src/**/test',
    '**/x.y',
  ];
  const paths = ['a.tmp', 'd/e/f.tmp', 'f.tmpx', 'main.go', 'axxb/c', 'ab/c', 'b/c', 'xyz', 'x/z', 'dir/ac'];
  const more = ['dir/bc', 'dir/a', 'litay', 'litxy', 'a1', 'a*b', 'aab', 'ends\\', 'a^b', 'src/a/b/test', 'q/x.y'];

  it('never changes an answer of the expression', () => {
    for (const p of patterns) {
      const t = translatePattern(p);
      const matcher = new IgnorePatternMatcher(p, false);
      let program: Re2Program | null = null;
      try {
        program = t.kind === 'regexp' ? new Re2Program(t.regexp) : null;
      } catch {
        // Go rejects the expression: every match fails, with or without the check.
        for (const path of [...paths, ...more]) expect(() => matcher.match(path)).toThrow();
        continue;
      }
      if (!program) continue;
      for (const path of [...paths, ...more])
        expect([p, path, matcher.match(path)]).toEqual([p, path, program.test(path)]);
    }
  });
});

describe('the walk matcher', () => {
  it('matchInfo + excludedBy answer as matchWithParent, and share one array for paths nothing matched', () => {
    const m = compileIgnore(['**/*.tmp', 'build', '!build/keep', 'docs/*.md', '!docs/README.md']);
    const walk = [
      ['a.txt', undefined],
      ['x.tmp', undefined],
      ['build', undefined],
      ['build/keep', 'build'],
      ['build/other', 'build'],
      ['docs', undefined],
      ['docs/a.md', 'docs'],
      ['docs/README.md', 'docs'],
    ] as const;
    const infos = new Map<string, ReturnType<typeof m.matchInfo>>();
    const excluded: string[] = [];
    for (const [p, parent] of walk) {
      const info = m.matchInfo(p, parent && infos.get(parent));
      infos.set(p, info);
      expect(m.excludedBy(info)).toBe(m.matchWithParent(p, parent && infos.get(parent)).excluded);
      if (m.excludedBy(info)) excluded.push(p);
    }
    expect(excluded).toEqual(['x.tmp', 'build', 'build/other', 'docs/a.md']);
    expect(infos.get('a.txt')).toBe(infos.get('docs'));
    expect(infos.get('a.txt')).toEqual([false, false, false, false, false]);
  });
});

describe('bulk hashing around the read buffer size', () => {
  it('gives the digest of header + content for every size, on both threads', async () => {
    const root = await tempDir();
    dirs.push(root);
    const header = (size: number) =>
      headerFor(
        {
          path: 'f',
          type: 'file',
          mode: 0o100644,
          uid: 0,
          gid: 0,
          size,
          mtimeMs: 0,
          ctimeMs: 0,
          dev: 0,
          ino: 0,
          nlink: 1,
          rdev: 0,
        },
        { resetOwner: true },
      );
    const headerLength = (size: number) =>
      `namemode420uid0gid0size${size}typeflag0linknameunamegnamedevmajor0devminor0`.length;
    const fit = READ_BUFFER - headerLength(READ_BUFFER);
    const sizes = [0, 1, 4096, fit - 1, fit, fit + 1, READ_BUFFER, READ_BUFFER + 7, 2 * READ_BUFFER + 3];
    const contents = sizes.map((size, k) =>
      createHash('sha256')
        .update(String(k))
        .digest()
        .toString('hex')
        .repeat(Math.ceil(size / 64) + 1)
        .slice(0, size),
    );
    const paths = sizes.map((_, k) => `f${k}`);
    await writeTree(root, Object.fromEntries(paths.map((p, k) => [p, contents[k]])));
    const expected = sizes.map((size, k) => fileDigest(header(size), Buffer.from(contents[k])));
    const worker = ContextWorker.start(true)!;
    try {
      for (const shared of [true, false]) {
        const numbers = float64s(sizes.length * PARAMS, shared);
        for (const [k, size] of sizes.entries()) numbers.set([0o100644, 0, 0, size], k * PARAMS);
        const digests = new Uint8Array(
          shared ? new SharedArrayBuffer(sizes.length * 32) : new ArrayBuffer(sizes.length * 32),
        );
        const reads = float64s(sizes.length, shared);
        const job = { kind: 'hash' as const, prefix: `${root}/`, paths, chunk: 1, numbers, digests, reads };
        // With the worker: every chunk is left to it; without: all on this thread.
        if (shared) await ContextWorker.run(job, worker, false);
        else await ContextWorker.run(job, null);
        const got = sizes.map((_, k) => `sha256:${Buffer.from(digests.subarray(k * 32, k * 32 + 32)).toString('hex')}`);
        expect(got).toEqual(expected);
        expect(Array.from(reads)).toEqual(sizes);
      }
    } finally {
      worker.close();
    }
  });
  it('refuses a symlink swapped in for a file the walk saw, on both threads', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { real: 'content' });
    await fsp.symlink(path.join(root, 'real'), path.join(root, 'swapped'));
    const worker = ContextWorker.start(true)!;
    try {
      for (const shared of [true, false]) {
        const numbers = float64s(PARAMS, shared);
        numbers.set([0o100644, 0, 0, 7], 0);
        const digests = new Uint8Array(shared ? new SharedArrayBuffer(32) : new ArrayBuffer(32));
        const reads = float64s(1, shared);
        const job = {
          kind: 'hash' as const,
          prefix: `${root}/`,
          paths: ['swapped'],
          chunk: 1,
          numbers,
          digests,
          reads,
        };
        if (shared) await ContextWorker.run(job, worker, false);
        else await ContextWorker.run(job, null);
        expect(Array.from(reads)).toEqual([FAILED]);
      }
    } finally {
      worker.close();
    }
  });
});

describe('the segmented stat pipeline', () => {
  it('gives the stats of a one-thread pass, in one arena or over several', async () => {
    const root = await tempDir();
    dirs.push(root);
    const paths: string[] = [];
    for (let d = 0; d < 3; d++) {
      await fsp.mkdir(path.join(root, `d${d}`));
      paths.push(`d${d}`);
      for (let f = 0; f < 1700; f++) {
        await fsp.writeFile(path.join(root, `d${d}`, `f${f}`), String(f));
        paths.push(`d${d}/f${f}`);
      }
    }
    await fsp.symlink('d0/f1', path.join(root, 'link'));
    paths.push('link', 'empty');
    await fsp.writeFile(path.join(root, 'empty'), '');
    const prefix = `${root}/`;
    const expected = await statAll(prefix, paths, null);
    const worker = ContextWorker.start(true)!;
    try {
      // 1024 entries: the pipeline outgrows its first arena twice; 65536: one arena for all.
      for (const arena of [1024, 65_536]) {
        const listed: string[] = [];
        const pipeline = new StatPipeline(prefix, listed, arena);
        pipeline.useWorker(worker);
        for (const p of paths) {
          listed.push(p);
          pipeline.listed(listed.length);
        }
        const got = await pipeline.finish();
        expect(got.fields.length).toBe(paths.length * FIELDS);
        expect(Array.from(got.fields)).toEqual(Array.from(expected.fields));
        expect([...got.links]).toEqual([[paths.length - 2, 'd0/f1']]);
      }
    } finally {
      worker.close();
    }
  });
});

describe('directory headers from lstat numbers', () => {
  it('equal the header digest of the directory entry, with and without owners reset', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { 'a/x': 'x', 'b/': '', 'c/d/': '' });
    await fsp.chmod(path.join(root, 'a'), 0o2750);
    await fsp.chmod(path.join(root, 'c/d'), 0o1777);
    await fsp.chown(path.join(root, 'b'), 1234, 5678);
    for (const resetOwner of [true, false]) {
      const snap = await snapshotContext(root, { resetOwner });
      for (const dir of ['a', 'b', 'c', 'c/d']) {
        expect(await snap.entryDigest(dir)).toBe(headerOnlyDigest(headerFor(snap.get(dir)!, { resetOwner })));
      }
      snap.close();
    }
  });
});
