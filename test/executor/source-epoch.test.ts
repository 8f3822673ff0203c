// The date of a remote source for SOURCE_DATE_EPOCH=<stage>: Last-Modified, else the newest mtime of the
// archive's regular files; a body that is no archive has none; --checksum is verified.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSourceEpoch, newestFileTime } from '../../executor/build/source-epoch.js';
import { type TarEntry, tarChunks } from '../../image/index.js';

async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarChunks(entries)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const entries: TarEntry[] = [
  { path: 'd', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime: 1_800_000_000 },
  { path: 'd/a', type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: 1_700_000_402, content: Buffer.from('bar') },
  { path: 'b', type: 'file', mode: 0o600, uid: 0, gid: 0, mtime: 1_600_000_000, content: Buffer.from('') },
  { path: 'l', type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1_900_000_000, linkname: 'b' },
];

describe('newestFileTime', () => {
  it('takes the newest regular file, not directories or symlinks, plain or gzipped', async () => {
    const tar = await tarOf(entries);
    expect(await newestFileTime(tar)).toBe(1_700_000_402);
    expect(await newestFileTime(gzipSync(tar))).toBe(1_700_000_402);
  });

  it('is null for a body that is no archive, or an archive without files', async () => {
    expect(await newestFileTime(Buffer.from('just some text\n'.repeat(100)))).toBeNull();
    expect(await newestFileTime(await tarOf([entries[0]]))).toBeNull();
  });
});

describe('httpSourceEpoch', () => {
  let server: Server;
  let base = '';
  let tar: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    tar = await tarOf(entries);
    server = createServer((req, res) => {
      if (req.url === '/dated.tar') res.setHeader('Last-Modified', new Date(1_700_000_601_000).toUTCString());
      if (req.url === '/missing') res.statusCode = 404;
      res.end(req.url === '/text' ? 'hello' : tar);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('prefers Last-Modified over the archive', async () => {
    expect(await httpSourceEpoch.httpEpoch(`${base}/dated.tar`, null)).toBe(1_700_000_601);
  });

  it('falls back to the archive, and to none for a plain file', async () => {
    expect(await httpSourceEpoch.httpEpoch(`${base}/src.tar`, null)).toBe(1_700_000_402);
    expect(await httpSourceEpoch.httpEpoch(`${base}/text`, null)).toBeNull();
  });

  it('verifies --checksum and reports failed downloads', async () => {
    const { createHash } = await import('node:crypto');
    const good = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
    expect(await httpSourceEpoch.httpEpoch(`${base}/src.tar`, good)).toBe(1_700_000_402);
    const bad = `sha256:${'0'.repeat(64)}`;
    await expect(httpSourceEpoch.httpEpoch(`${base}/src.tar`, bad)).rejects.toThrow(`digest mismatch ${good}: ${bad}`);
    await expect(httpSourceEpoch.httpEpoch(`${base}/missing`, null)).rejects.toThrow(
      `invalid response status 404 for ${base}/missing`,
    );
  });
});
