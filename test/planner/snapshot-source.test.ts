// snapshotSource: a plain source (no wildcard, --exclude or --parents) is checksummed without selecting its
// entries; its digest, its "not found" and its listed files are those of cache's selectSources.
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContextSnapshot, selectSources, snapshotContext } from '../../cache/index.js';
import { snapshotSource } from '../../planner/index.js';
import { writeTree } from '../cache/helpers.js';

let root: string;
let snapshot: ContextSnapshot;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tsbuild-snapshot-source-'));
  await writeTree(root, {
    'a.txt': 'a\n',
    'src/main.go': 'package main',
    'src/sub/deep.go': 'package deep',
    'src/README.md': 'readme',
    'empty/': '',
    '.dockerignore': 'src/README.md\n',
  });
  await symlink('src', join(root, 'link-to-src'));
  await symlink('a.txt', join(root, 'link-to-a'));
  await symlink('/src/sub', join(root, 'abs-link'));
  await symlink('nowhere', join(root, 'dangling'));
  snapshot = await snapshotContext(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** What selectSources says of one source: its digest and files, or the missing path. */
async function expected(source: string, options: { excludes: string[]; parents: boolean }) {
  const result = await selectSources(snapshot, [source], options);
  const match = result.matches[0];
  if (result.errors.length > 0 || match === undefined) {
    return { ok: false, missing: /^"(.*)": not found$/.exec(result.errors[0] ?? '')?.[1] };
  }
  return { ok: true, digest: match.digest, files: await snapshot.fileDigests(match.entries) };
}

async function actual(source: string, options: { excludes: string[]; parents: boolean }) {
  const r = await snapshotSource(snapshot).checksum(source, options);
  return r.ok ? { ok: true, digest: r.digest, files: await r.files() } : { ok: false, missing: r.missing };
}

const PLAIN = [
  'a.txt',
  '/a.txt',
  '../a.txt',
  '.',
  '/',
  'src',
  'src/',
  'src/./sub/../main.go',
  'src/README.md',
  'link-to-src',
  'link-to-src/main.go',
  'link-to-a',
  'abs-link',
  'dangling',
  'empty',
  'nope',
  'src/nope',
  'a.txt/x',
];
const FILTERED = [
  { source: 'src/*.go', options: { excludes: [], parents: false } },
  { source: 'src', options: { excludes: ['sub'], parents: false } },
  { source: 'src/main.go', options: { excludes: [], parents: true } },
  { source: 'nope*', options: { excludes: [], parents: false } },
  { source: 'nope', options: { excludes: ['x'], parents: false } },
];

describe('snapshotSource', () => {
  for (const source of PLAIN) {
    it(`checksums ${source} as selectSources does`, async () => {
      const options = { excludes: [], parents: false };
      expect(await actual(source, options)).toEqual(await expected(source, options));
    });
  }
  for (const { source, options } of FILTERED) {
    it(`checksums ${source} ${JSON.stringify(options)} as selectSources does`, async () => {
      expect(await actual(source, options)).toEqual(await expected(source, options));
    });
  }

  it('lists the files once, when first asked', async () => {
    const r = await snapshotSource(snapshot).checksum('src', { excludes: [], parents: false });
    if (!r.ok) throw new Error('src not found');
    const first = r.files();
    expect(r.files()).toBe(first);
    expect((await first).map((f) => f.path)).toEqual(['src/main.go', 'src/sub/deep.go']);
  });
});
