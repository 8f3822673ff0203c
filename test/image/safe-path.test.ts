import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isInside, resolveInRoot } from '../../image/index.js';

const root = mkdtempSync(path.join(tmpdir(), 'tsbuild-safe-path-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('isInside', () => {
  it.each([
    ['/r', '/r', true],
    ['/r', '/r/a', true],
    // A name that merely starts with two dots is inside the root.
    ['/r', '/r/..foo', true],
    ['/r', '/r/a/..b/c', true],
    ['/r', '/r/..', false],
    ['/r', '/r/../x', false],
    ['/r', '/other', false],
    ['/r', '/rx', false],
  ])('isInside(%s, %s) is %s', (base, candidate, inside) => {
    expect(isInside(base, candidate)).toBe(inside);
  });
});

describe('resolveInRoot', () => {
  it('resolves a file named ..foo at the root, and keeps an absolute symlink inside', async () => {
    mkdirSync(path.join(root, 'etc'));
    symlinkSync('/etc', path.join(root, 'link'));
    expect(await resolveInRoot(root, '..foo')).toBe(path.join(root, '..foo'));
    expect(await resolveInRoot(root, 'link/passwd')).toBe(path.join(root, 'etc', 'passwd'));
  });
});
