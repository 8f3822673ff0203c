import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Debian's docker-registry (distribution 2.8) on a free loopback port, for the integration tests.

/**
 * bcrypt of `s3cret-pass` (cost 4, so each authenticated request stays cheap), made once with libxcrypt: no
 * htpasswd tool is needed at test time.
 */
export const testUser = { username: 'tester', password: 's3cret-pass' };
const testUserHtpasswd = 'tester:$2b$04$B1YsHF7HETHYgtmJPqk3F./wJzKMQrXbwVlSCpn2j2iDgvJjS7mNW\n';

export interface DistributionServer {
  readonly host: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function answers(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`http://${host}/v2/`, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startDistribution(options: { htpasswd?: boolean } = {}): Promise<DistributionServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth = options.htpasswd
    ? `auth:\n  htpasswd:\n    realm: tsbuild-test\n    path: ${path.join(dir, 'htpasswd')}\n`
    : '';
  if (options.htpasswd) await writeFile(path.join(dir, 'htpasswd'), testUserHtpasswd);
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    auth,
  ].join('\n');
  await writeFile(path.join(dir, 'config.yml'), config);
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (await answers(host)) return { host, dir, stop };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  await stop();
  throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
}
