import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ContextSnapshot, EMPTY_DIGEST, selectSources, snapshotContext } from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

const sha = (s: string) => 'sha256:' + createHash('sha256').update(s).digest('hex');

let root: string;
let snap: ContextSnapshot;
beforeAll(async () => {
  root = await tempDir();
  await writeTree(root, {
    'a.txt': 'hello\n',
    'b.txt': 'bee',
    'c.go': 'package c',
    'src/': '',
    'src/main.go': 'package main',
    'src/util.go': 'package util',
    'src/sub/': '',
    'src/sub/deep.go': 'package deep',
    'src/README.md': 'readme',
    'link-to-a': { symlink: 'a.txt' },
    'link-to-src': { symlink: '/src' },
    escape: { symlink: '../../../../etc/passwd' },
  });
  for (const d of ['src', 'src/sub']) await fsp.chmod(path.join(root, d), 0o755);
  snap = await snapshotContext(root, { ignoreFile: null });
});
afterAll(() => fsp.rm(root, { recursive: true, force: true }));

describe('selectSources', () => {
  it('a plain file: its entry digest, copied under its base name', async () => {
    const r = await selectSources(snap, ['a.txt']);
    expect(r.errors).toEqual([]);
    expect(r.matches[0].digest).toBe('sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93');
    expect(r.matches[0].entries.map((e) => [e.from, e.to])).toEqual([['a.txt', 'a.txt']]);
    expect(r.contentDigest).toBe(sha(r.matches[0].digest));
    expect(r.selectorDigest).toBe(sha('/a.txt'));
  });

  it('a directory: its recursive contents digest; its contents are copied', async () => {
    const r = await selectSources(snap, ['src/']);
    expect(r.matches[0].selector).toBe('/src');
    expect(r.matches[0].digest).toBe(await snap.contentDigest('src'));
    expect(r.matches[0].entries.map((e) => e.to)).toEqual([
      '',
      'README.md',
      'main.go',
      'sub',
      'sub/deep.go',
      'util.go',
    ]);
  });

  it('missing sources are reported in BuildKit wording; .. and / are clamped to the context', async () => {
    const r = await selectSources(snap, ['nope', '../../a.txt', '/src/../b.txt', 'src/sub/../../nothing']);
    expect(r.errors).toEqual(['"/nope": not found', '"/nothing": not found']);
    expect(r.matches.map((m) => m.selector)).toEqual(['/a.txt', '/b.txt']);
    expect(r.contentDigest).toBeNull();
  });

  it('symlinks are followed inside the context only', async () => {
    const viaLink = await selectSources(snap, ['link-to-a']);
    expect(viaLink.matches[0].digest).toBe((await selectSources(snap, ['a.txt'])).matches[0].digest);
    expect(viaLink.matches[0].entries[0]).toMatchObject({ from: 'a.txt', to: 'link-to-a' });
    const abs = await selectSources(snap, ['link-to-src/main.go']);
    expect(abs.matches[0].entries[0].from).toBe('src/main.go');
    const out = await selectSources(snap, ['escape']);
    expect(out.errors).toEqual(['"/escape": not found']); // /etc/passwd inside the context: absent
  });

  it('wildcards: Go path.Match per name, NUL-separated base names and digests', async () => {
    const r = await selectSources(snap, ['*.txt']);
    const m = r.matches[0];
    expect(m.wildcard).toBe(true);
    expect(m.entries.map((e) => [e.from, e.to])).toEqual([
      ['a.txt', 'a.txt'],
      ['b.txt', 'b.txt'],
    ]);
    const da = await snap.entryDigest('a.txt');
    const db = await snap.entryDigest('b.txt');
    expect(m.digest).toBe(sha(`a.txt${da}\0b.txt${db}`));
    const none = await selectSources(snap, ['*.none']);
    expect(none.errors).toEqual([]);
    expect(none.matches[0].digest).toBe(EMPTY_DIGEST);
  });

  it('a wildcard below a symlinked directory resolves the prefix inside the context', async () => {
    const r = await selectSources(snap, ['link-to-src/*.go']);
    expect(r.matches[0].entries.map((e) => [e.from, e.to])).toEqual([
      ['src/main.go', 'main.go'],
      ['src/util.go', 'util.go'],
    ]);
    const direct = await selectSources(snap, ['src/*.go']);
    expect(r.matches[0].digest).toBe(direct.matches[0].digest); // names are base names, so equal
  });

  it('a wildcard matching a directory takes it whole, with its header', async () => {
    const r = await selectSources(snap, ['sr[c]']);
    expect(r.matches[0].entries.map((e) => e.to)).toEqual([
      '',
      'README.md',
      'main.go',
      'sub',
      'sub/deep.go',
      'util.go',
    ]);
  });

  it('--exclude removes entries from both the copy and the checksum', async () => {
    const r = await selectSources(snap, ['src'], { excludes: ['**/*.md', 'sub'] });
    expect(r.matches[0].entries.map((e) => e.to)).toEqual(['', 'main.go', 'util.go']);
    const names = ['src', 'main.go', 'util.go'];
    const digests = [
      await snap.entryDigest('src'),
      await snap.entryDigest('src/main.go'),
      await snap.entryDigest('src/util.go'),
    ];
    expect(r.matches[0].digest).toBe(sha(names.map((n, i) => n + digests[i]).join('\0')));
  });

  it('--parents keeps parent directories (pivot with /./)', async () => {
    const r = await selectSources(snap, ['src/sub/*.go'], { parents: true });
    expect(r.matches[0].includePatterns).toEqual(['src/sub/*.go']);
    expect(r.matches[0].entries.map((e) => e.to)).toEqual(['', 'src', 'src/sub', 'src/sub/deep.go']);
    const missing = await selectSources(snap, ['src/nope.go', 'src/*.none'], { parents: true });
    expect(missing.errors).toEqual(['"/src/nope.go": not found']);
    const pivot = await selectSources(snap, ['src/./sub/deep.go'], { parents: true });
    expect(pivot.matches[0].selector).toBe('/src');
    expect(pivot.matches[0].entries.map((e) => e.to)).toEqual(['', 'sub', 'sub/deep.go']);
  });

  it('combined digest: deduplicated selectors in path order, NUL-joined', async () => {
    const r = await selectSources(snap, ['src/main.go', 'c.go', 'src']);
    expect(r.contentDigest).toBe(sha([await snap.entryDigest('c.go'), await snap.contentDigest('src')].join('\0')));
    expect(r.selectorDigest).toBe(sha('/src/main.go\0/src\0/c.go'));
    const twice = await selectSources(snap, ['c.go', 'c.go']);
    expect(twice.selectorDigest).toBe(sha('/c.go'));
    expect(twice.contentDigest).toBe(sha(await snap.entryDigest('c.go')));
  });
});
