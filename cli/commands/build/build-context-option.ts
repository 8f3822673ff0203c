// `--build-context NAME=VALUE` (docker buildx): checked before anything is built (a usage error, exit 2), with
// buildx's words where it has some. NAME is normalised as buildx does (`docker.io/library/alpine:latest` and
// `alpine` are one name). VALUE is `docker-image://REF`, a git repository URL (`https://…/repo.git#ref:dir`,
// `git@host:repo`, …), another http(s) URL (the downloaded file is the context, as BuildKit's dockerui has it)
// or a local directory; the other kinds BuildKit knows (`oci-layout://`, `target:`) are refused by name rather
// than taken for a path.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { BuildContextOption } from '../../../executor/index.js';
import { normalizeReference } from '../../../image/index.js';
import { contextName, GitRefError, parseGitRef } from '../../../planner/index.js';

const SUPPORTED = 'supported: a local directory, docker-image://REF, a git repository or an http(s) URL';

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
  if (/^git@/.test(value) || /^[a-zA-Z0-9]+:\/\//.test(value)) {
    let git: ReturnType<typeof parseGitRef>;
    try {
      git = parseGitRef(value);
    } catch (error) {
      if (error instanceof GitRefError) throw new Error(`invalid build context ${name}=${value}: ${error.message}`);
      throw error;
    }
    if (git !== null) return { type: 'git', url: value };
    if (/^https?:\/\//i.test(value)) return { type: 'http', url: value };
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

/** The kind of a value buildx passes to BuildKit as a special context, or null for a path. */
function unsupportedKind(value: string): string | null {
  if (value.startsWith('oci-layout://')) return 'oci-layout://';
  if (value.startsWith('target:')) return 'target:';
  if (value.startsWith('input:')) return 'input:';
  return null;
}
