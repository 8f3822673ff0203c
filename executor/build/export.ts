// `--output type=local,dest=DIR` and `type=tar,dest=FILE|-`: the target stage's filesystem, merged
// from its layers through a read-only view, copied out with owners and modes kept.
import { execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import type { Store } from '../../image/index.js';
import { type ImageOutputSpec, imageOutputTypes, parseImageOutput } from './export-image.js';
import type { FsState } from './layer-ref.js';
import { withReadView } from './lower-dirs.js';
import { stdoutSink } from './stdout-sink.js';

const run = promisify(execFile);

export type FilesystemOutputSpec =
  | { readonly type: 'local'; readonly dest: string }
  | { readonly type: 'tar'; readonly dest: string };

/** buildx's `type=cacheonly`: the build runs (and fills the cache, `--cache-to` included) and exports nothing. */
export interface CacheOnlyOutputSpec {
  readonly type: 'cacheonly';
}

/** Filesystem exporters here; image exporters (oci, docker, image) in export-image.ts. */
export type OutputSpec = FilesystemOutputSpec | ImageOutputSpec | CacheOnlyOutputSpec;

export class OutputSpecError extends Error {
  readonly code = 'E_OUTPUT';
}

/** `type=local,dest=DIR`, `type=tar,dest=FILE`, `type=cacheonly`, or a bare directory (Docker's shorthand). */
export function parseOutput(text: string): OutputSpec {
  // buildx: a bare path is the local exporter's destination, and `-` alone a tar on standard output.
  if (text === '-') return { type: 'tar', dest: '-' };
  if (!text.includes('=')) return { type: 'local', dest: text };
  const fields = new Map(
    csvFields(text).map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const type = fields.get('type') ?? 'local';
  if (type === 'cacheonly') return { type };
  if (imageOutputTypes.includes(type)) return parseImageOutput(type, fields, (m) => new OutputSpecError(m));
  const dest = fields.get('dest');
  if (type !== 'local' && type !== 'tar')
    throw new OutputSpecError(`unsupported output type ${type} (local, tar, oci, docker, image, cacheonly)`);
  if (dest === undefined || dest === '') throw new OutputSpecError(`output type ${type} needs dest=`);
  return { type, dest };
}

/** Splits on commas outside double quotes, as buildx's CSV reading of `--output` does (`"name=a,b"`). */
function csvFields(text: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

export async function exportFilesystem(store: Store, fs: FsState, output: FilesystemOutputSpec): Promise<void> {
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
      if (toStdout && child.stdout !== null) {
        // The reader of standard output went away (EPIPE): that is the error, and tar has nobody to write for.
        pipeline(child.stdout, stdoutSink(), { end: false }).catch((error: unknown) => {
          child.kill();
          reject(error);
        });
      }
      let stderr = '';
      child.stderr?.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${stderr.trim()}`))));
    });
  });
}
