// The SSH wire encoding (RFC 4251 §5) the agent protocol and key files use: big-endian uint32s and
// length-prefixed strings.

export function sshUint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

export function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([sshUint32(bytes.length), bytes]);
}

/** Reads fields in order; running past the end throws. */
export class SshWire {
  private offset = 0;
  constructor(private readonly data: Buffer) {}

  uint32(): number {
    if (this.offset + 4 > this.data.length) throw new RangeError('truncated ssh message');
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  bytes(): Buffer {
    const length = this.uint32();
    if (this.offset + length > this.data.length) throw new RangeError('truncated ssh message');
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}
