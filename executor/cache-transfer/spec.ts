// `--cache-to` / `--cache-from` values, BuildKit's CSV form: `type=local,dest=DIR`, `type=local,src=DIR`,
// `type=registry,ref=HOST/REPO:TAG`, each with an optional `mode=min|max` (export only), and `type=inline` (export
// only: the records go into the image's config, inline.ts; an import names the image as a registry source).
import path from 'node:path';
import { type ImageReference, parseDockerRef } from '../../image/index.js';

export type CacheMode = 'min' | 'max';

export type CacheSpec =
  | { readonly type: 'local'; readonly dir: string; readonly mode: CacheMode }
  | { readonly type: 'registry'; readonly ref: ImageReference; readonly mode: CacheMode }
  | { readonly type: 'inline' };

export class CacheSpecError extends Error {
  readonly code = 'ECACHESPEC';
}

function fields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new CacheSpecError(`invalid cache option "${part}" in "${text}": expected key=value`);
    out.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return out;
}

/** Parses one `--cache-to` (`direction: 'to'`) or `--cache-from` value. */
export function parseCacheSpec(text: string, direction: 'to' | 'from'): CacheSpec {
  // BuildKit accepts a bare reference for --cache-from: it means type=registry,ref=….
  const f = direction === 'from' && !text.includes('=') ? new Map([['ref', text]]) : fields(text);
  const type = f.get('type') ?? (f.has('ref') ? 'registry' : undefined);
  const modeText = f.get('mode') ?? 'min';
  if (modeText !== 'min' && modeText !== 'max') {
    throw new CacheSpecError(`invalid cache mode "${modeText}" in "${text}": expected min or max`);
  }
  const mode: CacheMode = modeText;
  if (type === 'local') {
    const key = direction === 'to' ? 'dest' : 'src';
    const dir = f.get(key);
    if (dir === undefined || dir === '') throw new CacheSpecError(`type=local cache needs ${key}=DIR: "${text}"`);
    return { type: 'local', dir: path.resolve(dir), mode };
  }
  if (type === 'registry') {
    const ref = f.get('ref');
    if (ref === undefined || ref === '') throw new CacheSpecError(`type=registry cache needs ref=NAME:TAG: "${text}"`);
    let parsed: ImageReference;
    try {
      parsed = parseDockerRef(ref);
    } catch (error) {
      throw new CacheSpecError(`invalid cache reference "${ref}": ${(error as Error).message}`);
    }
    return { type: 'registry', ref: parsed, mode };
  }
  if (type === 'inline') {
    if (direction === 'from') {
      throw new CacheSpecError(
        `type=inline is for --cache-to: import an image's inline cache with --cache-from type=registry,ref=IMAGE`,
      );
    }
    // The image holds the records of its own layers, nothing more: BuildKit's inline exporter is mode=min too.
    if (mode === 'max')
      throw new CacheSpecError(`type=inline holds the image's own layers only: mode=max in "${text}"`);
    return { type: 'inline' };
  }
  throw new CacheSpecError(`unsupported cache type "${type ?? ''}" in "${text}": expected local, registry or inline`);
}
