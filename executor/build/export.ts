// `--output type=local,dest=DIR` and `type=tar,dest=FILE|-`: the target stage's filesystem, merged
// from its layers through a read-only view, copied out with owners and modes kept.
import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Store } from '../../image/index.js';
import { withReadView } from './fs-step.js';
import type { FsState } from './layer-ref.js';

const run = promisify(execFile);

export type OutputSpec =
  | { readonly type: 'local'; readonly dest: string }
  | { readonly type: 'tar'; readonly dest: string };

export class OutputSpecError extends Error {
  readonly code = 'E_OUTPUT';
}

/** `type=local,dest=DIR`, `type=tar,dest=FILE`, or a bare directory (Docker's shorthand). */
export function parseOutput(text: string): OutputSpec {
  if (!text.includes('=')) return { type: 'local', dest: text };
  const fields = new Map(
    text.split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const type = fields.get('type') ?? 'local';
  const dest = fields.get('dest');
  if (type !== 'local' && type !== 'tar') throw new OutputSpecError(`unsupported output type ${type} (local, tar)`);
  if (dest === undefined || dest === '') throw new OutputSpecError(`output type ${type} needs dest=`);
  return { type, dest };
}

export async function exportFilesystem(store: Store, fs: FsState, output: OutputSpec): Promise<void> {
  await withReadView(store, fs, async (root) => {
    if (output.type === 'local') {
      await mkdir(output.dest, { recursive: true });
      await run('cp', ['-a', '--no-dereference', `${root}/.`, output.dest]);
      return;
    }
    const toStdout = output.dest === '-';
    await new Promise<void>((resolve, reject) => {
      const args = ['-C', root, '--numeric-owner', '--xattrs', '-cf', toStdout ? '-' : output.dest, '.'];
      const child = spawn('tar', args, { stdio: ['ignore', toStdout ? 'pipe' : 'ignore', 'pipe'] });
      if (toStdout) child.stdout?.pipe(process.stdout, { end: false });
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${stderr.trim()}`))));
    });
  });
}
