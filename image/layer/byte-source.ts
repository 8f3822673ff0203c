/** Exact-size reads over an async byte stream, keeping only what has not been consumed yet. */
export class ByteSource {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.iterator =
      Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : (async function* () {
            yield* source;
          })();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
    }
  }

  private take(n: number): Buffer {
    const out: Buffer[] = [];
    let need = n;
    while (need > 0) {
      const head = this.chunks[0]!;
      if (head.length <= need) {
        out.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        out.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    this.buffered -= n;
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Exactly `n` bytes, or null when the stream ends first (any partial bytes are dropped). */
  async read(n: number): Promise<Buffer | null> {
    await this.fill(n);
    if (this.buffered < n) return null;
    return this.take(n);
  }

  /** Streams the next `n` bytes in chunks; throws when the stream ends first. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let remaining = n;
    while (remaining > 0) {
      if (this.buffered === 0) await this.fill(1);
      if (this.buffered === 0) throw new Error('unexpected end of tar data');
      const part = this.take(Math.min(remaining, this.chunks[0]!.length));
      remaining -= part.length;
      yield part;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.stream(n)) {
      // discard
    }
  }

  /** Stops the underlying stream early. */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
