import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A small in-memory registry on loopback that tests bend to misbehave (wrong bytes, truncation, 401, 429…).

export type Intercept = (req: IncomingMessage, res: ServerResponse, body: Buffer) => boolean | Promise<boolean>;

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
}

export interface FakeRegistryOptions {
  /** `basic`: user `u` / password `p` on every /v2 route; `bearer`: the same at /token, which hands out tokens. */
  readonly auth?: 'none' | 'basic' | 'bearer';
}

export const sha256 = (data: Buffer | string): `sha256:${string}` =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { type: string; body: Buffer }>();
  readonly uploads = new Map<string, Buffer>();
  readonly log: LoggedRequest[] = [];
  /** Tokens issued by /token, with the scopes they were asked for. */
  readonly issued = new Map<string, string[]>();
  intercept: Intercept | undefined;
  host = '';
  private readonly server: http.Server;

  constructor(private readonly options: FakeRegistryOptions = {}) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.log.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        void this.handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
          res.statusCode = 500;
          res.end(String(error));
        });
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.host;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  putManifest(repo: string, tag: string, type: string, body: Buffer): string {
    const digest = sha256(body);
    this.manifests.set(`${repo}@${digest}`, { type, body });
    this.manifests.set(`${repo}:${tag}`, { type, body });
    return digest;
  }

  private authorized(req: IncomingMessage): boolean {
    const mode = this.options.auth ?? 'none';
    const header = req.headers.authorization ?? '';
    if (mode === 'none') return true;
    if (mode === 'basic') return header === `Basic ${Buffer.from('u:p').toString('base64')}`;
    return header.startsWith('Bearer ') && this.issued.has(header.slice(7));
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    if (this.intercept && (await this.intercept(req, res, body))) return;
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    if (url.pathname === '/token') return this.token(req, res, url, body);
    if (!this.authorized(req)) {
      res.statusCode = 401;
      res.setHeader(
        'www-authenticate',
        this.options.auth === 'basic'
          ? 'Basic realm="fake"'
          : `Bearer realm="http://${this.host}/token",service="fake"`,
      );
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (url.pathname === '/v2/') return void res.end('{}');
    const m = /^\/v2\/(.+)\/(blobs|manifests)\/(uploads\/)?([^/]*)$/.exec(url.pathname);
    if (m === null) return this.notFound(res, 'NAME_UNKNOWN');
    const [, repo, kind, upload, ref] = m as unknown as [string, string, string, string | undefined, string];
    if (kind === 'manifests') return this.manifest(req, res, repo, ref, body);
    if (upload !== undefined) return this.upload(req, res, url, repo, ref, body);
    const blob = this.blobs.get(ref);
    if (blob === undefined) return this.notFound(res, 'BLOB_UNKNOWN');
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    res.statusCode = range ? 206 : 200;
    if (range) res.setHeader('content-range', `bytes ${start}-${blob.length - 1}/${blob.length}`);
    res.setHeader('content-length', blob.length - start);
    res.setHeader('docker-content-digest', ref);
    res.end(req.method === 'HEAD' ? undefined : blob.subarray(start));
  }

  private token(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): undefined {
    if (req.method === 'POST') {
      // OAuth2 refresh-token grant: the identity token `good-refresh` is valid
      const form = new URLSearchParams(body.toString());
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== 'good-refresh') {
        res.statusCode = 401;
        return void res.end();
      }
      const token = randomUUID();
      this.issued.set(token, (form.get('scope') ?? '').split(' '));
      return void res.end(JSON.stringify({ access_token: token, expires_in: 300 }));
    }
    const header = req.headers.authorization;
    if (header !== undefined && header !== `Basic ${Buffer.from('u:p').toString('base64')}`) {
      res.statusCode = 401;
      return void res.end('{"details":"bad credentials"}');
    }
    if (header === undefined) {
      // anonymous tokens are worthless here: this registry is private
      res.statusCode = 200;
      return void res.end(JSON.stringify({ token: 'anonymous' }));
    }
    const token = randomUUID();
    this.issued.set(token, url.searchParams.getAll('scope'));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token, expires_in: 300 }));
  }

  private notFound(res: ServerResponse, code: string): undefined {
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));
  }

  private manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string, body: Buffer): undefined {
    const key = ref.startsWith('sha256:') ? `${repo}@${ref}` : `${repo}:${ref}`;
    if (req.method === 'PUT') {
      const digest = this.putManifest(repo, ref, req.headers['content-type'] ?? '', body);
      res.statusCode = 201;
      res.setHeader('docker-content-digest', digest);
      return void res.end();
    }
    const found = this.manifests.get(key);
    if (found === undefined) return this.notFound(res, 'MANIFEST_UNKNOWN');
    res.setHeader('content-type', found.type);
    res.setHeader('content-length', found.body.length);
    res.setHeader('docker-content-digest', sha256(found.body));
    res.end(req.method === 'HEAD' ? undefined : found.body);
  }

  private upload(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    repo: string,
    id: string,
    body: Buffer,
  ): undefined {
    if (req.method === 'POST') {
      const mount = url.searchParams.get('mount');
      if (mount !== null && this.blobs.has(mount)) {
        res.statusCode = 201;
        res.setHeader('docker-content-digest', mount);
        return void res.end();
      }
      const uuid = randomUUID();
      this.uploads.set(uuid, Buffer.alloc(0));
      res.statusCode = 202;
      res.setHeader('location', `/v2/${repo}/blobs/uploads/${uuid}?_state=x`);
      return void res.end();
    }
    const held = this.uploads.get(id);
    if (held === undefined) return this.notFound(res, 'BLOB_UPLOAD_UNKNOWN');
    const sendRange = (data: Buffer) => {
      res.setHeader('location', `/v2/${repo}/blobs/uploads/${id}?_state=y`);
      res.setHeader('range', `0-${data.length - 1}`);
    };
    if (req.method === 'GET') {
      res.statusCode = 204;
      sendRange(held);
      return void res.end();
    }
    if (req.method === 'PATCH') {
      const range = /^(\d+)-(\d+)$/.exec(req.headers['content-range'] ?? '');
      if (range !== null && Number(range[1]) !== held.length) {
        res.statusCode = 416;
        return void res.end();
      }
      const next = Buffer.concat([held, body]);
      this.uploads.set(id, next);
      res.statusCode = 202;
      sendRange(next);
      return void res.end();
    }
    if (req.method === 'PUT') {
      const all = Buffer.concat([held, body]);
      const digest = url.searchParams.get('digest') ?? '';
      if (sha256(all) !== digest) {
        res.statusCode = 400;
        return void res.end(
          '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}',
        );
      }
      this.uploads.delete(id);
      this.blobs.set(digest, all);
      res.statusCode = 201;
      res.setHeader('docker-content-digest', digest);
      return void res.end();
    }
    res.statusCode = 405;
    res.end();
  }
}
