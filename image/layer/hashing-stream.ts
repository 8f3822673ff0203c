import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Digest } from '../digest.js';

/** A pass-through that computes the sha256 digest and byte count of what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private final: { digest: Digest; size: number } | undefined;

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: (error?: Error | null) => void) {
    this.final = { digest: `sha256:${this.hash.digest('hex')}`, size: this.bytes };
    callback();
  }

  /** Digest and size; only valid once the stream has ended. */
  result(): { digest: Digest; size: number } {
    if (this.final === undefined) throw new Error('HashingStream: result() before the stream ended');
    return this.final;
  }
}
