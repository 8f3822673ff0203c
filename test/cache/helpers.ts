import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

/** A fresh temporary directory; remove it with `fsp.rm(dir, { recursive: true })`. */
export function tempDir(prefix = 'tsbuild-ctx-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

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
