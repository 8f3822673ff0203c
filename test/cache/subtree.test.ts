// snapshotSubtrees: for every source, `selectSources` over the limited snapshot selects exactly what it selects
// over a full walk of the tree (entries, destinations, errors), for files, directories, wildcards, symlinked
// parents (inside and out of the tree), excludes, --parents and missing sources; and it walks less.
import { promises as fsp } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ContextSnapshot,
  EMPTY_DIGEST,
  type SelectableSnapshot,
  type SelectOptions,
  selectSources,
  snapshotContext,
  snapshotSubtrees,
  staticPrefix,
  TooManyLinksError,
} from '../../cache/index.js';
import { tempDir, writeTree } from './helpers.js';

let root: string;
let outside: string;
let full: ContextSnapshot;

beforeAll(async () => {
  root = await tempDir('tsbuild-subtree-');
  outside = await tempDir('tsbuild-subtree-outside-');
  await writeTree(outside, { 'secret.txt': 'outside\n', 'dir/x.txt': 'x' });
  await writeTree(root, {
    'a.txt': 'a\n',
    'b.txt': 'b\n',
    'etc/passwd': 'root:x:0:0::/root:/bin/sh\n',
    'etc/group': 'root:x:0:\n',
    'usr/lib/libc.so': 'libc',
    'usr/lib/libm.so': 'libm',
    'usr/lib/x/deep.so': 'deep',
    'usr/lib/readme.txt': 'r',
    'usr/share/doc/a.md': 'doc',
    'usr/bin/sh': 'sh',
    'app/src/main.go': 'package main',
    'app/src/util.go': 'package util',
    'app/src/sub/deep.go': 'package deep',
    'app/docs/a.md': 'a',
    'app/docs/b.md': 'b',
    'app/node_modules/m/index.js': 'm',
    'empty/': '',
    'star*dir/f': 'literal star',
    // Merged /usr, as Debian roots have it: a relative and an absolute link to a directory.
    lib: { symlink: 'usr/lib' },
    bin: { symlink: '/usr/bin' },
    'link-to-a': { symlink: 'a.txt' },
    'app/current': { symlink: '../app/src' },
    'app/abs': { symlink: '/etc' },
    chain1: { symlink: 'chain2' },
    chain2: { symlink: 'usr/lib/x' },
    dangling: { symlink: 'no/such' },
    escape: { symlink: '../../../../../../' },
    'escape-abs': { symlink: outside },
    loop1: { symlink: 'loop2' },
    loop2: { symlink: 'loop1' },
  });
  full = await snapshotContext(root, { ignoreFile: null, resetOwner: false });
});
afterAll(async () => {
  await fsp.rm(root, { recursive: true, force: true });
  await fsp.rm(outside, { recursive: true, force: true });
});

/** Selection only, as COPY --from does it (copy-items.ts): no checksums. */
function noDigests(snapshot: ContextSnapshot): SelectableSnapshot {
  return {
    get: (p) => snapshot.get(p),
    children: (p) => snapshot.children(p),
    entryDigest: async () => EMPTY_DIGEST,
    contentDigest: async () => EMPTY_DIGEST,
  };
}

/** What a selection copies: per source its entries (snapshot path, destination, the entry) or the error. */
async function selection(snapshot: ContextSnapshot, sources: readonly string[], opts: SelectOptions) {
  try {
    const r = await selectSources(noDigests(snapshot), sources, opts);
    return {
      errors: r.errors,
      matches: r.matches.map((m) => ({
        selector: m.selector,
        wildcard: m.wildcard,
        includePatterns: m.includePatterns,
        entries: m.entries.map((e) => ({ from: e.from, to: e.to, entry: e.entry })),
      })),
    };
  } catch (error) {
    return { thrown: String(error) };
  }
}

const SOURCES = [
  'a.txt',
  '/a.txt',
  '../../a.txt',
  'etc/passwd',
  'etc',
  'etc/',
  '/',
  '.',
  'usr/lib',
  'usr/lib/libc.so',
  'usr/lib/*.so',
  'usr/*/libc.so',
  'usr/l?b/x',
  'usr/lib/[lr]*',
  '*.txt',
  'app/src/*.go',
  'app/*/sub',
  'lib/libc.so',
  'lib/x/deep.so',
  'lib/*.so',
  'lib',
  'bin/sh',
  'link-to-a',
  'app/current/main.go',
  'app/current',
  'app/abs/passwd',
  'app/abs/*',
  'chain1/deep.so',
  'chain1',
  'dangling',
  'dangling/x',
  'escape/a.txt',
  'escape/etc/passwd',
  'escape-abs/secret.txt',
  'escape-abs/dir',
  'loop1/x',
  'nope',
  'usr/nope/x',
  'a.txt/x',
  'star\\*dir/f',
  'star*dir/f',
  'empty',
  'app/src/main.go/../util.go',
];

describe('snapshotSubtrees selects what a full walk selects', () => {
  for (const source of SOURCES) {
    it(`COPY ${source}`, async () => {
      const limited = await snapshotSubtrees(root, [source]);
      expect(await selection(limited, [source], {})).toEqual(await selection(full, [source], {}));
    });
  }

  const filtered: { sources: string[]; opts: SelectOptions }[] = [
    { sources: ['app'], opts: { excludes: ['node_modules'] } },
    { sources: ['app/'], opts: { excludes: ['**/*.md', 'src/sub'] } },
    { sources: ['usr/lib/*.so'], opts: { excludes: ['libm.so'] } },
    { sources: ['lib'], opts: { excludes: ['x'] } },
    { sources: ['app/current'], opts: { excludes: ['util.go'] } },
    { sources: ['nope'], opts: { excludes: ['x'] } },
    { sources: ['app/src/main.go'], opts: { parents: true } },
    { sources: ['app/./src/main.go'], opts: { parents: true } },
    { sources: ['app/./src/*.go'], opts: { parents: true } },
    { sources: ['app/./**/*.md'], opts: { parents: true } },
    { sources: ['/usr/./lib/x'], opts: { parents: true } },
    { sources: ['lib/./x/deep.so'], opts: { parents: true } },
    { sources: ['app/current/./main.go'], opts: { parents: true } },
    { sources: ['app/./current/main.go'], opts: { parents: true } },
    { sources: ['app/./nope'], opts: { parents: true } },
    { sources: ['*/./*.txt'], opts: { parents: true } },
    { sources: ['app/./!src'], opts: { parents: true } },
    { sources: ['app/docs'], opts: { parents: true, excludes: ['b.md'] } },
    { sources: ['a.txt', 'usr/lib/libc.so', 'app/src/'], opts: {} },
    { sources: ['etc/passwd', 'lib/*.so', 'nope'], opts: {} },
    { sources: ['app/src/main.go', 'app/docs/*.md'], opts: { parents: true } },
  ];
  for (const { sources, opts } of filtered) {
    it(`COPY ${JSON.stringify(opts)} ${sources.join(' ')}`, async () => {
      const limited = await snapshotSubtrees(root, sources, { parents: opts.parents ?? false });
      expect(await selection(limited, sources, opts)).toEqual(await selection(full, sources, opts));
    });
  }
});

describe('snapshotSubtrees', () => {
  it('walks only the way to a file source, and the whole of a directory source', async () => {
    const file = await snapshotSubtrees(root, ['/usr/lib/libc.so']);
    expect(file.entries.map((e) => e.path)).toEqual(['usr', 'usr/lib', 'usr/lib/libc.so']);
    const dir = await snapshotSubtrees(root, ['etc']);
    expect(dir.entries.map((e) => e.path)).toEqual(['etc', 'etc/group', 'etc/passwd']);
  });

  it('keeps the links on the way to a source and walks where they lead, inside the root', async () => {
    const linked = await snapshotSubtrees(root, ['lib/x/deep.so']);
    expect(linked.entries.map((e) => e.path)).toEqual(['lib', 'usr', 'usr/lib', 'usr/lib/x', 'usr/lib/x/deep.so']);
    const escaping = await snapshotSubtrees(root, ['escape-abs/secret.txt']);
    expect(escaping.entries.map((e) => e.path)).toEqual(['escape-abs']);
  });

  it('a wildcard walks the directory before it', async () => {
    const s = await snapshotSubtrees(root, ['app/src/*.go']);
    expect(s.entries.map((e) => e.path)).toEqual([
      'app',
      'app/src',
      'app/src/main.go',
      'app/src/sub',
      'app/src/sub/deep.go',
      'app/src/util.go',
    ]);
  });

  it('the root, or a pattern starting with a wildcard, walks everything', async () => {
    for (const source of ['/', '*.txt']) {
      const s = await snapshotSubtrees(root, [source]);
      expect(s.entries.map((e) => e.path)).toEqual(full.entries.map((e) => e.path));
    }
  });

  it('a link loop fails selection as with a full walk', async () => {
    const limited = await snapshotSubtrees(root, ['loop1/x']);
    await expect(selectSources(noDigests(limited), ['loop1/x'])).rejects.toThrow(TooManyLinksError);
  });

  it('static prefixes: cut at the first wildcard; with --parents through the pattern after /./', () => {
    expect(staticPrefix('usr/lib/*.so', false)).toBe('/usr/lib');
    expect(staticPrefix('../../etc/passwd', false)).toBe('/etc/passwd');
    expect(staticPrefix('*.txt', false)).toBe('/');
    expect(staticPrefix('a\\*b/c', false)).toBe('/a\\*b/c');
    expect(staticPrefix('app/./src/*.go', true)).toBe('/app/src');
    expect(staticPrefix('app/src/main.go', true)).toBe('/app/src/main.go');
    expect(staticPrefix('app/./!src', true)).toBe('/app');
    expect(staticPrefix('a*/./b', true)).toBe('/');
  });

  it('keeps owners by default, like a stage snapshot', async () => {
    const s = await snapshotSubtrees(root, ['a.txt']);
    expect(s.get('a.txt')).toEqual(full.get('a.txt'));
  });

  it('a plain source has the same checksum as from a full walk', async () => {
    for (const source of ['a.txt', 'etc', 'lib', 'usr/lib/*.so', 'app/current']) {
      const limited = await snapshotSubtrees(root, [source]);
      const [a, b] = await Promise.all([selectSources(limited, [source]), selectSources(full, [source])]);
      expect(a.contentDigest).toBe(b.contentDigest);
    }
  });
});
