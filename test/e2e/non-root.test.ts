// tsbuild run by a user other than root: the build fails at the first overlay mount (RUN needs one), and the
// error says why instead of a bare EPERM: there is no rootless mode.
import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../image/index.js';
import {
  bundledCli,
  bundledCliUnavailable,
  freshDir,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

const nobody = 65534;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(child, uid);
    else await chown(child, uid, uid);
  }
}

describe.skipIf(bundledCliUnavailable() !== undefined || !setpriv)('tsbuild build as a user other than root', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nRUN true\n' }]);
    await chownTree(store.root, nobody);
  });

  it('fails the RUN saying that mounting overlays needs root', async () => {
    // The test dirs must be reachable for the user (they are under the repository's .tsbuild-test/).
    expect((await stat(ctx)).mode & 0o005).toBe(0o005);
    // A launcher dir root's dead process left in /tmp, which this user may not remove: not its business (before,
    // the build failed with EACCES on it whenever its pid was a dead root process's).
    const stale = path.join(tmpdir(), `tsbuild-launch-${2 ** 22 + 4321}-planted`);
    await mkdir(path.join(stale, 'inner'), { recursive: true, mode: 0o700 });
    await chmod(stale, 0o700);
    const ran = spawnSync(
      'setpriv',
      [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', process.execPath, bundledCli, 'build', '-q', ctx],
      { env: { ...process.env, TSBUILD_ROOT: store.root, HOME: store.root }, encoding: 'utf8' },
    );
    await rm(stale, { recursive: true, force: true });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain(`EPERM (tsbuild runs as uid ${nobody}: mounting overlays needs root; run it as root)`);
  });
});
