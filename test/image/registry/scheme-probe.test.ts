// Which scheme the client settles on for a host: loopback registries are probed over plain HTTP first (no TLS
// attempt for the common case), and a loopback registry that speaks only TLS is still found.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../image/registry/index.js';

const fastRetry = { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 };

interface Seen {
  readonly scheme: 'http' | 'https';
  readonly url: string;
}

function answer(seen: Seen[], scheme: Seen['scheme']) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ scheme, url: req.url ?? '' });
    res.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0', 'content-type': 'application/json' });
    res.end('{}');
  };
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('scheme probing', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    key = await readFile(path.join(dir, 'key.pem'));
    cert = await readFile(path.join(dir, 'cert.pem'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches a plain-HTTP loopback registry without trying TLS', async () => {
    const seen: Seen[] = [];
    const server = http.createServer(answer(seen, 'http'));
    let tlsHellos = 0;
    server.on('connection', (socket) => {
      socket.once('data', (first: Buffer) => {
        if (first[0] === 0x16) tlsHellos++; // a TLS record: handshake
      });
    });
    const host = await listen(server);
    const client = new RegistryClient({ retry: fastRetry, credentials: async () => undefined });
    try {
      await client.ping(host);
      expect(seen).toEqual([{ scheme: 'http', url: '/v2/' }]);
      expect(tlsHellos).toBe(0);
    } finally {
      client.close();
      server.close();
    }
  });

  it('falls back to HTTPS for a loopback registry that speaks only TLS', async () => {
    const seen: Seen[] = [];
    const server = https.createServer({ key, cert }, answer(seen, 'https'));
    const host = await listen(server);
    const client = new RegistryClient({ retry: fastRetry, credentials: async () => undefined });
    try {
      await client.ping(host);
      expect(seen).toEqual([{ scheme: 'https', url: '/v2/' }]);
    } finally {
      client.close();
      server.close();
    }
  });

  it('falls back to HTTPS when a TLS server answers plain HTTP with 400 (as Go servers do)', async () => {
    const seen: Seen[] = [];
    const tls = https.createServer({ key, cert }, answer(seen, 'https'));
    // One port, two protocols: plain HTTP gets Go's 400, a TLS hello is handed to the TLS server.
    const front = net.createServer({ pauseOnConnect: true }, (socket) => {
      socket.once('readable', () => {
        const first = socket.read() as Buffer | null;
        if (first === null) return;
        socket.unshift(first);
        if (first[0] === 0x16) {
          tls.emit('connection', socket);
          return;
        }
        socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      });
    });
    const host = await listen(front);
    const client = new RegistryClient({ retry: fastRetry, credentials: async () => undefined });
    try {
      await client.ping(host);
      expect(seen).toEqual([{ scheme: 'https', url: '/v2/' }]);
    } finally {
      client.close();
      front.close();
      tls.close();
    }
  });
});
