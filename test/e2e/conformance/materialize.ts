// Turns a case into files: the build context (files, dirs, symlinks, generated tar archives), the
// Dockerfile, and the HTTP fixture served on loopback.

import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type TarEntry, tarChunks } from '../../../image/index.js';
import type { ContextSpec, HttpResponseSpec, TarEntrySpec } from './cases.js';

export async function tarBytes(entries: readonly TarEntrySpec[], gzip: boolean): Promise<Buffer> {
  const tarEntries: TarEntry[] = entries.map((e) => ({
    path: e.name.replace(/\/+$/, ''),
    type: e.type === 'dir' ? 'directory' : e.type,
    mode: Number.parseInt(e.mode, 8),
    uid: 0,
    gid: 0,
    mtime: e.mtime ?? 1_600_000_000,
    ...(e.type === 'file' ? { content: Buffer.from(e.content ?? '') } : {}),
    ...(e.linkname === undefined ? {} : { linkname: e.linkname }),
  }));
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(tarEntries)) chunks.push(chunk);
  const tar = Buffer.concat(chunks);
  return gzip ? gzipSync(tar) : tar;
}

export async function writeCaseContext(dir: string, entries: readonly ContextSpec[]): Promise<void> {
  for (const entry of entries) {
    const full = path.join(dir, entry.path);
    await mkdir(path.dirname(full), { recursive: true });
    switch (entry.type) {
      case 'dir':
        await mkdir(full, { recursive: true });
        await chmod(full, Number.parseInt(entry.mode ?? '0755', 8));
        break;
      case 'symlink':
        await symlink(entry.target, full);
        break;
      case 'file':
        await writeFile(full, entry.content);
        await chmod(full, Number.parseInt(entry.mode ?? '0644', 8));
        break;
      case 'tar':
        await writeFile(full, await tarBytes(entry.entries, entry.compression === 'gzip'));
        await chmod(full, Number.parseInt(entry.mode ?? '0644', 8));
        break;
      case 'socket':
        throw new Error('sockets are not materialised');
    }
  }
}

export interface HttpFixture {
  readonly base: string;
  /** Body served for a path (for `sameBytesAs: http:<path>`). */
  body(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

async function bodyOf(spec: HttpResponseSpec): Promise<Buffer> {
  if (spec.tar !== undefined) return tarBytes(spec.tar, spec.compression === 'gzip');
  return Buffer.from(spec.content ?? '');
}

const runStarted = Math.floor(Date.now() / 1000);

export function lastModifiedSeconds(spec: HttpResponseSpec): number | null {
  if (spec.lastModified === undefined) return null;
  // One "now" for the whole run, so the server and the check agree on the second.
  if (spec.lastModified === 'now-24h') return runStarted - 24 * 3600;
  return Number(spec.lastModified);
}

export async function serveHttp(routes: Record<string, HttpResponseSpec>): Promise<HttpFixture> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const spec = routes[url.pathname];
      if (spec === undefined) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = await bodyOf(spec);
      const headers: Record<string, string> = { 'content-length': String(body.length) };
      const modified = lastModifiedSeconds(spec);
      if (modified !== null) headers['last-modified'] = new Date(modified * 1000).toUTCString();
      if (spec.etag) headers.etag = `"${body.length}-etag"`;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    body: (p) => bodyOf(routes[p] ?? {}),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
