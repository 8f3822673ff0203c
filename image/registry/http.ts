import type * as Http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { TimeoutError } from './errors.js';
import { rawSend, rawSendable } from './raw-get.js';

export { TimeoutError };

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

/**
 * Receives a blob body in order, in pieces of up to 1 MiB that live in a reused buffer: valid until the promise
 * settles (a rejection ends the exchange with that error).
 */
export type BatchHandler = (batch: Buffer) => Promise<void>;

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly url: URL;
  readonly body: Readable;
  /**
   * Set for a 2xx body of known length read by raw-get.ts: takes it instead of `body`, in batches, and settles
   * once every batch handler settled (rejecting with a dropped connection after the bytes that did arrive).
   */
  readonly consumeBatches?: (onBatch: BatchHandler) => Promise<void>;
}

/** Keep-alive agents shared by one client, so layers reuse connections; each is made on first use. */
export class Agents {
  private http: Http.Agent | undefined;
  private https: Https.Agent | undefined;
  private httpsInsecure: Https.Agent | undefined;

  constructor(private readonly maxSockets: number) {}

  for(url: URL, insecureTls: boolean): Http.Agent {
    const options = { keepAlive: true, maxSockets: this.maxSockets };
    if (url.protocol !== 'https:') {
      this.http ??= new (http().Agent)(options);
      return this.http;
    }
    if (insecureTls) {
      this.httpsInsecure ??= new (https().Agent)({ ...options, rejectUnauthorized: false });
      return this.httpsInsecure;
    }
    this.https ??= new (https().Agent)(options);
    return this.https;
  }

  destroy(): void {
    this.http?.destroy();
    this.https?.destroy();
    this.httpsInsecure?.destroy();
  }
}

/**
 * One HTTP exchange; resolves once response headers arrive, the body is left for the caller to consume. Plain
 * HTTP GETs go through raw-get.ts, everything else through node:http/https.
 */
export function send(request: HttpRequest, agents: Agents): Promise<HttpResponse> {
  return rawSendable(request) ? rawSend(request) : nodeSend(request, agents);
}

function nodeSend(request: HttpRequest, agents: Agents): Promise<HttpResponse> {
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
      agent: agents.for(request.url, request.insecureTls === true),
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
