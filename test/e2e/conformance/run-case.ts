// Runs one BuildKit build case against tsbuild and returns what differs from its expectations
// (empty: the case passes). Builds go into a shared busybox store; every case has its own dirs.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type BuildError,
  exportFilesystem,
  exportOutput,
  parseOutput,
  wantsRewriteTimestamp,
} from '../../../executor/index.js';
import { type Digest, digestHex, type ImageIndex, type Store } from '../../../image/index.js';
import { buildIn, freshDir } from '../helpers.js';
import type { BuildCase } from './cases.js';
import { checkConfig, checkFile, checkImage } from './checks.js';
import { checkLayer } from './layer-check.js';
import { type HttpFixture, lastModifiedSeconds, serveHttp, writeCaseContext } from './materialize.js';

const registry = 'localhost:5000';

function substitute<T>(value: T, http: string | null): T {
  let text = JSON.stringify(value).replaceAll('{{REGISTRY}}', registry);
  if (http !== null) text = text.replaceAll('{{HTTP_SERVER}}', http);
  return JSON.parse(text) as T;
}

/** Exported filesystems of earlier cases, for `sameBytesAs: case:<name>:<path>`. */
const exportedRoots = new Map<string, string>();

export async function runCase(store: Store, original: BuildCase): Promise<string[]> {
  let http: HttpFixture | null = null;
  try {
    if (original.httpServer !== undefined) http = await serveHttp(original.httpServer);
    const c = substitute(original, http?.base ?? null);
    for (const pre of c.preBuild ?? []) {
      const dir = await freshDir('p');
      await writeCaseContext(dir, pre.context ?? []);
      await writeFile(path.join(dir, 'Dockerfile'), pre.dockerfile);
      const run = await buildIn(store, dir, { tags: [pre.tag] });
      if (run.error !== null) return [`pre-build ${pre.tag} failed: ${run.error.message}`];
    }
    const contextDir = await freshDir('k');
    await writeCaseContext(contextDir, c.context);
    if (c.dockerignore !== undefined) {
      await writeFile(path.join(contextDir, '.dockerignore'), c.dockerignore);
      await chmod(path.join(contextDir, '.dockerignore'), 0o600);
    }
    const dockerfileDir = c.dockerfileInContext === false ? await freshDir('d') : contextDir;
    const dockerfileName = c.dockerfileName ?? 'Dockerfile';
    const dockerfile = path.join(dockerfileDir, dockerfileName);
    await mkdir(path.dirname(dockerfile), { recursive: true });
    await writeFile(dockerfile, c.dockerfile);
    await chmod(dockerfile, Number.parseInt((c as { dockerfileMode?: string }).dockerfileMode ?? '0600', 8));
    const attrs = c.otherAttrs ?? {};
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) if (k.startsWith('label:')) labels[k.slice(6)] = v;
    const run = await buildIn(store, contextDir, {
      dockerfile: attrs.filename === undefined ? dockerfile : path.join(dockerfileDir, attrs.filename),
      buildArgs: c.buildArgs ?? {},
      ...(c.target === undefined ? {} : { target: c.target }),
      labels,
      noCache: attrs['no-cache'] !== undefined,
      ...(attrs.hostname === undefined ? {} : { hostname: attrs.hostname }),
      tags: c.exporterAttrs?.name === undefined ? [] : c.exporterAttrs.name.split(','),
      rewriteTimestamp: wantsRewriteTimestamp([parseOutput(`type=oci,dest=-${csv(c.exporterAttrs ?? {})}`)]),
    });
    const e = c.expect;
    if (e.error !== undefined || e.errorRegex !== undefined) {
      if (run.error === null) return ['the build succeeded but should have failed'];
      const message = run.error.message;
      const problems: string[] = [];
      for (const part of typeof e.error === 'string' ? [e.error] : (e.error ?? [])) {
        if (!message.includes(part)) problems.push(`error ${JSON.stringify(message)} lacks ${JSON.stringify(part)}`);
      }
      if (e.errorRegex !== undefined && !new RegExp(e.errorRegex).test(message))
        problems.push(`error ${JSON.stringify(message)} does not match /${e.errorRegex}/`);
      const line = (run.error as BuildError).details?.line;
      if (e.errorLines !== undefined && line !== e.errorLines[0])
        problems.push(`error points at line ${line}, expected ${e.errorLines[0]}`);
      return problems;
    }
    if (run.error !== null || run.result === null) {
      return [`build failed: ${run.error?.message ?? 'no result'}\n${run.log.split('\n').slice(-25).join('\n')}`];
    }
    const result = run.result;
    const problems: string[] = [];
    if (e.files !== undefined) {
      const root = await freshDir('o');
      await exportFilesystem(store, result.fs, { type: 'local', dest: root });
      exportedRoots.set(c.name, root);
      const fileCtx = {
        root,
        contextDir,
        caseRoot: (name: string) => exportedRoots.get(name) ?? null,
        httpBody: (p: string) => (http === null ? Promise.resolve(Buffer.alloc(0)) : http.body(p)),
        lastModified: (p: string) => {
          const spec = c.httpServer?.[p];
          return spec === undefined ? null : lastModifiedSeconds(spec);
        },
      };
      for (const check of e.files) problems.push(...(await checkFile(fileCtx, check)));
    }
    const config = (result.config.config ?? {}) as Record<string, unknown>;
    problems.push(...checkConfig(config, e.config, e.configContains));
    if (e.imageChecks !== undefined) {
      const docs: Record<string, unknown> = {
        config: result.config,
        manifest: await store.readJson<unknown>(result.manifestDigest),
      };
      let layoutDir: string | null = null;
      if (c.exporters.includes('oci')) {
        const layout = await exportOciLayout(store, result, c.exporterAttrs ?? {});
        layoutDir = layout.dir;
        Object.assign(docs, { manifest: layout.manifest, 'layout-index': layout['layout-index'] });
      }
      const baseLayers = baseImageCount(c.dockerfile);
      const counts = { history: baseLayers, diff_ids: baseLayers };
      for (const check of e.imageChecks) {
        if (check.target === 'layer') problems.push(...(await checkLayer(layoutDir, docs.manifest, check)));
        else problems.push(...checkImage(docs, check, counts));
      }
    }
    return problems;
  } finally {
    await http?.close();
  }
}

/** Exporter attributes as `--output` fields, CSV-quoted the way buildx reads them (`"name=a,b"`). */
function csv(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `,"${k}=${v}"`)
    .join('');
}

/**
 * The `oci` exporter as a directory (upstream checks the tar form too, with the same index): its
 * `index.json` is the `layout-index` target and the manifest it names the `manifest` target.
 */
async function exportOciLayout(
  store: Store,
  result: Parameters<typeof exportOutput>[1],
  attrs: Record<string, string>,
): Promise<{ dir: string; manifest: unknown; 'layout-index': unknown }> {
  const dest = await freshDir('l');
  await exportOutput(store, result, parseOutput(`type=oci,dest=${dest}${csv({ ...attrs, tar: 'false' })}`));
  const index = JSON.parse(await readFile(path.join(dest, 'index.json'), 'utf8')) as ImageIndex;
  const top = index.manifests[0]?.digest as Digest;
  const manifest = JSON.parse(await readFile(path.join(dest, 'blobs/sha256', digestHex(top)), 'utf8')) as unknown;
  return { dir: dest, manifest, 'layout-index': index };
}

/** History entries of the final stage's base: the busybox fixture has one, scratch none. */
function baseImageCount(dockerfile: string): number {
  const froms = [...dockerfile.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)/gim)].map((m) => m[1].toLowerCase());
  const last = froms[froms.length - 1] ?? 'scratch';
  return last.startsWith('busybox') ? 1 : 0;
}
