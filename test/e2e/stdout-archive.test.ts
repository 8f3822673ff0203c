// `--output type=…,dest=-` through the compiled CLI when the reader of standard output goes away early (`| head`):
// the build fails with the write's error (EPIPE) and exit status 1, and nothing else. Before, the tar and oci
// exporters died of an unhandled 'error' event with a Node stack trace on stderr.
import { spawn } from 'node:child_process';
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

/** Runs the CLI, reads the first chunk of its standard output, then closes the pipe. */
function buildClosingStdout(store: Store, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundledCli, 'build', ...args], {
      env: { ...process.env, TSBUILD_ROOT: store.root },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe.skipIf(bundledCliUnavailable() !== undefined)('an archive on standard output whose reader goes away', () => {
  afterAll(removeFreshDirs);
  let store: Store;
  let ctx: string;
  beforeAll(async () => {
    store = await storeWithBusybox();
    ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: 'FROM busybox\nCOPY Dockerfile /\n' }]);
  });

  for (const type of ['tar', 'oci', 'docker']) {
    it(`type=${type}: fails with EPIPE, no stack trace`, async () => {
      const ran = await buildClosingStdout(store, ['-q', '-o', `type=${type},dest=-`, ctx]);
      expect(ran).toEqual({ code: 1, stderr: 'ERROR: write EPIPE\n' });
    });
  }
});
