import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialServer,
  dockerConfigPath,
  getCredentials,
  removeCredentials,
  storeCredentials,
} from '../../../image/registry/index.js';

let dir: string;
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tsbuild-dockercfg-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(config: unknown): Promise<void> {
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
}

/** A fake `docker-credential-test` that keeps its secrets in a JSON file, like a real helper in a keychain. */
async function installHelper(): Promise<NodeJS.ProcessEnv> {
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  const script = `#!/bin/sh
db="${dir}/helper-db.json"
[ -f "$db" ] || echo '{}' > "$db"
input=$(cat)
echo "$1 $input" >> "${dir}/helper-log"
case "$1" in
  get) node -e 'const db=require(process.argv[1]); const s=db[process.argv[2]]; if(!s){console.log("credentials not found in native keychain");process.exit(1)} console.log(JSON.stringify({ServerURL:process.argv[2],Username:s.u,Secret:s.p}))' "$db" "$input" ;;
  store) node -e 'const fs=require("fs"); const db=require(process.argv[1]); const c=JSON.parse(process.argv[2]); db[c.ServerURL]={u:c.Username,p:c.Secret}; fs.writeFileSync(process.argv[1], JSON.stringify(db))' "$db" "$input" ;;
  erase) node -e 'const fs=require("fs"); const db=require(process.argv[1]); if(!db[process.argv[2]]){console.log("credentials not found in native keychain");process.exit(1)} delete db[process.argv[2]]; fs.writeFileSync(process.argv[1], JSON.stringify(db))' "$db" "$input" ;;
esac
`;
  await writeFile(path.join(bin, 'docker-credential-test'), script);
  await chmod(path.join(bin, 'docker-credential-test'), 0o755);
  return { PATH: `${bin}:${process.env['PATH']}`, HOME: dir };
}

describe('docker config location', () => {
  it('honours DOCKER_CONFIG, then HOME', () => {
    expect(dockerConfigPath({ env: { DOCKER_CONFIG: '/etc/dc' } })).toBe('/etc/dc/config.json');
    expect(dockerConfigPath({ env: { HOME: '/home/u' } })).toBe('/home/u/.docker/config.json');
    expect(dockerConfigPath({ configDir: '/x', env: { DOCKER_CONFIG: '/etc/dc' } })).toBe('/x/config.json');
  });

  it('files Docker Hub under its legacy server address', () => {
    expect(credentialServer('docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialServer('registry-1.docker.io')).toBe('https://index.docker.io/v1/');
    expect(credentialServer('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });
});

describe('getCredentials', () => {
  it('decodes auths entries, matching hosts written as URLs', async () => {
    await writeConfig({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'http://127.0.0.1:5000/v2/': { auth: b64('local:p:w') },
        'ghcr.io': { identitytoken: 'refresh' },
        'empty.example': {},
      },
    });
    const o = { configDir: dir };
    expect(await getCredentials('docker.io', o)).toEqual({ username: 'hub', password: 'pw' });
    expect(await getCredentials('127.0.0.1:5000', o)).toEqual({ username: 'local', password: 'p:w' });
    expect(await getCredentials('ghcr.io', o)).toEqual({ identityToken: 'refresh' });
    expect(await getCredentials('empty.example', o)).toBeUndefined();
    expect(await getCredentials('quay.io', o)).toBeUndefined();
  });

  it('is anonymous without a config file, and names a broken one', async () => {
    expect(await getCredentials('quay.io', { configDir: dir })).toBeUndefined();
    await writeFile(path.join(dir, 'config.json'), '{ nope');
    await expect(getCredentials('quay.io', { configDir: dir })).rejects.toThrow(`${dir}/config.json: invalid JSON:`);
  });

  it('asks credHelpers and credsStore helpers, preferring the per-registry one', async () => {
    const env = await installHelper();
    await writeFile(
      path.join(dir, 'helper-db.json'),
      JSON.stringify({
        'r.example': { u: 'helper-user', p: 'helper-pw' },
        'https://index.docker.io/v1/': { u: '<token>', p: 'idt' },
      }),
    );
    await writeConfig({
      credsStore: 'test',
      credHelpers: { 'other.example': 'missing' },
      auths: { 'r.example': { auth: b64('file:pw') } },
    });
    const o = { configDir: dir, env };
    expect(await getCredentials('r.example', o)).toEqual({ username: 'helper-user', password: 'helper-pw' });
    expect(await getCredentials('docker.io', o)).toEqual({ identityToken: 'idt' });
    expect(await getCredentials('unknown.example', o)).toBeUndefined();
    await expect(getCredentials('other.example', o)).rejects.toThrow(
      'credential helper docker-credential-missing: not found on PATH',
    );
  });

  it('never runs a helper named like a path', async () => {
    await writeConfig({ credsStore: '../../bin/sh' });
    await expect(getCredentials('r.example', { configDir: dir })).rejects.toThrow(
      'invalid credential helper name "../../bin/sh"',
    );
  });
});

describe('storeCredentials / removeCredentials (login / logout)', () => {
  it('writes auths atomically, owner-only, keeping other settings', async () => {
    await writeConfig({ auths: { 'keep.example': { auth: b64('a:b') } }, psFormat: 'table {{.ID}}' });
    await storeCredentials('127.0.0.1:5000', { username: 'u', password: 'p' }, { configDir: dir });
    const file = path.join(dir, 'config.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      auths: { 'keep.example': { auth: b64('a:b') }, '127.0.0.1:5000': { auth: b64('u:p') } },
      psFormat: 'table {{.ID}}',
    });
    expect((await lstat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['config.json']);

    expect(await removeCredentials('127.0.0.1:5000', { configDir: dir })).toBe(true);
    expect(await removeCredentials('127.0.0.1:5000', { configDir: dir })).toBe(false);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      auths: { 'keep.example': { auth: b64('a:b') } },
      psFormat: 'table {{.ID}}',
    });
  });

  it('creates the config directory and writes through a symlinked config.json', async () => {
    const nested = path.join(dir, 'new', '.docker');
    await storeCredentials('docker.io', { username: 'u', password: 'p' }, { configDir: nested });
    expect(JSON.parse(await readFile(path.join(nested, 'config.json'), 'utf8'))).toEqual({
      auths: { 'https://index.docker.io/v1/': { auth: b64('u:p') } },
    });
    await writeFile(path.join(dir, 'real.json'), '{}');
    await symlink(path.join(dir, 'real.json'), path.join(dir, 'config.json'));
    await storeCredentials('r.example', { username: 'u', password: 'p' }, { configDir: dir });
    expect((await lstat(path.join(dir, 'config.json'))).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'real.json'), 'utf8'))).toEqual({
      auths: { 'r.example': { auth: b64('u:p') } },
    });
  });

  it('stores through the credential helper when one is configured', async () => {
    const env = await installHelper();
    await writeConfig({ credsStore: 'test' });
    const o = { configDir: dir, env };
    await storeCredentials('r.example', { username: 'u', password: 'secret' }, o);
    expect(JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'))).toEqual({
      credsStore: 'test',
      auths: { 'r.example': {} },
    });
    expect(await getCredentials('r.example', o)).toEqual({ username: 'u', password: 'secret' });
    expect(await removeCredentials('r.example', o)).toBe(true);
    expect(await getCredentials('r.example', o)).toBeUndefined();
    expect((await readFile(path.join(dir, 'helper-log'), 'utf8')).split('\n')).toEqual([
      'store {"ServerURL":"r.example","Username":"u","Secret":"secret"}',
      'get r.example',
      'erase r.example',
      'get r.example',
      '',
    ]);
  });
});
