// Private git repositories over HTTP, as with buildx: the GIT_AUTH_TOKEN / GIT_AUTH_HEADER build secrets (or their
// `.<host>` forms) authenticate ADD <git-url> and a git build context; without them the fetch fails naming the
// repository; the credential reaches the server and nothing else (no layer, record or output holds it).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as plan } from '../../cli/commands/plan/run.js';
import type { Store } from '../../image/index.js';
import { type GitServer, startGitServer } from '../executor/git-server.js';
import { buildCommand } from './build-command.js';
import { freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';

const token = 'tsbuild-test-token-7f3a';
const basic = (secret: string) => `basic ${Buffer.from(`x-access-token:${secret}`).toString('base64')}`;

/** Every file below `dir` whose bytes contain `needle`. */
async function filesHolding(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await readFile(file)).includes(needle)) found.push(file);
  }
  return found;
}

describe.skipIf(isolationUnavailable() !== undefined)('git credentials from build secrets', () => {
  let server: GitServer;
  let store: Store;
  let secrets: string;

  beforeAll(async () => {
    server = await startGitServer();
    const repo = server.repo('private.git');
    repo.commit({ 'hello.txt': 'private hello\n', Dockerfile: 'FROM busybox\nCOPY hello.txt /from-context.txt\n' });
    server.requireAuthorization('private.git', basic(token));
    store = await storeWithBusybox();
    secrets = await freshDir('s');
    await writeFile(path.join(secrets, 'token'), `${token}\n`);
    await writeFile(path.join(secrets, 'wrong'), 'not-the-token');
    await writeFile(path.join(secrets, 'header'), basic(token));
  });
  afterAll(async () => {
    await server.close();
    await removeFreshDirs();
  });

  async function addPrivate(secretArgs: string[]) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: `FROM busybox\nADD ${server.httpUrl('private.git')}#main /src\n` },
    ]);
    const out = await freshDir('o');
    const ran = await buildCommand(store, {
      context: ctx,
      outputs: [`type=local,dest=${out}`],
      secrets: secretArgs,
      noCache: true,
      quiet: true,
    });
    return { ...ran, out };
  }

  it('fetches ADD <git-url> with GIT_AUTH_TOKEN; the token is in no layer, record or output', async () => {
    const ran = await addPrivate([`id=GIT_AUTH_TOKEN,src=${path.join(secrets, 'token')}`]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(await readFile(path.join(ran.out, 'src', 'hello.txt'), 'utf8')).toBe('private hello\n');
    expect(server.authorizations.at(-1)).toBe(basic(token));
    expect(ran.stdout).not.toContain(token);
    expect(await filesHolding(store.root, token)).toEqual([]);
    expect(await filesHolding(store.root, basic(token))).toEqual([]);
  });

  it('fails without credentials, naming the repository', async () => {
    const ran = await addPrivate([]);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain(`failed to fetch remote ${server.httpUrl('private.git')}`);
  });

  it('prefers the host’s secret to the generic one, and takes a whole header from GIT_AUTH_HEADER', async () => {
    const host = new URL(server.httpUrl('private.git')).host;
    const byHost = await addPrivate([
      `id=GIT_AUTH_TOKEN,src=${path.join(secrets, 'wrong')}`,
      `id=GIT_AUTH_TOKEN.${host},src=${path.join(secrets, 'token')}`,
    ]);
    expect(byHost.stderr).toBe('');
    const header = await addPrivate([`id=GIT_AUTH_HEADER,src=${path.join(secrets, 'header')}`]);
    expect(header.stderr).toBe('');
    expect(await readFile(path.join(header.out, 'src', 'hello.txt'), 'utf8')).toBe('private hello\n');
  });

  it('plans ADD of a private repository with --secret as build does, and fails to resolve it without', async () => {
    const ctx = await freshDir('c');
    await writeContext(ctx, [
      { path: 'Dockerfile', content: `FROM busybox\nADD ${server.httpUrl('private.git')}#main /src\n` },
    ]);
    const planned = async (secretArgs: string[]) => {
      let out = '';
      let err = '';
      const code = await plan(
        { context: ctx, buildArgs: [], secrets: secretArgs, json: false },
        {
          stdout: (t) => {
            out += t;
          },
          stderr: (t) => {
            err += t;
          },
          readStdin: async () => '',
          env: { TSBUILD_ROOT: store.root },
        },
      );
      return { code, out, err };
    };
    const withToken = await planned([`id=GIT_AUTH_TOKEN,src=${path.join(secrets, 'token')}`]);
    expect(withToken.err).toBe('');
    expect(withToken.code).toBe(0);
    expect(withToken.out).toContain(`ADD ${server.httpUrl('private.git')}#main /src`);
    expect(withToken.out).not.toContain(token);
    const without = await planned([]);
    expect(without.code).toBe(1);
    expect(without.err).toContain(`failed to fetch remote ${server.httpUrl('private.git')}`);
  });

  it('builds a private repository as the build context', async () => {
    const out = await freshDir('o');
    const ran = await buildCommand(store, {
      context: server.httpUrl('private.git'),
      outputs: [`type=local,dest=${out}`],
      secrets: [`id=GIT_AUTH_TOKEN,src=${path.join(secrets, 'token')}`],
      quiet: true,
    });
    expect(ran.stderr).toBe('');
    expect(await readFile(path.join(out, 'from-context.txt'), 'utf8')).toBe('private hello\n');
    const denied = await buildCommand(store, { context: server.httpUrl('private.git'), quiet: true });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`ERROR: cannot load the build context ${server.httpUrl('private.git')}`);
  });
});
