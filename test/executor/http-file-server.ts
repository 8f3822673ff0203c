// A file served over HTTP on loopback whose bytes and validators a test changes between builds, answering
// If-None-Match / If-Modified-Since as a conforming server does (RFC 9110: If-None-Match wins, weak comparison),
// and recording every request: what it asked for, the status it got, how many body bytes were sent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  body: Buffer | string;
  /** Sent as ETag (e.g. `"v1"` or `W/"v1"`); null: none. */
  etag: string | null;
  /** Seconds since the epoch, sent as Last-Modified; null: none. */
  lastModified: number | null;
  /** Answer every request with 200 and the body, ignoring conditions (a server that does not do them). */
  ignoreConditions?: boolean;
  /** Answer with this status and no body. */
  status?: number;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly ifNoneMatch: string | null;
  readonly ifModifiedSince: string | null;
  readonly authorization: string | null;
  readonly status: number;
  readonly bodyBytes: number;
}

export interface FileServer {
  readonly base: string;
  /** What each path serves; a path not here is a 404. */
  readonly files: Map<string, ServedFile>;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

const weak = (tag: string) => tag.trim().replace(/^W\//, '');

function notModified(req: IncomingMessage, file: ServedFile): boolean {
  if (file.ignoreConditions === true) return false;
  const match = req.headers['if-none-match'];
  if (match !== undefined) {
    return (
      file.etag !== null && match.split(',').some((tag) => tag.trim() === '*' || weak(tag) === weak(file.etag ?? ''))
    );
  }
  const since = req.headers['if-modified-since'];
  if (since === undefined || file.lastModified === null) return false;
  const time = Date.parse(since);
  return Number.isFinite(time) && file.lastModified <= Math.floor(time / 1000);
}

export async function startFileServer(): Promise<FileServer> {
  const files = new Map<string, ServedFile>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = files.get(path);
    const seen = (status: number, bodyBytes: number) =>
      requests.push({
        method: req.method ?? '',
        path,
        ifNoneMatch: req.headers['if-none-match'] ?? null,
        ifModifiedSince: req.headers['if-modified-since'] ?? null,
        authorization: req.headers.authorization ?? null,
        status,
        bodyBytes,
      });
    if (file === undefined || file.status !== undefined) {
      const status = file?.status ?? 404;
      seen(status, 0);
      res.writeHead(status).end();
      return;
    }
    const headers: Record<string, string> = {};
    if (file.etag !== null) headers.etag = file.etag;
    if (file.lastModified !== null) headers['last-modified'] = new Date(file.lastModified * 1000).toUTCString();
    if (notModified(req, file)) {
      seen(304, 0);
      res.writeHead(304, headers).end();
      return;
    }
    const body = Buffer.from(file.body);
    seen(200, req.method === 'HEAD' ? 0 : body.length);
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    files,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
