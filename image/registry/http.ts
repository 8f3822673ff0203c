import type * as Http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

// node:http and node:https load on first use, through require: an ESM import of node:http evaluates its lazy
// exports (WebSocket & co., i.e. Node's bundled undici), 60–200 ms of start-up that every build would pay
// without ever talking to a registry.
const requireBuiltin = createRequire(import.meta.url);
const http = (): typeof Http => requireBuiltin('node:http') as typeof Http;
const https = (): typeof Https => requireBuiltin('node:https') as typeof Https;

/** A request body that can be produced again for a retry: bytes, or a factory of fresh streams. */
export type RequestBody = Buffer | { readonly length: number; readonly open: () => Readable };

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: RequestBody;
  /** Abort when the socket is silent this long (connect, headers or body); not a total deadline. */
  readonly idleTimeoutMs: number;
  /** Skip TLS certificate verification (only for hosts the user declared insecure). */
  readonly insecureTls?: boolean;
  /** Cancels the exchange, body included. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
  readonly body: IncomingMessage;
}

/** Keep-alive agents shared by one client, so layers reuse connections. */
export interface Agents {
  readonly http: Http.Agent;
  readonly https: Https.Agent;
  readonly httpsInsecure: Https.Agent;
}

export function createAgents(maxSockets: number): Agents {
  const common = { keepAlive: true, maxSockets };
  return {
    http: new (http().Agent)(common),
    https: new (https().Agent)(common),
    httpsInsecure: new (https().Agent)({ ...common, rejectUnauthorized: false }),
  };
}

export function destroyAgents(agents: Agents): void {
  agents.http.destroy();
  agents.https.destroy();
  agents.httpsInsecure.destroy();
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** One HTTP exchange; resolves once response headers arrive, the body is left for the caller to consume. */
export function send(request: HttpRequest, agents: Agents): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const isHttps = request.url.protocol === 'https:';
    const headers: Record<string, string> = { ...request.headers };
    const body = request.body;
    if (body !== undefined) headers['content-length'] = String(body.length);
    else if (request.method === 'PUT' || request.method === 'POST' || request.method === 'PATCH') {
      headers['content-length'] = '0';
    }
    const options = {
      method: request.method,
      headers,
      agent: isHttps ? (request.insecureTls ? agents.httpsInsecure : agents.https) : agents.http,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
    };
    const req = isHttps ? https().request(request.url, options) : http().request(request.url, options);
    req.setTimeout(request.idleTimeoutMs, () => {
      req.destroy(new TimeoutError(`no response from ${request.url.host} for ${request.idleTimeoutMs} ms`));
    });
    req.on('error', reject);
    req.on('response', (res) => {
      // The idle timeout keeps guarding the body: a stalled download errors the response stream.
      res.on('error', () => {});
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url: request.url, body: res });
    });
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const stream = body.open();
      stream.on('error', (error) => req.destroy(error));
      stream.pipe(req);
    }
  });
}

/** Reads a (small) body fully, refusing more than `limit` bytes: registry responses are untrusted. */
export async function readBody(body: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Discards a body so its connection can be reused; errors are irrelevant here. */
export async function drain(body: Readable): Promise<void> {
  try {
    await readBody(body, 1 << 20);
  } catch {
    // the connection is gone; nothing to reuse
  }
}
