// The slow Debian group (runs in CI): a bookworm minbase rootfs made with debootstrap from the Debian
// mirror this machine's apt uses (cached under .tsbuild-test/fixtures), `tsbuild import`ed, then the
// docker-registry-style Dockerfile — `apt-get update && apt-get install … && rm -rf
// /var/lib/apt/lists/*` — built with `tsbuild build`, and the result run with `tsbuild run`.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as buildCommand } from '../../cli/commands/build/run.js';
import { run as importCommand } from '../../cli/commands/import/run.js';
import { runArgv } from '../../cli/commands/run/run.js';
import { debianFixtureUnavailable, ensureDebianTarball } from '../../fixtures/debian-rootfs.js';
import { testRoot } from '../executor/helpers.js';
import { freshDir, isolationUnavailable, removeFreshDirs, writeContext } from './helpers.js';

const unavailable = isolationUnavailable() ?? (await debianFixtureUnavailable());
if (unavailable !== undefined) console.warn(`skipping the Debian e2e group: ${unavailable}`);

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function capture() {
  let stdout = '';
  let stderr = '';
  const text = (data: string | Uint8Array) => (typeof data === 'string' ? data : Buffer.from(data).toString());
  return {
    io: {
      stdout: (data: string | Uint8Array) => {
        stdout += text(data);
      },
      stderr: (data: string | Uint8Array) => {
        stderr += text(data);
      },
      env: process.env,
    },
    done: (code: number): Captured => ({ code, stdout, stderr }),
  };
}

describe.skipIf(unavailable !== undefined)('Debian base image (debootstrap bookworm)', () => {
  afterAll(removeFreshDirs);
  let root: string;

  beforeAll(async () => {
    // The first run downloads and unpacks about 40 MB of packages (minutes); later runs reuse the tarball.
    const tarball = await ensureDebianTarball(path.join(testRoot, 'fixtures', 'debian-bookworm.tar'));
    root = await freshDir('s');
    const imported = capture();
    const code = await importCommand({ file: tarball, name: 'debian:bookworm', root }, imported.io);
    expect(imported.done(code)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^sha256:[0-9a-f]{64}\n$/) });
  }, 15 * 60_000);

  it(
    'builds the apt-get install pattern and runs the installed program',
    async () => {
      const ctx = await freshDir('c');
      await writeContext(ctx, [
        {
          path: 'Dockerfile',
          content: [
            'FROM debian:bookworm',
            'RUN apt-get update \\',
            '    && apt-get install -y --no-install-recommends jq \\',
            '    && rm -rf /var/lib/apt/lists/*',
            'CMD ["jq", "--version"]',
            '',
          ].join('\n'),
        },
      ]);
      const built = capture();
      const code = await buildCommand(
        {
          context: ctx,
          tags: ['deb-jq:1'],
          buildArgs: [],
          labels: [],
          noCache: false,
          progress: 'plain',
          quiet: false,
          outputs: [],
          secrets: [],
          root,
        },
        built.io,
      );
      const result = built.done(code);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^#\d+ \d+\.\d+ Setting up jq /m);

      const version = capture();
      expect(await runArgv(['--rm', '--root', root, 'deb-jq:1'], version.io)).toBe(0);
      expect(version.done(0).stdout).toMatch(/^jq-1\.\d+\n$/);

      const filtered = capture();
      const filter = ['--root', root, 'deb-jq:1', 'sh', '-c', `echo '{"a":[1,2,3]}' | jq -c '.a | map(. * 2)'`];
      expect(await runArgv(filter, filtered.io)).toBe(0);
      expect(filtered.done(0).stdout).toBe('[2,4,6]\n');

      // The cleanup in the same RUN keeps the package lists out of the image.
      const lists = capture();
      expect(await runArgv(['--root', root, 'deb-jq:1', 'ls', '-A', '/var/lib/apt/lists'], lists.io)).toBe(0);
      expect(lists.done(0).stdout).toBe('');
    },
    10 * 60_000,
  );
});
