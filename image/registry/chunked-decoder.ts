// Streaming decoder of HTTP/1.1 `Transfer-Encoding: chunked` bodies, for raw-get.ts (node:http does this for
// its own responses). Trailers are read and dropped; malformed framing is an error.

export class ChunkedDecoder {
  private line = '';
  private left = 0;
  private state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';

  get done(): boolean {
    return this.state === 'done';
  }

  /** Feeds raw bytes; answers the body bytes they hold (views of `input`, valid as long as it is). */
  decode(input: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let at = 0;
    while (at < input.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, input.length - at);
        out.push(input.subarray(at, at + n));
        at += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      // The other states read lines.
      const end = input.indexOf(10, at);
      this.line += input.subarray(at, end < 0 ? input.length : end + 1).toString('latin1');
      at = end < 0 ? input.length : end + 1;
      if (this.line.length > 4096) throw new Error('malformed chunked encoding: line too long');
      if (end < 0) break;
      const line = this.line.replace(/\r?\n$/, '');
      this.line = '';
      if (this.state === 'data-end') {
        if (line !== '') throw new Error('malformed chunked encoding: missing CRLF after chunk');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = /^([0-9a-fA-F]{1,12})(?:;.*)?$/.exec(line.trim());
        if (size === null) throw new Error('malformed chunked encoding: bad chunk size');
        this.left = Number.parseInt(size[1]!, 16);
        this.state = this.left === 0 ? 'trailer' : 'data';
      } else if (line === '') this.state = 'done';
    }
    return out;
  }
}
