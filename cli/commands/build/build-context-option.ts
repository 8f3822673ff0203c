// `--build-context NAME=VALUE` (docker buildx): checked before anything is built (a usage error, exit 2), with
// buildx's words where it has some. NAME is normalised as buildx does (`docker.io/library/alpine:latest` and
// `alpine` are one name). VALUE is `docker-image://REF` or a local directory; the other kinds BuildKit knows
// (git and HTTP URLs, `oci-layout://`, `target:`) are refused by name rather than taken for a path.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { BuildContextOption } from '../../../executor/index.js';
import { normalizeReference } from '../../../image/index.js';
import { contextName } from '../../../planner/index.js';

const SUPPORTED = 'supported: a local directory or docker-image://REF';

/** The named contexts of `values`, by normalised name; a later value for a name replaces an earlier one. */
export function buildContexts(values: readonly string[], cwd = process.cwd()): Map<string, BuildContextOption> {
  const out = new Map<string, BuildContextOption>();
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq < 0) throw new Error(`invalid context value: ${value}, expected key=value`);
    const rawName = value.slice(0, eq);
    let name: string;
    try {
      name = contextName(rawName);
    } catch (error) {
      throw new Error(`invalid context name ${rawName}: ${(error as Error).message}`);
    }
    out.set(name, contextValue(name, value.slice(eq + 1), cwd));
  }
  return out;
}

function contextValue(name: string, value: string, cwd: string): BuildContextOption {
  const image = /^docker-image:\/\/(.*)$/.exec(value);
  if (image !== null) {
    if (image[1] === 'scratch') return { type: 'image', ref: 'scratch' };
    try {
      return { type: 'image', ref: normalizeReference(image[1]) };
    } catch (error) {
      throw new Error(`invalid build context ${name}=${value}: ${(error as Error).message}`);
    }
  }
  const unsupported = unsupportedKind(value);
  if (unsupported !== null) {
    throw new Error(`build context ${name}=${value}: ${unsupported} contexts are not supported (${SUPPORTED})`);
  }
  const dir = path.resolve(cwd, value);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
    throw new Error(`failed to get build context ${name}: stat ${value}: ${reason}`);
  }
  if (!isDir) throw new Error(`failed to get build context path ${value}: not a directory`);
  return { type: 'local', dir };
}

/** The kind of a value buildx passes to BuildKit as a remote or special context, or null for a path. */
function unsupportedKind(value: string): string | null {
  if (/^git@/.test(value) || /^git:\/\//.test(value) || /^https?:\/\/.*\.git(#.*)?$/.test(value)) return 'git';
  if (/^https?:\/\//.test(value)) return 'HTTP';
  if (value.startsWith('oci-layout://')) return 'oci-layout://';
  if (value.startsWith('target:')) return 'target:';
  if (value.startsWith('input:')) return 'input:';
  return null;
}
