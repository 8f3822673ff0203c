// `--secret` values, as buildx reads them: `id=NAME,src=FILE` (or `source=`), `id=NAME,env=VAR`, or `id=NAME`
// alone (the environment variable NAME).
import type { SecretSource } from '../../../executor/index.js';

/** `K=V` items as a record (an item without `=` is a key with the empty value). */
export function keyValues(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `--secret id=NAME,src=FILE` | `id=NAME,env=VAR` | `id=NAME` (src defaults to env var NAME). */
export function parseSecrets(list: readonly string[]): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const item of list) {
    const fields = keyValues(item.split(','));
    const id = fields.id;
    if (id === undefined || id === '') throw new Error(`invalid secret ${item}: id= is required`);
    const src = fields.src ?? fields.source;
    if (src !== undefined) out.set(id, { src });
    else out.set(id, { env: fields.env ?? id });
  }
  return out;
}
