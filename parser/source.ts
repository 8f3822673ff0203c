// Input decoding. BuildKit reads the Dockerfile as bytes; we decode to a JavaScript string in which every byte
// that is not part of valid UTF-8 becomes the lone surrogate U+DC00+byte (U+DC80..U+DCFF), so that the dump can
// print it back as `\xNN` exactly as Go does, and so that offsets stay in UTF-16 units for editors.

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes input bytes (or takes a string as is) and removes a leading UTF-8 byte-order mark. */
export function decodeSource(input: string | Uint8Array): string {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else {
    try {
      text = strictDecoder.decode(input);
    } catch {
      text = decodeLossless(input);
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** UTF-8 decoding with Go's `utf8.DecodeRune` rules; an invalid byte consumes one byte. */
function decodeLossless(bytes: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const flush = () => {
    parts.push(String.fromCharCode.apply(null, units));
    units = [];
  };
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b0 = bytes[i];
    let cp = -1;
    let size = 1;
    if (b0 < 0x80) {
      cp = b0;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      const b1 = bytes[i + 1];
      if (i + 1 < n && b1 >= 0x80 && b1 <= 0xbf) {
        cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
        size = 2;
      }
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      const lo = b0 === 0xe0 ? 0xa0 : 0x80;
      const hi = b0 === 0xed ? 0x9f : 0xbf;
      const b1 = bytes[i + 1];
      const b2 = bytes[i + 2];
      if (i + 2 < n && b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf) {
        cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
        size = 3;
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      const lo = b0 === 0xf0 ? 0x90 : 0x80;
      const hi = b0 === 0xf4 ? 0x8f : 0xbf;
      const b1 = bytes[i + 1];
      const b2 = bytes[i + 2];
      const b3 = bytes[i + 3];
      if (i + 3 < n && b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf && b3 >= 0x80 && b3 <= 0xbf) {
        cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
        size = 4;
      }
    }
    if (cp < 0) {
      units.push(0xdc00 + b0);
    } else if (cp >= 0x10000) {
      units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      units.push(cp);
    }
    i += size;
    if (units.length >= 8192) flush();
  }
  flush();
  return parts.join('');
}

/** Appends the UTF-8 bytes that code unit(s) at `i` stand for; returns how many code units were used. */
export function encodeAt(text: string, i: number, out: number[]): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) {
    out.push(c);
    return 1;
  }
  if (c < 0x800) {
    out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    return 1;
  }
  if (c >= 0xd800 && c <= 0xdfff) {
    if (c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        return 2;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      out.push(c - 0xdc00);
      return 1;
    }
    out.push(0xef, 0xbf, 0xbd);
    return 1;
  }
  out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  return 1;
}

/** Number of UTF-8 bytes of text[start, end), stopping early once `limit` is reached. */
export function utf8Length(text: string, start: number, end: number, limit: number): number {
  let n = 0;
  for (let i = start; i < end && n < limit; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xdc80 && c <= 0xdcff) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
