// Named build contexts (`--build-context NAME=VALUE`), looked up as BuildKit's dockerui does: a name is
// normalised to the familiar form of an image reference without `:latest`, so `alpine`,
// `docker.io/library/alpine` and `docker.io/library/alpine:latest` are one name, and `alpine:3` another.
// `scratch` and `context` never name one (BuildKit's namedContextFunc skips them).

import { familiarString, parseNormalizedNamed } from '../image/index.js';
import type { NamedContext } from './build-sources.js';

/** The key a context is stored and looked up under; throws InvalidReferenceError for a name that is no reference. */
export function contextName(name: string): string {
  const familiar = familiarString(parseNormalizedNamed(name));
  return familiar.endsWith(':latest') ? familiar.slice(0, -':latest'.length) : familiar;
}

export interface FoundContext {
  /** The normalised name it was given under. */
  readonly name: string;
  readonly context: NamedContext;
}

/** The context `name` (a stage name, a FROM base or a `--from` value as written) refers to, if any. */
export function findContext(contexts: ReadonlyMap<string, NamedContext>, name: string): FoundContext | null {
  if (contexts.size === 0) return null;
  const lower = name.toLowerCase();
  if (lower === 'scratch' || lower === 'context') return null;
  let key: string;
  try {
    key = contextName(name);
  } catch {
    // Not a reference: no --build-context can have that name (the CLI normalises the names it is given).
    return null;
  }
  const context = contexts.get(key);
  return context === undefined ? null : { name: key, context };
}
