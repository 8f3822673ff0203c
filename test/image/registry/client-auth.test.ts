import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../../image/registry/index.js';
import { FakeRegistry, sha256 } from './fake-registry.js';
import { makeImage } from './fixtures.js';

const fastRetry = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
const image = makeImage('auth');
const clients: RegistryClient[] = [];

function client(credentials: { username: string; password: string } | undefined): RegistryClient {
  const c = new RegistryClient({ retry: fastRetry, credentials: async () => credentials });
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

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

describe.each(['basic', 'bearer'] as const)('%s auth', (mode) => {
  const registry = new FakeRegistry({ auth: mode });
  let host = '';
  beforeAll(async () => {
    host = await registry.start();
    registry.putManifest('x', 'v1', image.manifestType, image.manifest);
  });
  afterAll(() => registry.stop());

  it('fails clearly without credentials', async () => {
    const error = await rejection(client(undefined).getManifest({ domain: host, path: 'x' }, 'v1'));
    expect(error.code).toBe('EREG_AUTH_REQUIRED');
    expect(error.message).toBe(`authentication required for ${host}/x: run tsbuild login`);
  });

  it('fails clearly with wrong credentials', async () => {
    const error = await rejection(
      client({ username: 'u', password: 'wrong' }).getManifest({ domain: host, path: 'x' }, 'v1'),
    );
    expect(error.code).toBe('EREG_AUTH_FAILED');
    expect(error.message).toBe(
      mode === 'basic'
        ? `authentication failed for ${host}/x: credentials rejected`
        : `authentication failed for ${host}: the token server refused the credentials`,
    );
  });

  it('pulls with credentials', async () => {
    registry.log.length = 0;
    const c = client({ username: 'u', password: 'p' });
    const first = await c.getManifest({ domain: host, path: 'x' }, 'v1');
    const again = await c.getManifest({ domain: host, path: 'x' }, 'v1');
    expect(first.descriptor.digest).toBe(sha256(image.manifest));
    expect(again.descriptor.digest).toBe(sha256(image.manifest));
    if (mode === 'bearer') {
      // one token for the scope, reused: the ping learned the challenge, so no request ever got a 401 after it
      const tokenRequests = registry.log.filter((r) => r.url.startsWith('/token'));
      expect(tokenRequests.map((r) => r.url)).toEqual(['/token?service=fake&scope=repository%3Ax%3Apull&account=u']);
      expect(tokenRequests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    }
    expect(registry.log.map((r) => r.method + ' ' + r.url.replace(/\?.*/, ''))).toEqual(
      mode === 'bearer'
        ? ['GET /v2/', 'GET /token', 'GET /v2/x/manifests/v1', 'GET /v2/x/manifests/v1']
        : ['GET /v2/', 'GET /v2/x/manifests/v1', 'GET /v2/x/manifests/v1'],
    );
  });
});

describe('bearer details', () => {
  const registry = new FakeRegistry({ auth: 'bearer' });
  let host = '';
  beforeAll(async () => {
    host = await registry.start();
    registry.putManifest('x', 'v1', image.manifestType, image.manifest);
  });
  afterAll(() => registry.stop());

  it('exchanges an identity token with the OAuth2 refresh-token grant', async () => {
    registry.log.length = 0;
    const c = new RegistryClient({ retry: fastRetry, credentials: async () => ({ identityToken: 'good-refresh' }) });
    clients.push(c);
    const got = await c.getManifest({ domain: host, path: 'x' }, 'v1');
    expect(got.descriptor.digest).toBe(sha256(image.manifest));
    const tokenRequest = registry.log.find((r) => r.url === '/token');
    expect(tokenRequest?.method).toBe('POST');
    expect(tokenRequest?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect([...registry.issued.values()]).toContainEqual(['repository:x:pull']);
  });

  it('asks for pull on the source repository when mounting', async () => {
    const blob = Buffer.from('mounted blob');
    registry.blobs.set(sha256(blob), blob);
    registry.issued.clear();
    registry.intercept = (req, res) => {
      if (req.method !== 'HEAD') return false;
      res.writeHead(404);
      res.end();
      return true;
    };
    try {
      const result = await client({ username: 'u', password: 'p' }).pushBlob(
        { domain: host, path: 'dest' },
        { digest: sha256(blob), size: blob.length },
        { bytes: blob },
        { mountFrom: 'src/repo' },
      );
      expect(result).toBe('mounted');
      expect([...registry.issued.values()]).toEqual([['repository:dest:pull,push', 'repository:src/repo:pull']]);
    } finally {
      registry.intercept = undefined;
    }
  });

  it('asks for the scope a 401 challenge names', async () => {
    registry.issued.clear();
    let challenged = false;
    registry.intercept = (req, res) => {
      if (challenged || req.url !== '/v2/x/manifests/v1') return false;
      challenged = true;
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${host}/token",service="fake",scope="repository:x:pull repository:x:metadata_read",error="insufficient_scope"`,
      });
      res.end();
      return true;
    };
    try {
      await client({ username: 'u', password: 'p' }).getManifest({ domain: host, path: 'x' }, 'v1');
      expect([...registry.issued.values()]).toEqual([
        ['repository:x:pull'],
        ['repository:x:pull', 'repository:x:metadata_read'],
      ]);
    } finally {
      registry.intercept = undefined;
    }
  });

  it('shares one token request between parallel transfers of the same scope', async () => {
    registry.issued.clear();
    registry.log.length = 0;
    const blobs = ['a', 'b', 'c', 'd'].map((s) => Buffer.from(s.repeat(1000)));
    for (const b of blobs) registry.blobs.set(sha256(b), b);
    const c = client({ username: 'u', password: 'p' });
    await c.fetchBlobs(
      { domain: host, path: 'x' },
      blobs.map((b) => ({ mediaType: 'application/octet-stream', digest: sha256(b), size: b.length })),
      async () => undefined,
      { tmpDir: tmpdir(), concurrency: 4 },
    );
    expect(registry.log.filter((r) => r.url.startsWith('/token')).length).toBe(1);
  });
});
