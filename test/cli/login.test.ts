// `tsbuild login` against docker-registry with htpasswd basic auth: credentials are checked, saved where
// Docker keeps them, and used by push and pull.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/login/run.js';
import { run as pull } from '../../cli/commands/pull/run.js';
import { run as push } from '../../cli/commands/push/run.js';
import { type DistributionServer, startDistribution, testUser } from '../image/registry/distribution-server.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

let registry: DistributionServer;
let t: TempStore;
let env: Record<string, string>;

beforeAll(async () => {
  registry = await startDistribution({ htpasswd: true });
});
afterAll(async () => {
  await registry?.stop();
});
beforeEach(async () => {
  t = await tempStore();
  env = { DOCKER_CONFIG: path.join(t.dir, 'docker'), HOME: t.dir };
});
afterEach(async () => {
  await t.cleanup();
});

const stdin = (text: string) => Readable.from([Buffer.from(text)]);

describe('tsbuild login', () => {
  it('saves checked credentials that push and pull then use', async () => {
    const name = `${registry.host}/private/app:1`;
    await buildImage(t.store, name);
    const denied = capture({ env });
    expect(await push({ root: t.root, name, quiet: true }, denied.io)).toBe(1);
    expect(denied.err()).toMatch(/^Error: authentication required for .*: run tsbuild login\n$/);

    const c = capture({ env, stdin: stdin(`${testUser.password}\n`) });
    expect(await run({ server: registry.host, username: testUser.username, passwordStdin: true }, c.io)).toBe(0);
    expect(c.out()).toBe('Login Succeeded\n');
    const config = JSON.parse(await readFile(path.join(env['DOCKER_CONFIG']!, 'config.json'), 'utf8'));
    expect(config.auths[registry.host]).toEqual({
      auth: Buffer.from(`${testUser.username}:${testUser.password}`).toString('base64'),
    });

    expect(await push({ root: t.root, name, quiet: true }, capture({ env }).io)).toBe(0);
    expect(await pull({ root: path.join(t.dir, 'other'), name, quiet: true }, capture({ env }).io)).toBe(0);
  });

  it('rejects wrong credentials and saves nothing', async () => {
    const c = capture({ env, stdin: stdin('wrong\n') });
    expect(
      await run({ server: `https://${registry.host}/v1/`, username: testUser.username, passwordStdin: true }, c.io),
    ).toBe(1);
    expect(c.err()).toBe(`Error: authentication failed for ${registry.host}: credentials rejected\n`);
    await expect(readFile(path.join(env['DOCKER_CONFIG']!, 'config.json'))).rejects.toThrow('ENOENT');
  });

  it('needs a user name and a password', async () => {
    const noUser = capture({ env });
    expect(await run({ server: registry.host, passwordStdin: true }, noUser.io)).toBe(1);
    expect(noUser.err()).toBe('Error: a username is needed: use -u USER (tsbuild does not prompt)\n');
    const noPassword = capture({ env });
    expect(await run({ server: registry.host, username: 'u' }, noPassword.io)).toBe(1);
    expect(noPassword.err()).toBe('Error: a password is needed: use --password-stdin\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const result = await runCli(
      ['login', registry.host, '-u', testUser.username, '--password-stdin'],
      env,
      Buffer.from(`${testUser.password}\n`),
    );
    expect(result).toEqual({ code: 0, stdout: 'Login Succeeded\n', stderr: '' });
  });
});
