// A minimal ssh-agent (draft-miller-ssh-agent) for `--ssh ID=KEYFILE…`: it lists the keys and signs
// with them, and refuses everything else (adding or removing keys, locking). Keys are read from
// OpenSSH (`openssh-key-v1`, unencrypted) or PEM files; ed25519, RSA and ECDSA P-256/384/521.
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type net from 'node:net';
import { SshWire, sshString, sshUint32 } from './ssh-wire.js';

export interface AgentKey {
  /** The public key in SSH wire format (what `ssh-add -L` prints, base64). */
  readonly blob: Buffer;
  readonly comment: string;
  readonly type: string;
  readonly key: KeyObject;
}

const failure = 5;
const requestIdentities = 11;
const identitiesAnswer = 12;
const signRequest = 13;
const signResponse = 14;
const rsaSha256 = 2;
const rsaSha512 = 4;

export async function loadAgentKeys(paths: readonly string[]): Promise<AgentKey[]> {
  const keys: AgentKey[] = [];
  for (const file of paths) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new Error(`ssh key ${file}: not found`);
    });
    try {
      keys.push(text.includes('BEGIN OPENSSH PRIVATE KEY') ? openSshKey(text) : pemKey(text, file));
    } catch (error) {
      throw new Error(`ssh key ${file}: ${(error as Error).message}`);
    }
  }
  return keys;
}

/** Answers agent requests on one connection until the client hangs up. */
export function serveKeyAgent(client: net.Socket, keys: readonly AgentKey[]): void {
  let pending = Buffer.alloc(0);
  client.on('error', () => client.destroy());
  client.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUInt32BE(0);
      if (length > 256 * 1024) return void client.destroy();
      if (pending.length < 4 + length) break;
      const message = pending.subarray(4, 4 + length);
      pending = pending.subarray(4 + length);
      client.write(frame(answer(message, keys)));
    }
  });
}

function frame(body: Buffer): Buffer {
  return Buffer.concat([sshUint32(body.length), body]);
}

function answer(message: Buffer, keys: readonly AgentKey[]): Buffer {
  try {
    if (message[0] === requestIdentities) {
      const parts = keys.flatMap((k) => [sshString(k.blob), sshString(k.comment)]);
      return Buffer.concat([Buffer.from([identitiesAnswer]), sshUint32(keys.length), ...parts]);
    }
    if (message[0] === signRequest) {
      const wire = new SshWire(message.subarray(1));
      const blob = wire.bytes();
      const data = wire.bytes();
      const flags = wire.uint32();
      const key = keys.find((k) => k.blob.equals(blob));
      if (key !== undefined)
        return Buffer.concat([Buffer.from([signResponse]), sshString(signature(key, data, flags))]);
    }
  } catch {
    // A malformed request gets the same answer as an unknown one.
  }
  return Buffer.from([failure]);
}

function signature(key: AgentKey, data: Buffer, flags: number): Buffer {
  if (key.type === 'ssh-ed25519') return Buffer.concat([sshString(key.type), sshString(sign(null, data, key.key))]);
  if (key.type === 'ssh-rsa') {
    const [name, hash] =
      flags & rsaSha512
        ? ['rsa-sha2-512', 'sha512']
        : flags & rsaSha256
          ? ['rsa-sha2-256', 'sha256']
          : ['ssh-rsa', 'sha1'];
    return Buffer.concat([sshString(name), sshString(sign(hash, data, key.key))]);
  }
  const bits = key.type.endsWith('256') ? 256 : key.type.endsWith('384') ? 384 : 521;
  const hash = bits === 256 ? 'sha256' : bits === 384 ? 'sha384' : 'sha512';
  const raw = sign(hash, data, { key: key.key, dsaEncoding: 'ieee-p1363' });
  const half = raw.length / 2;
  const rs = Buffer.concat([sshString(mpint(raw.subarray(0, half))), sshString(mpint(raw.subarray(half)))]);
  return Buffer.concat([sshString(key.type), sshString(rs)]);
}

/** Big-endian unsigned bytes as an SSH mpint body (no leading zeros, one added if the top bit is set). */
function mpint(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : Buffer.from(trimmed);
}

const b64url = (bytes: Buffer) => bytes.toString('base64url');
const unsigned = (bytes: Buffer) => (bytes[0] === 0 && bytes.length > 1 ? bytes.subarray(1) : bytes);
const curves: Readonly<Record<string, { crv: string; size: number }>> = {
  nistp256: { crv: 'P-256', size: 32 },
  nistp384: { crv: 'P-384', size: 48 },
  nistp521: { crv: 'P-521', size: 66 },
};

function openSshKey(text: string): AgentKey {
  const body = text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const raw = Buffer.from(body, 'base64');
  const magic = 'openssh-key-v1\0';
  if (raw.subarray(0, magic.length).toString('latin1') !== magic) throw new Error('not an openssh-key-v1 key');
  const outer = new SshWire(raw.subarray(magic.length));
  if (outer.text() !== 'none') throw new Error('encrypted keys are not supported: add the key to an agent instead');
  outer.bytes(); // kdf name
  outer.bytes(); // kdf options
  if (outer.uint32() !== 1) throw new Error('only files holding one key are supported');
  outer.bytes(); // public key
  const inner = new SshWire(outer.bytes());
  const check = inner.uint32();
  if (inner.uint32() !== check) throw new Error('corrupt private key (check bytes differ)');
  const type = inner.text();
  if (type === 'ssh-ed25519') {
    const pub = inner.bytes();
    const priv = inner.bytes();
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: b64url(priv.subarray(0, 32)), x: b64url(pub) },
      format: 'jwk',
    });
    return { type, key, comment: inner.text(), blob: Buffer.concat([sshString(type), sshString(pub)]) };
  }
  if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, p, q] = [1, 2, 3, 4, 5, 6].map(() => unsigned(inner.bytes()));
    const big = (b: Buffer) => BigInt(`0x${b.toString('hex')}`);
    const toBytes = (v: bigint) => {
      const hex = v.toString(16);
      return Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
    };
    const dp = toBytes(big(d) % (big(p) - 1n));
    const dq = toBytes(big(d) % (big(q) - 1n));
    const jwk = { kty: 'RSA', n: b64url(n), e: b64url(e), d: b64url(d), p: b64url(p), q: b64url(q) };
    const key = createPrivateKey({ key: { ...jwk, dp: b64url(dp), dq: b64url(dq), qi: b64url(iqmp) }, format: 'jwk' });
    return { type, key, comment: inner.text(), blob: rsaBlob(e, n) };
  }
  if (type.startsWith('ecdsa-sha2-')) {
    const curve = curves[inner.text()];
    if (curve === undefined) throw new Error(`unsupported curve in ${type}`);
    const point = inner.bytes();
    const d = unsigned(inner.bytes());
    const coordinate = (from: number) => b64url(point.subarray(from, from + curve.size));
    const padded = Buffer.concat([Buffer.alloc(Math.max(0, curve.size - d.length)), d]);
    const key = createPrivateKey({
      key: { kty: 'EC', crv: curve.crv, x: coordinate(1), y: coordinate(1 + curve.size), d: b64url(padded) },
      format: 'jwk',
    });
    return { type, key, comment: inner.text(), blob: ecdsaBlob(type, point) };
  }
  throw new Error(`unsupported key type ${type}`);
}

function pemKey(text: string, file: string): AgentKey {
  const key = createPrivateKey(text);
  const jwk = key.export({ format: 'jwk' });
  const from = (field: string | undefined) => Buffer.from(field ?? '', 'base64url');
  if (key.asymmetricKeyType === 'ed25519') {
    const type = 'ssh-ed25519';
    return { type, key, comment: file, blob: Buffer.concat([sshString(type), sshString(from(jwk.x))]) };
  }
  if (key.asymmetricKeyType === 'rsa')
    return { type: 'ssh-rsa', key, comment: file, blob: rsaBlob(from(jwk.e), from(jwk.n)) };
  if (key.asymmetricKeyType === 'ec') {
    const name = Object.keys(curves).find((c) => curves[c].crv === jwk.crv);
    if (name === undefined) throw new Error(`unsupported curve ${jwk.crv}`);
    const type = `ecdsa-sha2-${name}`;
    return {
      type,
      key,
      comment: file,
      blob: ecdsaBlob(type, Buffer.concat([Buffer.from([4]), from(jwk.x), from(jwk.y)])),
    };
  }
  throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
}

function rsaBlob(e: Buffer, n: Buffer): Buffer {
  return Buffer.concat([sshString('ssh-rsa'), sshString(mpint(e)), sshString(mpint(n))]);
}

function ecdsaBlob(type: string, point: Buffer): Buffer {
  return Buffer.concat([sshString(type), sshString(type.slice('ecdsa-sha2-'.length)), sshString(point)]);
}
