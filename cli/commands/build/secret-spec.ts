// `--secret` values, as buildx reads them and BuildKit's secrets store checks them: comma-separated key=value fields
// (keys in any case) `id=`, `src=` or `source=`, `env=` and `type=file|env`. With `type=env` a `src=` names the
// variable; `env=` wins over `src=`; `id=NAME` alone is the variable NAME when it is set, else the file NAME. A
// file must exist and hold at most 500 KB, checked before the build starts, as buildx does.
import { statSync } from 'node:fs';
import type { SecretSource } from '../../../executor/index.js';

/** BuildKit's limit on a secret's size (secretsprovider.MaxSecretSize). */
const maxSecretBytes = 500 * 1024;

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

/** One `--secret` value as buildx's parser reads it: its id and where its value comes from. */
function parseSecret(value: string): { id: string; src?: string; env?: string } {
  let id = '';
  let src: string | undefined;
  let env: string | undefined;
  let type: string | undefined;
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) throw new Error(`invalid field '${field}' must be a key=value pair`);
    const key = field.slice(0, eq).toLowerCase();
    const text = field.slice(eq + 1);
    if (key === 'type') {
      if (text !== 'file' && text !== 'env') throw new Error(`unsupported secret type ${JSON.stringify(text)}`);
      type = text;
    } else if (key === 'id') id = text;
    else if (key === 'source' || key === 'src') src = text;
    else if (key === 'env') env = text;
    else throw new Error(`unexpected key '${key}' in '${field}'`);
  }
  if (type === 'env' && (env === undefined || env === '')) return { id, ...(src === undefined ? {} : { env: src }) };
  return { id, ...(src === undefined ? {} : { src }), ...(env === undefined ? {} : { env }) };
}

/** `--secret` values by id; `env` is the environment `id=NAME` alone is looked up in. */
export function parseSecrets(
  list: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Map<string, SecretSource> {
  const out = new Map<string, SecretSource>();
  for (const item of list) {
    const { id, src, env: variable } = parseSecret(item);
    if (id === '') throw new Error('secret missing ID');
    let source: SecretSource;
    if (variable !== undefined && variable !== '') source = { env: variable };
    else if (src !== undefined && src !== '') source = { src };
    else source = env[id] !== undefined ? { env: id } : { src: id };
    if (source.src !== undefined) checkSecretFile(id, source.src);
    out.set(id, source);
  }
  return out;
}

function checkSecretFile(id: string, file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    const code =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    throw new Error(`failed to stat ${file}: ${code}`);
  }
  if (size > maxSecretBytes) throw new Error(`secret ${id} too big. max size 500KB`);
}
