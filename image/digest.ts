import { createHash } from 'node:crypto';

/** A content digest in the `algorithm:hex` form, e.g. `sha256:e3b0c4…`. */
export type Digest = `${string}:${string}`;

/** Raised for malformed digests; messages are go-digest v1.0.0's, which Docker prints. */
export class DigestError extends Error {
  readonly code = 'EDIGEST';
}

const hexLength: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };
const looseDigest = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** Validates a digest the way go-digest's `Digest.Validate` does and returns it typed. */
export function parseDigest(value: string): Digest {
  const sep = value.indexOf(':');
  if (sep <= 0 || sep + 1 === value.length) throw new DigestError('invalid checksum digest format');
  const algorithm = value.slice(0, sep);
  const encoded = value.slice(sep + 1);
  const length = hexLength[algorithm];
  if (length === undefined) {
    if (!looseDigest.test(value)) throw new DigestError('invalid checksum digest format');
    throw new DigestError('unsupported digest algorithm');
  }
  if (encoded.length !== length) throw new DigestError('invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(encoded)) throw new DigestError('invalid checksum digest format');
  return value as Digest;
}

/** True when `value` is a well-formed sha256 digest (the only algorithm the store writes). */
export function isSha256Digest(value: string): value is Digest {
  return /^sha256:[a-f0-9]{64}$/.test(value);
}

/** The hex part of a digest. */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function sha256Digest(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
