// `tsbuild logout`: forgets saved credentials, leaving the rest of the Docker config alone.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/logout/run.js';
import { capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
let env: Record<string, string>;
let configFile: string;

beforeEach(async () => {
  t = await tempStore();
  env = { DOCKER_CONFIG: path.join(t.dir, 'docker'), HOME: t.dir };
  configFile = path.join(env['DOCKER_CONFIG']!, 'config.json');
  await mkdir(env['DOCKER_CONFIG']!);
  await writeFile(
    configFile,
    JSON.stringify({
      auths: { 'localhost:5000': { auth: 'dTpw' }, 'https://index.docker.io/v1/': { auth: 'dTpw' } },
      psFormat: 'table',
    }),
  );
});
afterEach(async () => {
  await t.cleanup();
});

describe('tsbuild logout', () => {
  it('removes one registry’s credentials', async () => {
    const c = capture({ env });
    expect(await run({ server: 'localhost:5000' }, c.io)).toBe(0);
    expect(c.out()).toBe('Removing login credentials for localhost:5000\n');
    const config = JSON.parse(await readFile(configFile, 'utf8'));
    expect(config).toEqual({ auths: { 'https://index.docker.io/v1/': { auth: 'dTpw' } }, psFormat: 'table' });
  });

  it('defaults to Docker Hub and says when there is nothing to remove', async () => {
    const hub = capture({ env });
    expect(await run({}, hub.io)).toBe(0);
    expect(hub.out()).toBe('Removing login credentials for docker.io\n');
    const again = capture({ env });
    expect(await run({}, again.io)).toBe(0);
    expect(again.out()).toBe('Not logged in to docker.io\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const result = await runCli(['logout', 'localhost:5000'], env);
    expect(result).toEqual({ code: 0, stdout: 'Removing login credentials for localhost:5000\n', stderr: '' });
  });
});
