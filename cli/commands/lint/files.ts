// Which files `tsbuild lint` reads: the named files, Dockerfiles found in named directories, or stdin.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

const SKIP_DIRECTORIES = new Set(['node_modules', '.git']);

export function isDockerfileName(name: string): boolean {
  return name === 'Dockerfile' || name === 'Containerfile' || name.endsWith('.Dockerfile');
}

async function walk(directory: string, out: string[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRECTORIES.has(entry.name)) await walk(full, out);
    } else if (entry.isFile() && isDockerfileName(entry.name)) out.push(full);
  }
}

/** Operands that mean standard input. yargs drops a bare `-` operand, so the CLI may pass `/dev/stdin`. */
export const STDIN_OPERANDS = new Set(['-', '/dev/stdin']);

/** Expands the command-line operands; stdin becomes `-`. Throws for a path that does not exist. */
export async function resolveFiles(operands: readonly string[], cwd: string): Promise<string[]> {
  const out: string[] = [];
  for (const operand of operands.length === 0 ? ['Dockerfile'] : operands) {
    if (STDIN_OPERANDS.has(operand)) {
      out.push('-');
      continue;
    }
    const info = await stat(path.resolve(cwd, operand));
    if (info.isDirectory()) {
      const found: string[] = [];
      await walk(path.resolve(cwd, operand), found);
      out.push(...found.map((f) => path.relative(cwd, f) || f));
    } else out.push(operand);
  }
  return out;
}
