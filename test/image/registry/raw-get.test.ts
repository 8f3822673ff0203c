// The plain-HTTP GET client of raw-get.ts against a TCP server that writes exact bytes, so framing, packet
// boundaries, dropped connections and slow consumers are all under the test's control.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkedDecoder } from '../../../image/registry/chunked-decoder.js';
import type { HttpRequest, HttpResponse } from '../../../image/registry/http.js';
import { rawSend, rawSendable } from '../../../image/registry/raw-get.js';
import { parseResponseHead } from '../../../image/registry/raw-head.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server that reads one request head and lets `answer` write the raw response; answers the base URL. */
async function serve(answer: (socket: net.Socket, head: string) => void): Promise<{ base: string; heads: string[] }> {
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    let received = '';
    socket.on('error', () => {});
    socket.on('data', (data) => {
      if (received.includes('\r\n\r\n')) return;
      received += data.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        heads.push(received);
        answer(socket, received);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, heads };
}

function get(base: string, target = '/x', extra: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url: new URL(target, base), headers: {}, idleTimeoutMs: 5000, ...extra };
}

async function text(res: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('latin1');
}

/** Takes a body in batches, copying each (after an optional delay, as a slow disk would). */
async function batches(res: HttpResponse, delayMs = 0): Promise<{ bytes: Buffer; sizes: number[] }> {
  const parts: Buffer[] = [];
  await res.consumeBatches!(async (batch) => {
    parts.push(Buffer.from(batch));
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  });
  return { bytes: Buffer.concat(parts), sizes: parts.map((p) => p.length) };
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('ChunkedDecoder', () => {
  it('decodes chunks split anywhere, with extensions and trailers', () => {
    const wire = Buffer.from('5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n');
    for (let cut = 1; cut < wire.length; cut++) {
      const decoder = new ChunkedDecoder();
      const out = [...decoder.decode(wire.subarray(0, cut)), ...decoder.decode(wire.subarray(cut))];
      expect(Buffer.concat(out).toString()).toBe('hello, world');
      expect(decoder.done).toBe(true);
    }
  });

  it('refuses a malformed chunk size', () => {
    expect(() => new ChunkedDecoder().decode(Buffer.from('zz\r\n'))).toThrow(
      'malformed chunked encoding: bad chunk size',
    );
  });
});

describe('parseResponseHead', () => {
  it("folds headers as node:http does and finds the body's framing", () => {
    const head = parseResponseHead(
      'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-A: 1\r\nx-a: 2\r\nLocation: /a\r\nLocation: /b\r\nSet-Cookie: c=1',
    );
    expect(head).toEqual({
      status: 200,
      headers: { 'content-length': '12', 'x-a': '1, 2', location: '/a', 'set-cookie': ['c=1'] },
      framing: { kind: 'length', length: 12 },
    });
    expect(parseResponseHead('HTTP/1.0 204 No Content').framing).toEqual({ kind: 'length', length: 0 });
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked').framing).toEqual({ kind: 'chunked' });
    expect(parseResponseHead('HTTP/1.1 200 OK').framing).toEqual({ kind: 'until-close' });
  });

  it('refuses ambiguous or malformed heads', () => {
    const refused = [
      ['HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2', 'conflicting Content-Length values'],
      [
        'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked',
        'both Content-Length and Transfer-Encoding',
      ],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip', 'unsupported Transfer-Encoding "gzip"'],
      ['HTTP/1.1 200 OK\r\nContent-Length: -1', 'invalid Content-Length "-1"'],
      ['HTTP/1.1 200 OK\r\n folded', 'malformed HTTP header line'],
      ['HTTP/2 200', 'malformed HTTP status line'],
    ];
    for (const [head, message] of refused) expect(() => parseResponseHead(head!), head).toThrow(message);
  });
});

describe('rawSend', () => {
  it('carries only plain-HTTP GETs without a body whose headers cannot add lines', () => {
    const base = 'http://127.0.0.1:1';
    expect(rawSendable(get(base))).toBe(true);
    expect(rawSendable(get('https://example.com'))).toBe(false);
    expect(rawSendable({ ...get(base), method: 'HEAD' })).toBe(false);
    expect(rawSendable({ ...get(base), body: Buffer.from('x') })).toBe(false);
    expect(rawSendable(get(base, '/x', { headers: { authorization: 'Bearer a\r\nx-evil: 1' } }))).toBe(false);
  });

  it('sends one request line with Host, Connection: close and the given headers', async () => {
    const { base, heads } = await serve((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const res = await rawSend(get(base, '/v2/a/blobs/sha256:00?n=1', { headers: { authorization: 'Bearer t' } }));
    expect(await text(res)).toBe('ok');
    expect(heads).toEqual([
      `GET /v2/a/blobs/sha256:00?n=1 HTTP/1.1\r\nHost: ${new URL(base).host}\r\nConnection: close\r\nauthorization: Bearer t\r\n\r\n`,
    ]);
  });

  it('reads a small body that came in the same packet as the head', async () => {
    const { base } = await serve((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\n{}'));
    const res = await rawSend(get(base));
    expect(res.status).toBe(200);
    expect(res.headers['x-a']).toBe('b');
    expect(res.url.href).toBe(`${base}/x`);
    expect(await text(res)).toBe('{}');
  });

  it('skips an interim 100 response and ignores bytes beyond Content-Length', async () => {
    const { base } = await serve((s) =>
      s.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nnoEXTRA'),
    );
    const res = await rawSend(get(base));
    expect(res.status).toBe(404);
    expect(res.consumeBatches).toBeUndefined();
    expect(await text(res)).toBe('no');
  });

  it('decodes a chunked body written in odd pieces', async () => {
    const wire = '5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n';
    const { base } = await serve((s) => {
      s.write('HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhe');
      let at = 5;
      const next = () => {
        if (at >= wire.length) return;
        s.write(wire.slice(at, at + 3));
        at += 3;
        setTimeout(next, 2);
      };
      next();
    });
    const res = await rawSend(get(base));
    expect(res.consumeBatches).toBeUndefined();
    expect(await text(res)).toBe('hello, world');
  });

  it('reads a body without length up to the end of the connection', async () => {
    const { base } = await serve((s) => s.end('HTTP/1.0 200 OK\r\n\r\nall of it'));
    expect(await text(await rawSend(get(base)))).toBe('all of it');
  });

  it('hands a large body over in batches of at most 1 MiB, in order, byte for byte', async () => {
    const big = randomBytes(5 * 1024 * 1024 + 777);
    const { base } = await serve((s) =>
      s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big])),
    );
    const { bytes, sizes } = await batches(await rawSend(get(base)));
    expect(bytes.length).toBe(big.length);
    expect(sha(bytes)).toBe(sha(big));
    expect(sizes.every((size) => size > 0 && size <= 1 << 20)).toBe(true);
  });

  it('keeps every byte when the consumer is slower than the network', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 5);
    const { base } = await serve((s) => {
      s.write(`HTTP/1.1 206 Partial Content\r\nContent-Length: ${big.length}\r\n\r\n`);
      s.end(big);
    });
    const { bytes } = await batches(await rawSend(get(base)), 15);
    expect(sha(bytes)).toBe(sha(big));
  });

  it('reports a body cut short as a dropped connection, after handing over what arrived', async () => {
    const { base } = await serve((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n');
      s.end(Buffer.alloc(40000, 7));
    });
    const res = await rawSend(get(base));
    const parts: Buffer[] = [];
    const error = await res.consumeBatches!(async (batch) => {
      parts.push(Buffer.from(batch));
    }).then(
      () => undefined,
      (e: unknown) => e as NodeJS.ErrnoException,
    );
    expect(error?.message).toBe('socket hang up');
    expect(error?.code).toBe('ECONNRESET');
    expect(Buffer.concat(parts)).toEqual(Buffer.alloc(40000, 7));
  });

  it('ends the exchange with the error of a batch handler', async () => {
    const { base } = await serve((s) =>
      s.end(`HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n${'a'.repeat(3000000)}`),
    );
    const res = await rawSend(get(base));
    await expect(res.consumeBatches!(async () => Promise.reject(new Error('ENOSPC: disk full')))).rejects.toThrow(
      'ENOSPC: disk full',
    );
  });

  it('is cancelled by its signal, before or during the body', async () => {
    const { base } = await serve((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    const controller = new AbortController();
    const res = await rawSend(get(base, '/x', { signal: controller.signal }));
    const taking = res.consumeBatches!(async () => {});
    controller.abort();
    await expect(taking).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    await expect(rawSend(get(base, '/x', { signal: AbortSignal.abort() }))).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('times out a silent server and reports a refused connection as node:http does', async () => {
    const { base } = await serve(() => {});
    await expect(rawSend(get(base, '/x', { idleTimeoutMs: 50 }))).rejects.toMatchObject({
      code: 'ETIMEDOUT',
      message: `no response from ${new URL(base).host} for 50 ms`,
    });
    const closed = await serve((s) => s.destroy());
    await expect(rawSend(get(closed.base))).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
    await expect(rawSend(get('http://127.0.0.1:1'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses a malformed or oversized response head', async () => {
    const { base } = await serve((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx'));
    await expect(rawSend(get(base))).rejects.toThrow('conflicting Content-Length values');
    const huge = await serve((s) => s.end(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70000)}\r\n\r\n`));
    await expect(rawSend(get(huge.base))).rejects.toThrow(/HTTP response head from .* is too large/);
  });
});
