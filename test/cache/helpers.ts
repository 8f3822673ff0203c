import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

/** A fresh temporary directory; remove it with `fsp.rm(dir, { recursive: true })`. */
export function tempDir(prefix = 'tsbuild-ctx-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A maker of temporary directories, each removed after the test that made it. */
export function tempDirsPerTest(): (prefix?: string) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    for (const dir of made.splice(0)) await fsp.rm(dir, { recursive: true, force: true });
  });
  return async (prefix) => {
    const dir = await tempDir(prefix);
    made.push(dir);
    return dir;
  };
}

/** A stat cache key's stat fields, and a digest per number, for the stat cache tests. */
export const stamp = { dev: 2049, ino: 1234, size: 5, mtimeMs: 1_700_000_000_123.456, ctimeMs: 1_700_000_000_124.5 };
export const digestOf = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

/** Writes files (string content), directories (trailing `/`) and symlinks (`{ symlink }`). */
export async function writeTree(root: string, tree: Record<string, string | { symlink: string }>): Promise<void> {
  for (const [rel, v] of Object.entries(tree)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      await fsp.mkdir(abs, { recursive: true });
      continue;
    }
    await fsp.mkdir(path.dirname(abs), { recursive: true });
    if (typeof v === 'string') {
      await fsp.writeFile(abs, v);
      await fsp.chmod(abs, 0o644);
    } else await fsp.symlink(v.symlink, abs);
  }
}
