// The buffers raw-get.ts has the kernel read a response into (net.Socket's `onread`): each read lands in place at
// the end of the current buffer, which is handed on whole as a batch once full, without a copy. A buffer comes
// back when its batch is done; while all are out, the one read that may still happen lands in a small parking
// buffer and is copied in once a buffer returns (the caller pauses the socket meanwhile).

export class ReadBuffers {
  /** The buffer reads go to; bytes [start, used) of it are not handed on yet. Undefined while all are out. */
  fill: Buffer | undefined;
  start = 0;
  used = 0;
  private readonly free: Buffer[] = [];
  private count = 1;
  private parking: Buffer | undefined;
  /** Where the last read was aimed: `fill` at `aimedOffset`, or (undefined) elsewhere. */
  private aimedAt: Buffer | undefined;
  private aimedOffset = 0;

  constructor(
    private readonly bufferBytes: number,
    private readonly maxBuffers: number,
    private readonly parkingBytes: number,
  ) {
    this.fill = Buffer.allocUnsafe(bufferBytes);
  }

  get full(): boolean {
    return this.fill !== undefined && this.used === this.fill.length;
  }

  /** Where the next read goes (onread's `buffer`): the free end of `fill`, or the parking buffer. */
  aim(): Buffer {
    if (this.fill !== undefined && !this.full) {
      this.aimedAt = this.fill;
      this.aimedOffset = this.used;
      return this.fill.subarray(this.used);
    }
    this.aimedAt = undefined;
    this.parking ??= Buffer.allocUnsafe(this.parkingBytes);
    return this.parking;
  }

  /** Aims the next read at the start of `fill`, for a caller that copies every read out at once. */
  aimAtStart(): Buffer {
    this.aimedAt = undefined;
    this.start = 0;
    this.used = 0;
    return this.fill ?? this.aim();
  }

  /**
   * Adds `n` bytes a read left in `buf` (in place when the read was aimed at the end of `fill`, else copied),
   * calling `onFull` whenever `fill` fills up. False when they do not fit: the caller paused too late.
   */
  add(buf: Buffer, n: number, onFull: () => void): boolean {
    if (this.aimedAt !== undefined && this.aimedAt === this.fill && this.aimedOffset === this.used) {
      this.used += n;
      if (this.full) onFull();
      return true;
    }
    let at = 0;
    while (at < n) {
      if (this.fill === undefined || this.full) return false;
      const copied = buf.copy(this.fill, this.used, at, n);
      this.used += copied;
      at += copied;
      if (this.full) onFull();
    }
    return true;
  }

  /**
   * Takes bytes [start, used) out with the buffer that holds them, and moves on to a free buffer (or a new one,
   * while fewer than the maximum exist and `grow` is set); `fill` stays undefined when there is none.
   */
  takeBatch(grow: boolean): { readonly batch: Buffer; readonly buffer: Buffer } | undefined {
    const buffer = this.fill;
    if (buffer === undefined) return undefined;
    const batch = buffer.subarray(this.start, this.used);
    this.fill = this.free.pop();
    if (this.fill === undefined && grow && this.count < this.maxBuffers) {
      this.fill = Buffer.allocUnsafe(this.bufferBytes);
      this.count++;
    }
    this.start = 0;
    this.used = 0;
    return { batch, buffer };
  }

  /** A buffer whose batch is done comes back; true when it became `fill` (reading may go on). */
  release(buffer: Buffer): boolean {
    if (this.fill !== undefined) {
      this.free.push(buffer);
      return false;
    }
    this.fill = buffer;
    this.start = 0;
    this.used = 0;
    return true;
  }
}
