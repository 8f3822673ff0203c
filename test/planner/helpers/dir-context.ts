// A ContextSource over a real directory for planner tests: .dockerignore applied with the context
// module's matcher, BuildKit's per-entry and directory checksums (CACHE.md 4.2/4.3), owners as 0.
// Plain paths only (no wildcards); the real snapshot from cache/ replaces this once it lands.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { compileIgnore, parseIgnoreFile } from '../../../cache/context/index.js';
import type { ContextSource, SelectedFile, SourceChecksum } from '../../../planner/index.js';

export async function dirContext(root: string): Promise<ContextSource> {
  let ignoreText = '';
  try {
    ignoreText = await readFile(join(root, '.dockerignore'), 'utf8');
  } catch {}
  const matcher = compileIgnore(parseIgnoreFile(ignoreText));
  const ignored = (rel: string) => rel !== '' && matcher.matches(rel);

  const digestOf = async (rel: string, files: SelectedFile[]): Promise<string | null> => {
    if (ignored(rel)) return null;
    const abs = join(root, rel);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(abs); // COPY follows symlinks
    } catch {
      return null;
    }
    if (st.isDirectory()) {
      const header = rel === '' ? EMPTY : entryDigest(st.mode & 0o7777, 0, '5', '', Buffer.alloc(0));
      const names = (await readdir(abs)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      const parts: Buffer[] = [Buffer.from([0]), Buffer.from(header)];
      for (const name of names) {
        const child = rel === '' ? name : posix.join(rel, name);
        const d = await digestOf(child, files);
        if (d !== null) parts.push(Buffer.from([0]), Buffer.from(name), Buffer.from(d));
      }
      return sha(Buffer.concat(parts));
    }
    const content = await readFile(abs);
    const digest = entryDigest(st.mode & 0o7777, content.length, '0', '', content);
    files.push({ path: rel, digest });
    return digest;
  };

  return {
    async checksum(source: string): Promise<SourceChecksum> {
      const rel = posix.normalize(`/${source}`).slice(1).replace(/\/$/, '');
      const files: SelectedFile[] = [];
      const digest = await digestOf(rel, files);
      if (digest === null) return { ok: false, missing: rel };
      return { ok: true, digest, files };
    },
  };
}

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function entryDigest(mode: number, size: number, type: string, link: string, content: Buffer): string {
  const header = `namemode${mode}uid0gid0size${size}typeflag${type}linkname${link}unamegnamedevmajor0devminor0`;
  return sha(Buffer.concat([Buffer.from(header), content]));
}

function sha(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
