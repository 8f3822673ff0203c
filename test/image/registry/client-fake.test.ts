import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Digest } from '../../../image/digest.js';
import {
  allowsPlainHttp,
  type BlobProgress,
  isLoopbackHost,
  RegistryClient,
  RegistryError,
} from '../../../image/registry/index.js';
import { FakeRegistry, sha256 } from './fake-registry.js';
import { makeImage } from './fixtures.js';

const fastRetry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const anonymous = async () => undefined;

let registry: FakeRegistry;
let host: string;
let tmp: string;
const clients: RegistryClient[] = [];

function client(options: ConstructorParameters<typeof RegistryClient>[0] = {}): RegistryClient {
  const c = new RegistryClient({ retry: fastRetry, credentials: anonymous, ...options });
  clients.push(c);
  return c;
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

const repo = () => ({ domain: host, path: 'x' });
const image = makeImage('one');
const layerDigest = sha256(image.layer);

beforeAll(async () => {
  registry = new FakeRegistry();
  host = await registry.start();
});
afterAll(async () => {
  await registry.stop();
});
beforeEach(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'tsbuild-regtest-'));
  registry.blobs.clear();
  registry.manifests.clear();
  registry.log.length = 0;
  registry.intercept = undefined;
  registry.blobs.set(layerDigest, image.layer);
  registry.blobs.set(sha256(image.config), image.config);
  registry.putManifest('x', 'v1', image.manifestType, image.manifest);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('manifests', () => {
  it('fetches a manifest by tag and verifies it', async () => {
    const got = await client().getManifest(repo(), 'v1');
    expect(got.kind).toBe('manifest');
    expect(got.descriptor).toEqual({
      mediaType: image.manifestType,
      digest: sha256(image.manifest),
      size: image.manifest.length,
    });
    expect(got.bytes.equals(image.manifest)).toBe(true);
    const accept = registry.log.find((r) => r.url === '/v2/x/manifests/v1')?.headers.accept;
    expect(accept).toBe(
      'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, ' +
        'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    );
  });

  it('resolves a tag with HEAD', async () => {
    const d = await client().resolve({ ...repo(), tag: 'v1' });
    expect(d).toEqual({ mediaType: image.manifestType, digest: sha256(image.manifest), size: image.manifest.length });
    expect(registry.log.filter((r) => r.url.startsWith('/v2/x/manifests')).map((r) => r.method)).toEqual(['HEAD']);
  });

  it('rejects a manifest of an unknown media type', async () => {
    const body = Buffer.from('{"schemaVersion":1,"name":"x","tag":"old","fsLayers":[]}');
    registry.putManifest('x', 'old', 'application/vnd.docker.distribution.manifest.v1+prettyjws', body);
    const error = await rejection(client().getManifest(repo(), 'old'));
    expect(error.code).toBe('EREG_MEDIA_TYPE');
    expect(error.message).toBe(
      `manifest ${host}/x:old: unsupported manifest media type application/vnd.docker.distribution.manifest.v1+prettyjws`,
    );
  });

  it('rejects manifest bytes that do not match the requested digest', async () => {
    const wanted = sha256(image.manifest);
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/manifests/${wanted}`) return false;
      res.setHeader('content-type', image.manifestType);
      res.end(Buffer.concat([image.manifest, Buffer.from(' ')]));
      return true;
    };
    const error = await rejection(client().getManifest(repo(), wanted));
    expect(error.code).toBe('EREG_DIGEST_MISMATCH');
    expect(error.message).toBe(
      `manifest ${host}/x@${wanted}: digest mismatch: expected ${wanted}, got ${sha256(Buffer.concat([image.manifest, Buffer.from(' ')]))}`,
    );
  });

  it('reports a missing tag', async () => {
    const error = await rejection(client().getManifest(repo(), 'nope'));
    expect(error.code).toBe('EREG_NOT_FOUND');
    expect(error.message).toBe(`manifest unknown: ${host}/x:nope not found`);
  });

  it('pushes a manifest by tag and by digest', async () => {
    const other = makeImage('two');
    const c = client();
    const d = await c.putManifest(repo(), 'v2', other.manifestType, other.manifest);
    expect(d.digest).toBe(sha256(other.manifest));
    expect(registry.manifests.get('x:v2')?.body.equals(other.manifest)).toBe(true);
    expect(registry.manifests.get('x:v2')?.type).toBe(other.manifestType);
    await c.putManifest(repo(), d.digest, other.manifestType, other.manifest);
    expect(registry.log.filter((r) => r.method === 'PUT').map((r) => r.url)).toEqual([
      '/v2/x/manifests/v2',
      `/v2/x/manifests/${d.digest}`,
    ]);
  });

  it('refuses invalid repository names and references before any request', async () => {
    const c = client();
    expect((await rejection(c.getManifest({ domain: host, path: '../etc' }, 'v1'))).message).toBe(
      'invalid repository name "../etc"',
    );
    expect((await rejection(c.getManifest(repo(), 'a/../b'))).message).toBe('invalid tag or digest "a/../b"');
    expect(registry.log).toEqual([]);
  });
});

describe('blob download', () => {
  it('hands the verified file to the sink and leaves nothing behind', async () => {
    const store = await mkdtemp(path.join(tmp, 'store-'));
    const progress: BlobProgress[] = [];
    const result = await client().fetchBlob(
      repo(),
      { digest: layerDigest, size: image.layer.length },
      async (file) => {
        await rename(file, path.join(store, 'blob'));
        return 'stored';
      },
      { tmpDir: tmp, onProgress: (p) => progress.push(p) },
    );
    expect(result).toBe('stored');
    expect((await readFile(path.join(store, 'blob'))).equals(image.layer)).toBe(true);
    expect(await readdir(tmp)).toEqual([path.basename(store)]);
    expect(progress.at(-1)).toEqual({
      digest: layerDigest,
      phase: 'done',
      transferred: image.layer.length,
      total: image.layer.length,
    });
  });

  it('rejects a blob whose bytes do not match its digest', async () => {
    const wrong = Buffer.from(image.layer);
    wrong[10] = 0x21;
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      res.end(wrong);
      return true;
    };
    let sinkCalled = false;
    const error = await rejection(
      client().fetchBlob(
        repo(),
        { digest: layerDigest, size: image.layer.length },
        async () => {
          sinkCalled = true;
        },
        { tmpDir: tmp },
      ),
    );
    expect(error.code).toBe('EREG_DIGEST_MISMATCH');
    expect(error.message).toBe(`blob ${layerDigest} of ${host}/x: digest mismatch: got ${sha256(wrong)}`);
    expect(sinkCalled).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('rejects a blob larger than its descriptor as soon as it overflows', async () => {
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      res.end(Buffer.concat([image.layer, Buffer.from('more')]));
      return true;
    };
    const error = await rejection(
      client().fetchBlob(repo(), { digest: layerDigest, size: image.layer.length }, async () => {}, { tmpDir: tmp }),
    );
    expect(error.code).toBe('EREG_TOO_LARGE');
    expect(error.message).toBe(
      `blob ${layerDigest} of ${host}/x: more data than the ${image.layer.length} bytes announced`,
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it('reports a truncated blob after bounded retries, storing nothing', async () => {
    const half = Math.floor(image.layer.length / 2);
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      // announce the full size, send half, drop the connection
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, half), () => res.socket?.end()); // FIN, not RST: every byte sent arrives
      return true;
    };
    let sinkCalled = false;
    const error = await rejection(
      client().fetchBlob(
        repo(),
        { digest: layerDigest, size: image.layer.length },
        async () => {
          sinkCalled = true;
        },
        { tmpDir: tmp },
      ),
    );
    expect(error.code).toBe('EREG_TRUNCATED');
    expect(error.message).toBe(
      `blob ${layerDigest} of ${host}/x: truncated: received ${half} of ${image.layer.length} bytes`,
    );
    expect(sinkCalled).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
    expect(registry.log.filter((r) => r.url.includes('/blobs/')).length).toBe(fastRetry.attempts);
  });

  it('reports a blob that ends cleanly but short', async () => {
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      res.end(image.layer.subarray(0, 100));
      return true;
    };
    const error = await rejection(
      client().fetchBlob(repo(), { digest: layerDigest, size: image.layer.length }, async () => {}, { tmpDir: tmp }),
    );
    expect(error.message).toBe(
      `blob ${layerDigest} of ${host}/x: truncated: received 100 of ${image.layer.length} bytes`,
    );
  });

  it('resumes a dropped download with a Range request', async () => {
    const half = Math.floor(image.layer.length / 2);
    let dropped = false;
    registry.intercept = (req, res) => {
      if (dropped || req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      dropped = true;
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, half), () => res.socket?.end()); // FIN, not RST: every byte sent arrives
      return true;
    };
    const bytes = await client().fetchBlob(
      repo(),
      { digest: layerDigest, size: image.layer.length },
      (f) => readFile(f),
      {
        tmpDir: tmp,
      },
    );
    expect(bytes.equals(image.layer)).toBe(true);
    const gets = registry.log.filter((r) => r.url === `/v2/x/blobs/${layerDigest}`);
    expect(gets.map((r) => r.headers.range)).toEqual([undefined, `bytes=${half}-`]);
  });

  it('retries 429 and 5xx answers, then succeeds', async () => {
    const answers = [429, 503];
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}` || answers.length === 0) return false;
      res.writeHead(answers.shift()!, { 'retry-after': '0' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return true;
    };
    const bytes = await client().fetchBlob(repo(), { digest: layerDigest }, (f) => readFile(f), { tmpDir: tmp });
    expect(bytes.equals(image.layer)).toBe(true);
    expect(registry.log.filter((r) => r.url.includes('/blobs/')).length).toBe(3);
  });

  it('gives up on a registry that keeps answering 503', async () => {
    registry.intercept = (req, res) => {
      if (!req.url?.includes('/blobs/')) return false;
      res.writeHead(503);
      res.end('{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}');
      return true;
    };
    const error = await rejection(client().fetchBlob(repo(), { digest: layerDigest }, async () => {}, { tmpDir: tmp }));
    expect(error.code).toBe('EREG_HTTP');
    expect(error.message).toBe(`blob ${layerDigest} of ${host}/x: registry answered 503: UNAVAILABLE: maintenance`);
    expect(registry.log.filter((r) => r.url.includes('/blobs/')).length).toBe(fastRetry.attempts);
  });

  it('follows a redirect to storage without sending credentials there', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const storage = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end(image.layer);
    });
    await new Promise<void>((resolve) => storage.listen(0, 'localhost', resolve));
    const storageUrl = `http://localhost:${(storage.address() as AddressInfo).port}/bucket/blob?sig=1`;
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      res.writeHead(307, { location: storageUrl });
      res.end();
      return true;
    };
    try {
      const c = client({ credentials: async () => ({ registryToken: 'secret' }) });
      // a bearer challenge makes the client send its token to the registry
      registry.intercept = ((inner) => (req, res, body) => {
        if (req.url === '/v2/' && req.headers.authorization === undefined) {
          res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token"` });
          res.end();
          return true;
        }
        return inner(req, res, body);
      })(registry.intercept);
      const bytes = await c.fetchBlob(repo(), { digest: layerDigest }, (f) => readFile(f), { tmpDir: tmp });
      expect(bytes.equals(image.layer)).toBe(true);
      expect(registry.log.find((r) => r.url.includes('/blobs/'))?.headers.authorization).toBe('Bearer secret');
      expect(seen.length).toBe(1);
      expect(seen[0]!.authorization).toBeUndefined();
    } finally {
      storage.closeAllConnections();
      await new Promise<void>((resolve) => storage.close(() => resolve()));
    }
  });

  it('downloads several blobs with a bound on parallel transfers', async () => {
    const blobs = Array.from({ length: 6 }, (_, i) => Buffer.from(`blob number ${i}`.repeat(100)));
    for (const b of blobs) registry.blobs.set(sha256(b), b);
    let inFlight = 0;
    let maxInFlight = 0;
    registry.intercept = async (req) => {
      if (!req.url?.includes('/blobs/sha256')) return false;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
      return false;
    };
    const descriptors = blobs.map((b) => ({
      mediaType: 'application/octet-stream',
      digest: sha256(b),
      size: b.length,
    }));
    const got = await client().fetchBlobs(repo(), descriptors, async (d, f) => [d.digest, await readFile(f)] as const, {
      tmpDir: tmp,
      concurrency: 2,
    });
    expect(got.map(([d]) => d)).toEqual(descriptors.map((d) => d.digest));
    expect(got.every(([d, bytes]) => sha256(bytes) === d)).toBe(true);
    expect(maxInFlight).toBe(2);
    expect(await readdir(tmp)).toEqual([]);
  });
});

describe('blob upload', () => {
  const blob = Buffer.from('pushed content\n'.repeat(3000));
  const digest = sha256(blob) as Digest;

  it('uploads monolithically after a HEAD miss', async () => {
    const result = await client().pushBlob(repo(), { digest, size: blob.length }, { bytes: blob });
    expect(result).toBe('uploaded');
    expect(registry.blobs.get(digest)?.equals(blob)).toBe(true);
    expect(registry.log.map((r) => `${r.method} ${r.url.replace(/uploads\/[^?]+/, 'uploads/ID')}`)).toEqual([
      'GET /v2/',
      `HEAD /v2/x/blobs/${digest}`,
      'POST /v2/x/blobs/uploads/',
      `PUT /v2/x/blobs/uploads/ID?_state=x&digest=${encodeURIComponent(digest).replace('%3A', '%3A')}`,
    ]);
  });

  it('skips a blob the registry has', async () => {
    registry.blobs.set(digest, blob);
    const progress: BlobProgress[] = [];
    const result = await client().pushBlob(
      repo(),
      { digest, size: blob.length },
      { bytes: blob },
      { onProgress: (p) => progress.push(p) },
    );
    expect(result).toBe('exists');
    expect(registry.log.filter((r) => r.method !== 'HEAD' && r.url !== '/v2/')).toEqual([]);
    expect(progress).toEqual([{ digest, phase: 'exists', transferred: blob.length, total: blob.length }]);
  });

  it('mounts from another repository', async () => {
    registry.blobs.set(digest, blob);
    registry.intercept = (req, res) => {
      if (req.method !== 'HEAD') return false;
      res.writeHead(404);
      res.end();
      return true;
    };
    const result = await client().pushBlob(
      { domain: host, path: 'y/z' },
      { digest, size: blob.length },
      { bytes: blob },
      { mountFrom: 'x' },
    );
    expect(result).toBe('mounted');
    expect(registry.log.find((r) => r.method === 'POST')?.url).toBe(
      `/v2/y/z/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=x`,
    );
  });

  it('uploads a file in chunks and resumes after a failed chunk', async () => {
    const file = path.join(tmp, 'blob');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, blob));
    let patches = 0;
    registry.intercept = (req, res) => {
      if (req.method !== 'PATCH' || ++patches !== 2) return false;
      res.writeHead(500);
      res.end();
      return true;
    };
    const progress: number[] = [];
    const result = await client().pushBlob(
      repo(),
      { digest, size: blob.length },
      { file },
      {
        chunkSize: 16_384,
        onProgress: (p) => progress.push(p.transferred),
      },
    );
    expect(result).toBe('uploaded');
    expect(registry.blobs.get(digest)?.equals(blob)).toBe(true);
    const ranges = registry.log.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-range']);
    expect(ranges).toEqual(['0-16383', '16384-32767', '16384-32767', '32768-44999']);
    expect(registry.log.filter((r) => r.method === 'GET' && r.url.includes('/uploads/')).length).toBe(1);
    expect(progress.at(-1)).toBe(blob.length);
  });

  it('reports what the registry said when it refuses a blob', async () => {
    const error = await rejection(
      client().pushBlob(repo(), { digest: sha256('other'), size: blob.length }, { bytes: blob }),
    );
    expect(error.code).toBe('EREG_HTTP');
    expect(error.message).toBe(
      `push of blob ${sha256('other')} to ${host}/x: registry answered 400: DIGEST_INVALID: provided digest did not match uploaded content`,
    );
  });
});

describe('transport details', () => {
  it('falls back to GET when HEAD gives no digest', async () => {
    registry.intercept = (req, res) => {
      if (req.method !== 'HEAD') return false;
      res.writeHead(200, { 'content-type': image.manifestType, 'content-length': image.manifest.length });
      res.end();
      return true;
    };
    const d = await client().resolve({ ...repo(), tag: 'v1' });
    expect(d.digest).toBe(sha256(image.manifest));
    expect(registry.log.filter((r) => r.url === '/v2/x/manifests/v1').map((r) => r.method)).toEqual(['HEAD', 'GET']);
  });

  it('times out a stalled download and resumes it', async () => {
    const half = Math.floor(image.layer.length / 2);
    let stalled = false;
    registry.intercept = (req, res) => {
      if (stalled || req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      stalled = true;
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, half)); // …and never another byte
      return true;
    };
    const c = client({ idleTimeoutMs: 200 });
    const bytes = await c.fetchBlob(repo(), { digest: layerDigest, size: image.layer.length }, (f) => readFile(f), {
      tmpDir: tmp,
    });
    expect(bytes.equals(image.layer)).toBe(true);
    expect(registry.log.filter((r) => r.url.includes('/blobs/')).map((r) => r.headers.range)).toEqual([
      undefined,
      `bytes=${half}-`,
    ]);
  });

  it('cancels a download on abort, removing the partial file', async () => {
    const controller = new AbortController();
    registry.intercept = (req, res) => {
      if (req.url !== `/v2/x/blobs/${layerDigest}`) return false;
      res.writeHead(200, { 'content-length': image.layer.length });
      res.write(image.layer.subarray(0, 100), () => controller.abort(new Error('user pressed ^C')));
      return true;
    };
    let sinkCalled = false;
    const error = await client()
      .fetchBlob(
        repo(),
        { digest: layerDigest, size: image.layer.length },
        async () => {
          sinkCalled = true;
        },
        { tmpDir: tmp, signal: controller.signal },
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('user pressed ^C');
    expect(sinkCalled).toBe(false);
    expect(await readdir(tmp)).toEqual([]);
    expect(registry.log.filter((r) => r.url.includes('/blobs/')).length).toBe(1);
  });

  it('cancels an upload on abort', async () => {
    const blob = Buffer.from('never finished');
    const controller = new AbortController();
    registry.intercept = (req) => {
      if (req.method === 'POST') controller.abort(new Error('stop'));
      return false;
    };
    const error = await client()
      .pushBlob(repo(), { digest: sha256(blob), size: blob.length }, { bytes: blob }, { signal: controller.signal })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('stop');
    expect(registry.log.some((r) => r.method === 'PUT')).toBe(false);
    expect(registry.blobs.has(sha256(blob))).toBe(false);
  });

  it('refuses upload locations with other URL schemes and endless redirects', async () => {
    const blob = Buffer.from('x');
    registry.intercept = (req, res) => {
      if (req.method === 'POST') {
        res.writeHead(202, { location: 'file:///etc/passwd' });
        res.end();
        return true;
      }
      if (req.url === `/v2/x/blobs/${layerDigest}`) {
        res.writeHead(302, { location: req.url });
        res.end();
        return true;
      }
      return false;
    };
    const c = client();
    const upload = await rejection(c.pushBlob(repo(), { digest: sha256(blob), size: 1 }, { bytes: blob }));
    expect(upload.message).toBe(`${host}/x: unsupported URL scheme file:`);
    const loop = await rejection(c.fetchBlob(repo(), { digest: layerDigest }, async () => {}, { tmpDir: tmp }));
    expect(loop.message).toBe(`${host}/x: too many redirects`);
    expect(await readdir(tmp)).toEqual([]);
  });

  it('allows plain HTTP for loopback hosts and hosts named insecure only', () => {
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('127.3.2.1')).toBe(true);
    expect(isLoopbackHost('localhost:5000')).toBe(true);
    expect(isLoopbackHost('[::1]:5000')).toBe(true);
    expect(isLoopbackHost('128.0.0.1:5000')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(allowsPlainHttp('10.0.0.5:5000', ['10.0.0.5:5000'])).toBe(true);
    expect(allowsPlainHttp('10.0.0.5:5000', ['10.0.0.5'])).toBe(false);
    expect(allowsPlainHttp('registry.example.com', [])).toBe(false);
    expect(allowsPlainHttp('localhost:5000', [])).toBe(true);
  });

  it('names a registry it cannot reach', async () => {
    const c = client({ retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await rejection(c.getManifest({ domain: 'registry.invalid', path: 'x' }, 'v1'));
    expect(error.code).toBe('EREG_NETWORK');
    expect(error.message).toMatch(/^cannot reach registry registry\.invalid: getaddrinfo /);
  });
});
