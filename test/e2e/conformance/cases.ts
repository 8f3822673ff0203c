// BuildKit's Dockerfile build cases (../shared/conformance/buildkit/build/cases.json, see its
// README): the schema, loading, and which cases this runner cannot run, with the reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../helpers.js';

export interface TarEntrySpec {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink';
  content?: string;
  linkname?: string;
  mode: string;
  mtime?: number;
}

export type ContextSpec =
  | { path: string; type: 'file'; content: string; mode?: string }
  | { path: string; type: 'dir'; mode?: string }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'socket'; mode?: string }
  | { path: string; type: 'tar'; entries: TarEntrySpec[]; compression?: 'gzip'; mode?: string };

export interface FileCheck {
  path: string;
  content?: string;
  trimmedContent?: string;
  contains?: string | string[];
  notContains?: string | string[];
  nonEmpty?: boolean;
  minLength?: number;
  absent?: boolean;
  type?: 'file' | 'dir';
  symlink?: string;
  empty?: boolean;
  uid?: number;
  gid?: number;
  sameFileAs?: string;
  sameBytesAs?: string;
  mtimeFromLastModified?: string;
}

export interface ImageCheck {
  target?: string;
  platform?: string;
  path: string;
  equals?: unknown;
  len?: number;
  notEmpty?: boolean;
  contains?: string;
  notContains?: string;
  someHasPrefix?: string;
  unixTime?: number;
  sameAs?: string;
  emptyOrAbsent?: boolean;
  platformString?: string;
  layer?: unknown;
  /** With `target: layer`: a path inside the layer and its exact content. */
  file?: string;
  content?: string;
}

export interface HttpResponseSpec {
  content?: string;
  tar?: TarEntrySpec[];
  compression?: 'gzip';
  etag?: boolean;
  lastModified?: number | string;
}

export interface BuildCase {
  name: string;
  area: string;
  dockerfile: string;
  dockerfileName?: string;
  dockerfileInContext?: boolean;
  context: ContextSpec[];
  contextFormat?: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  platform?: string;
  otherAttrs?: Record<string, string>;
  namedContexts?: Record<string, unknown>;
  preBuild?: { tag: string; dockerfile: string; context?: ContextSpec[]; platform?: string }[];
  httpServer?: Record<string, HttpResponseSpec>;
  base: string;
  exporters: string[];
  exporterAttrs?: Record<string, string>;
  after?: string;
  request?: string;
  expect: {
    error?: string | string[];
    errorRegex?: string;
    errorLines?: number[];
    success?: boolean;
    files?: FileCheck[];
    config?: Record<string, unknown>;
    configContains?: Record<string, unknown>;
    imageChecks?: ImageCheck[];
    [key: string]: unknown;
  };
}

export function loadCases(): BuildCase[] {
  const file = path.join(sharedDir, 'conformance/buildkit/build/cases.json');
  return JSON.parse(readFileSync(file, 'utf8')) as BuildCase[];
}

const supportedOtherAttrs = new Set(['filename', 'no-cache', 'label:bar', 'hostname']);

/** Why a case cannot run here (missing base image, network, features outside this runner), or null. */
export function skipReason(c: BuildCase): string | null {
  if (c.base.includes('alpine')) return 'needs the alpine base image (no registry access; only busybox is built)';
  if (c.request !== undefined) return `frontend subrequest ${c.request} (no build)`;
  if (c.platform !== undefined) return 'multi-platform build (emulation / several platforms)';
  if (c.namedContexts !== undefined) return 'named contexts (--build-context) are not implemented';
  if (c.contextFormat !== undefined)
    return `context format ${c.contextFormat} (tar/URL contexts) not wired in the runner`;
  for (const key of Object.keys(c.otherAttrs ?? {})) {
    if (!supportedOtherAttrs.has(key)) return `frontend attribute ${key} is not supported`;
  }
  if (c.context.some((e) => e.type === 'socket')) return 'socket in the context';
  if (c.expect.filesByPlatform !== undefined || c.expect.configByPlatform !== undefined) return 'per-platform checks';
  if (c.expect.reproducible !== undefined) return 'reproducibility across two cold builds (OCI layout)';
  return null;
}
