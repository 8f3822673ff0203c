// Cache keys: sha256 over a canonical serialisation of the step's definition and its parent key.
// Canonical = JSON with object keys sorted and `undefined` members dropped, so the same definition
// always gives the same bytes regardless of how the object was built.

import { createHash } from 'node:crypto';

/** Bump when the meaning of a key changes, so old cache entries are never reused by mistake. */
export const KEY_VERSION = 'tsbuild.key.v1';

export type Canonical =
  | string
  | number
  | boolean
  | null
  | readonly Canonical[]
  | { readonly [key: string]: Canonical | undefined };

export function canonicalise(value: Canonical): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number in cache key');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: Canonical) => canonicalise(v)).join(',')}]`;
  const record = value as { readonly [key: string]: Canonical | undefined };
  const members = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalise(record[k] as Canonical)}`);
  return `{${members.join(',')}}`;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** `key = sha256(canonical({ v, parent, ...definition }))`. */
export function chainKey(parent: string | null, definition: { readonly [key: string]: Canonical | undefined }): string {
  return sha256(canonicalise({ v: KEY_VERSION, parent, def: definition }));
}
