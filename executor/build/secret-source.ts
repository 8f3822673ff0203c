// The value of a build secret (`--secret id=…,src=FILE` or `env=VAR`), for RUN --mount=type=secret and git
// credentials alike; null when the secret is not given (no such id, or its variable is unset).
import { readFile } from 'node:fs/promises';
import type { SecretSource } from './step-env.js';

export async function readSecretSource(source: SecretSource | undefined): Promise<Buffer | null> {
  if (source?.src !== undefined) return readFile(source.src);
  const value = source?.env === undefined ? undefined : process.env[source.env];
  return value === undefined ? null : Buffer.from(value);
}
