// A bare HTTP/1.1 GET over plain TCP (node:net), for every plain-HTTP GET of the registry client: a pull from a
// plain-HTTP registry then never loads node:http (tens of ms of start-up), and a blob body is read by the kernel
// straight into 1 MiB batch buffers that are hashed and written in place. node:http copies each ≤64 KiB piece of
// body into a fresh Buffer behind a stream turn: pulling 500 MB from a loopback registry took 2.5 s of CPU that
// way, 1.3 s this way (bench/registry.ts).
// One exchange per connection (`Connection: close`). The response looks like node:http's (status, headers, a
// Readable body); a 2xx body of known length can instead be taken in batches with `consumeBatches`.
import net from 'node:net';
import { Readable } from 'node:stream';
import { ChunkedDecoder } from './chunked-decoder.js';
import { TimeoutError } from './errors.js';
import type { BatchHandler, HttpRequest, HttpResponse } from './http.js';
import { type BodyFraming, parseResponseHead } from './raw-head.js';
import { ReadBuffers } from './read-buffers.js';

const batchBytes = 1 << 20;
/** Batch buffers per exchange: one filling, one being written, one spare to absorb a slow write. */
const maxBuffers = 3;
const parkingBytes = 64 * 1024;
const headLimit = 64 * 1024;

/** Whether `rawSend` can carry this request: a plain-HTTP GET without body whose header values stay on one line. */
export function rawSendable(request: HttpRequest): boolean {
  return (
    request.url.protocol === 'http:' &&
    request.method === 'GET' &&
    request.body === undefined &&
    Object.entries(request.headers).every(([name, value]) => !/[\r\n]/.test(name + value))
  );
}

/** One exchange; resolves once the response head arrived. */
export function rawSend(request: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => new RawExchange(request, resolve, reject));
}

function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

function aborted(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
    name: 'AbortError',
    code: 'ABORT_ERR',
  });
}

class RawExchange {
  private readonly socket: net.Socket;
  private state: 'head' | 'waiting' | 'stream' | 'batches' = 'head';
  private readonly buffers = new ReadBuffers(batchBytes, maxBuffers, parkingBytes);
  private framing: BodyFraming = { kind: 'until-close' };
  private bodyLeft = Number.POSITIVE_INFINITY;
  private decoder: ChunkedDecoder | undefined;
  private body: Readable | undefined;
  private onBatch: BatchHandler | undefined;
  private settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private outstanding = 0;
  private starved = false;
  /** The body arrived whole, or the exchange failed (`failure`): the socket is gone either way. */
  private over = false;
  private failure: Error | undefined;

  constructor(
    private readonly request: HttpRequest,
    private readonly resolveHead: (response: HttpResponse) => void,
    private readonly rejectHead: (error: Error) => void,
  ) {
    const { url, signal } = request;
    this.socket = net.connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: { buffer: () => this.nextBuffer(), callback: (n, buf) => this.onRead(n, buf as Buffer) },
    });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(request.idleTimeoutMs, () => {
      this.fail(new TimeoutError(`no response from ${url.host} for ${request.idleTimeoutMs} ms`));
    });
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('end', () => this.onEof());
    this.socket.on('close', () => this.onEof());
    if (signal?.aborted) {
      this.fail(aborted(signal));
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close'];
    for (const [name, value] of Object.entries(request.headers)) {
      if (!/^(host|connection)$/i.test(name)) lines.push(`${name}: ${value}`);
    }
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  }

  private readonly onAbort = () => {
    if (this.request.signal !== undefined) this.fail(aborted(this.request.signal));
  };

  private nextBuffer(): Buffer {
    // Streamed bytes are copied out at once: the buffer is reused from its start.
    return this.state === 'stream' ? this.buffers.aimAtStart() : this.buffers.aim();
  }

  /** Answers false to pause reading. */
  private onRead(n: number, buf: Buffer): boolean {
    if (this.over) return false;
    if (this.state === 'stream') return this.streamBytes(buf.subarray(0, n));
    const take = this.state === 'head' ? n : Math.min(n, this.bodyLeft);
    this.bodyLeft -= this.state === 'head' ? 0 : take;
    const added = this.buffers.add(buf, take, () => {
      if (this.state === 'batches') this.handOff();
    });
    if (!added) {
      this.fail(new Error('HTTP response bytes arrived with no buffer to take them'));
      return false;
    }
    if (this.state === 'head') return this.parseHead(n);
    if (this.bodyLeft === 0) this.complete();
    // Waiting for a taker: nothing more is read until the body is claimed.
    return this.state === 'batches' && !this.over && !this.starved;
  }

  private parseHead(n: number): boolean {
    const buffers = this.buffers;
    const fill = buffers.fill!;
    const end = fill.subarray(0, buffers.used).indexOf('\r\n\r\n', Math.max(0, buffers.used - n - 3), 'latin1');
    if (end < 0 ? buffers.used > headLimit : end > headLimit) {
      this.fail(new Error(`HTTP response head from ${this.request.url.host} is too large`));
      return false;
    }
    if (end < 0) return true;
    let head: ReturnType<typeof parseResponseHead>;
    try {
      head = parseResponseHead(fill.subarray(0, end).toString('latin1'));
    } catch (error) {
      this.fail(error as Error);
      return false;
    }
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      // An interim response (100 Continue): the real head follows.
      fill.copyWithin(0, end + 4, buffers.used);
      buffers.used -= end + 4;
      return buffers.used > 0 ? this.parseHead(buffers.used) : true;
    }
    this.framing = head.framing;
    buffers.start = end + 4;
    if (head.framing.kind === 'length') {
      buffers.used = Math.min(buffers.used, buffers.start + head.framing.length);
      this.bodyLeft = head.framing.length - (buffers.used - buffers.start);
    } else if (head.framing.kind === 'chunked') this.decoder = new ChunkedDecoder();
    this.state = 'waiting';
    this.body = new Readable({
      read: () => this.streamStart(),
      destroy: (error, callback) => {
        this.fail(error ?? hangUp());
        callback(error);
      },
    });
    const takesBatches = head.framing.kind === 'length' && head.status >= 200 && head.status < 300;
    this.resolveHead({
      status: head.status,
      headers: head.headers,
      url: this.request.url,
      body: this.body,
      ...(takesBatches ? { consumeBatches: (onBatch: BatchHandler) => this.consumeBatches(onBatch) } : {}),
    });
    if (this.bodyLeft === 0) this.complete();
    return false;
  }

  /** The Readable's first read: the early bytes are pushed, then each read is copied out as it arrives. */
  private streamStart(): void {
    if (this.state === 'stream') {
      if (!this.over) this.socket.resume();
      return;
    }
    if (this.state !== 'waiting') return;
    this.state = 'stream';
    // Early bytes were counted against the length when the head was parsed.
    const early = this.buffers.fill!.subarray(this.buffers.start, this.buffers.used);
    if (this.failure !== undefined) {
      this.body!.destroy(this.failure);
      return;
    }
    const more = this.pushBody(early);
    if (this.over) {
      // It all came with the head (complete() ran while nobody read).
      if (this.failure === undefined) this.body!.push(null);
    } else if (this.decoder?.done) this.complete();
    else if (more) this.socket.resume();
  }

  /** Pushes body bytes that arrived while streaming; false when the reader wants no more for now. */
  private streamBytes(bytes: Buffer): boolean {
    const piece = bytes.subarray(0, Math.min(bytes.length, this.bodyLeft));
    if (this.framing.kind === 'length') this.bodyLeft -= piece.length;
    const more = this.pushBody(piece);
    if (this.bodyLeft === 0 || this.decoder?.done) this.complete();
    return more && !this.over;
  }

  /** Pushes copies of `bytes` (decoded when chunked); answers whether the reader wants more. */
  private pushBody(bytes: Buffer): boolean {
    let pieces = [bytes];
    if (this.decoder !== undefined) {
      try {
        pieces = this.decoder.decode(bytes);
      } catch (error) {
        this.fail(error as Error);
        return false;
      }
    }
    let more = true;
    for (const piece of pieces) if (piece.length > 0) more = this.body!.push(Buffer.from(piece)) && more;
    return more;
  }

  private consumeBatches(onBatch: BatchHandler): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.state !== 'waiting') {
        reject(new Error('the response body was already taken'));
        return;
      }
      this.state = 'batches';
      this.onBatch = onBatch;
      this.settle = { resolve, reject };
      if (this.over) {
        this.handOff();
        this.maybeSettle();
      } else {
        if (this.buffers.full) this.handOff();
        this.socket.resume();
      }
    });
  }

  /** Hands the bytes not handed on yet to onBatch; reading starves while every buffer is out. */
  private handOff(): void {
    const taken = this.buffers.takeBatch(!this.over);
    if (taken === undefined) return;
    this.starved = this.buffers.fill === undefined;
    const { batch, buffer } = taken;
    if (batch.length === 0 || this.onBatch === undefined) {
      this.batchDone(buffer);
      return;
    }
    this.outstanding++;
    let written: Promise<void>;
    try {
      written = this.onBatch(batch);
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => {
        this.outstanding--;
        this.batchDone(buffer);
      },
      (error: Error) => {
        this.outstanding--;
        this.fail(error, false);
        this.maybeSettle();
      },
    );
  }

  private batchDone(buffer: Buffer): void {
    if (this.buffers.release(buffer) && this.starved && !this.over) {
      this.starved = false;
      this.socket.resume();
    }
    this.maybeSettle();
  }

  private maybeSettle(): void {
    if (this.settle === undefined || !this.over || this.outstanding > 0) return;
    const { resolve, reject } = this.settle;
    this.settle = undefined;
    if (this.failure === undefined) resolve();
    else reject(this.failure);
  }

  /** The body arrived whole. */
  private complete(): void {
    if (this.over) return;
    this.over = true;
    this.finishSocket();
    if (this.state === 'stream') this.body!.push(null);
    else if (this.state === 'batches') {
      this.handOff();
      this.maybeSettle();
    }
  }

  /** Ends the exchange with `error`; bytes that arrived intact are still handed over (`deliver`) before it. */
  private fail(error: Error, deliver = true): void {
    if (this.over) return;
    this.over = true;
    this.failure = error;
    this.finishSocket();
    if (this.state === 'head') this.rejectHead(error);
    else if (this.state === 'stream') this.body!.destroy(error);
    else if (this.state === 'batches') {
      if (deliver) this.handOff();
      this.maybeSettle();
    }
  }

  private onEof(): void {
    if (this.framing.kind === 'until-close' && this.state !== 'head') this.complete();
    else this.fail(hangUp());
  }

  private finishSocket(): void {
    this.request.signal?.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }
}
