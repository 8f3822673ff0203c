import { createHash } from 'node:crypto';
import { promises as fsp, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotContext, type WalkFs } from '../../cache/index.js';
import { sharedDir, tempDir, writeTree } from './helpers.js';

interface WalkCase {
  tree: [string, string][];
  excludePatterns: string[];
  dockerignore?: string;
  expected?: string[] | null;
  expectedPresent?: string[];
  expectedAbsent?: string[];
  error?: string;
  note: string;
}

const cases = JSON.parse(
  await fsp.readFile(path.join(sharedDir, 'conformance/dockerignore/walk-cases.json'), 'utf8'),
) as WalkCase[];

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
  dirs = [];
});

async function buildTree(c: WalkCase): Promise<{ root: string; unreadable: Set<string> }> {
  const root = await tempDir();
  dirs.push(root);
  const unreadable = new Set<string>();
  for (const [rel, kind] of c.tree) {
    const abs = path.join(root, rel);
    if (kind.startsWith('dir')) {
      await fsp.mkdir(abs, { recursive: true });
      // We run as root, where mode 0000 does not stop reads: simulate EACCES instead.
      if (kind.includes('unreadable')) unreadable.add(abs);
    } else {
      await fsp.mkdir(path.dirname(abs), { recursive: true });
      await fsp.writeFile(abs, rel === '.dockerignore' ? (c.dockerignore ?? '') : rel);
    }
  }
  if (c.dockerignore === undefined) await fsp.writeFile(path.join(root, '.dockerignore'), c.excludePatterns.join('\n'));
  return { root, unreadable };
}

describe('walk-cases.json', () => {
  for (const c of cases) {
    it(c.note, async () => {
      const { root, unreadable } = await buildTree(c);
      const walkFs: WalkFs = {
        readdir: (abs) => {
          if (unreadable.has(abs)) {
            throw Object.assign(new Error(`EACCES: permission denied, scandir '${abs}'`), { code: 'EACCES' });
          }
          return readdirSync(abs, { withFileTypes: true });
        },
      };
      const run = snapshotContext(root, { walkFs, dockerfilePath: 'Dockerfile' });
      if (c.error) {
        await expect(run).rejects.toThrow(c.error);
        return;
      }
      const snap = await run;
      const listed = snap.entries.filter((e) => e.path !== '.dockerignore' || c.dockerignore !== undefined);
      if (c.expected) expect(listed.map((e) => `${e.type} ${e.path}`)).toEqual(c.expected);
      for (const p of c.expectedPresent ?? []) expect(snap.get(p)?.path).toBe(p);
      for (const p of c.expectedAbsent ?? []) expect(snap.get(p)).toBeUndefined();
      if (c.dockerignore !== undefined) {
        // Excluded, but still readable by the builder.
        expect((await snap.readBuilderFile('dockerfile')).toString()).toBe('Dockerfile');
        expect((await snap.readBuilderFile('ignoreFile')).toString()).toBe(c.dockerignore);
      }
    });
  }
});

describe('context walk', () => {
  it('records metadata, symlink targets and special files, in lexical order', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { 'b.txt': 'hello\n', 'a/': '', 'a/z': 'z', 'a/link': { symlink: '../../outside' }, B: 'x' });
    await fsp.chmod(path.join(root, 'a'), 0o755);
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const snap = await snapshotContext(root, { ignoreFile: null });
    expect(snap.entries.map((e) => e.path)).toEqual(['B', 'a', 'a/link', 'a/z', 'b.txt', 'fifo']);
    const link = snap.get('a/link')!;
    expect(link.type).toBe('symlink');
    expect(link.linkTarget).toBe('../../outside');
    const fifo = snap.get('fifo')!;
    expect([fifo.type, fifo.special]).toEqual(['other', 'fifo']);
    const b = snap.get('b.txt')!;
    expect([b.type, b.size, b.mode & 0o7777, b.uid]).toEqual(['file', 6, 0o644, 0]);
    expect(b.mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(await snap.entryDigest('b.txt')).toBe(
      'sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93',
    );
    expect(await snap.entryDigest('a')).toBe('sha256:1a2805521573cb10d73bcd51d16bfa84c8f461d68599740e35484b90b2ab1bab');
  });

  it('prefers <Dockerfile>.dockerignore beside the Dockerfile over .dockerignore', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, {
      '.dockerignore': 'a\n',
      'docker/app.Dockerfile': 'FROM scratch\n',
      'docker/app.Dockerfile.dockerignore': 'b\n',
      a: 'a',
      b: 'b',
    });
    const snap = await snapshotContext(root, { dockerfilePath: 'docker/app.Dockerfile' });
    expect(snap.ignoreFile).toBe(path.join(snap.root, 'docker/app.Dockerfile.dockerignore'));
    expect(snap.get('a')?.path).toBe('a');
    expect(snap.get('b')).toBeUndefined();
    const plain = await snapshotContext(root, {});
    expect(plain.get('a')).toBeUndefined();
    expect(plain.get('b')?.path).toBe('b');
  });

  it('surfaces a malformed ignore pattern as an error with its line', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { '.dockerignore': 'ok\nfoo\\ \n', x: '' });
    await expect(snapshotContext(root)).rejects.toThrow('line 2: syntax error in pattern: foo\\');
  });

  it('an unreadable file errors only when its digest is requested', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { a: 'a', b: 'b' });
    const snap = await snapshotContext(root, {
      readFile: async function* (abs) {
        if (abs.endsWith('/b'))
          throw Object.assign(new Error(`EACCES: permission denied, open '${abs}'`), { code: 'EACCES' });
        yield await fsp.readFile(abs);
      },
    });
    expect(snap.entries.map((e) => e.path)).toEqual(['a', 'b']);
    await expect(snap.entryDigest('a')).resolves.toMatch(/^sha256:/);
    await expect(snap.entryDigest('b')).rejects.toThrow('EACCES: permission denied');
  });

  it('ignored files never affect digests; a re-included file brings its parent header (CACHE.md 4.5)', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, {
      '.dockerignore': 'docs\n!docs/README.md\n*.log\n',
      'docs/README.md': 'readme',
      'docs/internal.md': 'secret',
      'app.log': 'log 1',
      'main.go': 'package main',
    });
    await fsp.chmod(path.join(root, 'docs'), 0o755);
    const first = await snapshotContext(root);
    expect(first.entries.map((e) => e.path)).toEqual(['.dockerignore', 'docs', 'docs/README.md', 'main.go']);
    const rootDigest = await first.contentDigest('');
    await fsp.writeFile(path.join(root, 'app.log'), 'log 2, longer');
    await fsp.writeFile(path.join(root, 'docs/internal.md'), 'changed');
    expect(await (await snapshotContext(root)).contentDigest('')).toBe(rootDigest);
    await fsp.writeFile(path.join(root, 'docs/README.md'), 'README');
    expect(await (await snapshotContext(root)).contentDigest('')).not.toBe(rootDigest);
  });

  it('root contents digest follows CACHE.md 4.3 (root header = digest of empty input)', async () => {
    const root = await tempDir();
    dirs.push(root);
    await writeTree(root, { a: 'hello\n' });
    const snap = await snapshotContext(root);
    const fileDigest = 'sha256:09eefdc91e8894bc767daae7daa5a4e8cbf396610f10ae20604d9086c76d4a93';
    const empty = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const expected = createHash('sha256').update(`\0${empty}\0a${fileDigest}`).digest('hex');
    expect(await snap.contentDigest('')).toBe(`sha256:${expected}`);
  });

  it.todo('includes extended attributes (user.*, security.capability) in file digests: Node has no xattr API');
});
