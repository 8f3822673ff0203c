// ADD's local archives: a tar, plain or compressed with gzip, bzip2, xz or zstd, is unpacked into the
// destination instead of copied (BuildKit's AttemptUnpack). Detection reads the magic bytes and
// then checks that what they hide really starts with a tar header; anything else is copied as is.
// Extraction is image/'s safe extractor with the destination directory as its root.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { lchown, open } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import {
  cleanLayerPath,
  detectCompression,
  extractLayer,
  isInside,
  readTar,
  resolveInRoot,
} from '../../image/index.js';
import { helperSpecialFiles } from '../runtime/special-files.js';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** The first `length` bytes of a file (fewer when it is shorter). */
export async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * A block Go's tar reader takes for a header: not all zeros, and its checksum field matching the sum of its bytes,
 * unsigned or signed (old tars summed signed chars), as BuildKit's unpacking and dockerui's isArchive read it.
 */
export function isTarHeader(head: Buffer): boolean {
  if (head.length < 512) return false;
  const block = head.subarray(0, 512);
  if (block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const recorded = Number.parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return recorded === unsigned || recorded === signed;
}

/** The compression the magic bytes name, or 'tar' (meaning: none) for anything else. */
export function compressionOf(magic: Buffer): ArchiveKind {
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  if (magic.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (magic.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  // moby's DecompressStream, which BuildKit's ADD uses, knows zstd too (since moby 23).
  if (detectCompression(magic) === 'zstd') return 'zstd';
  return 'tar';
}

/** Debian's package of each external decompressor, for the error when it is missing. */
const decompressors = { bzip2: 'bzip2', xz: 'xz-utils' } as const;

export class ArchiveToolError extends Error {
  readonly code = 'E_ARCHIVE_TOOL';
}

/** The file's bytes decompressed (bzip2 and xz by Debian's tools, the rest by zlib). */
export function decompressed(file: string, kind: ArchiveKind): Readable {
  if (kind === 'tar') return createReadStream(file);
  if (kind === 'gzip') return createReadStream(file).pipe(createGunzip());
  if (kind === 'zstd') return createReadStream(file).pipe(createZstdDecompress());
  const child = spawn(kind, ['-dc', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Piped at once: when a child exits, Node drains and drops whatever output nobody reads yet, and the reader of
  // this stream may come later (a context is unpacked after some set-up).
  const out = new PassThrough();
  child.stdout.pipe(out, { end: false });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // Without the program, the archive would pass for a plain file and be copied packed: say what is missing.
  child.on('error', (error: NodeJS.ErrnoException) => {
    const reason =
      error.code === 'ENOENT'
        ? `the ${kind} program is not installed (Debian: apt-get install ${decompressors[kind]})`
        : error.message;
    out.destroy(new ArchiveToolError(`cannot unpack ${path.basename(file)}: ${reason}`));
  });
  child.on('close', (code) => {
    if (out.destroyed) return;
    if (code === 0) out.end();
    // A corrupt stream: not an archive to detectArchive, a failed unpack to the others.
    else out.destroy(new Error(`${kind} -dc failed: ${stderr.trim() || `exit status ${code}`}`));
  });
  // A reader that stops early (detectArchive reads one block) ends the tool.
  out.on('close', () => child.kill());
  return out;
}

async function firstBytes(stream: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= length) break;
    }
  } catch (error) {
    // A corrupt stream is not an archive; a missing decompressor is an error of its own.
    if (error instanceof ArchiveToolError) throw error;
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/** The archive kind of a local file, or null when it is not a (compressed) tar. */
export async function detectArchive(file: string): Promise<ArchiveKind | null> {
  const magic = await readHead(file, 512);
  const kind = compressionOf(magic);
  const block = kind === 'tar' ? magic : await firstBytes(decompressed(file, kind), 512);
  return isTarHeader(block) ? kind : null;
}

/**
 * Unpacks into `destDir` (which must exist); nothing is created outside it. With `owner` every
 * entry of the archive is then given that owner (`ADD --chown`), else the archive's owners stay.
 */
export async function unpackArchive(
  file: string,
  kind: ArchiveKind,
  destDir: string,
  owner: { uid: number; gid: number } | null,
): Promise<void> {
  await extractLayer(decompressed(file, kind), destDir, { chown: true, special: helperSpecialFiles() });
  if (owner === null) return;
  const names = new Set<string>();
  for await (const entry of readTar(decompressed(file, kind))) {
    const name = cleanLayerPath(entry.header.path);
    if (name !== '' && !path.posix.basename(name).startsWith('.wh.')) names.add(name);
    for await (const _ of entry.body()) {
      // only the names matter
    }
  }
  for (const name of names) {
    const target = await resolveInRoot(destDir, name, false);
    if (isInside(destDir, target)) await lchown(target, owner.uid, owner.gid).catch(() => {});
  }
}
