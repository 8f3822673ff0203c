// `tsbuild history`: newest first, `<missing>` below the top, Docker's layer sizes (content, not tar bytes),
// 45-column CREATED BY.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/history/run.js';
import { buildImage, capture, distBuilt, importImage, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const now = Date.parse('2020-01-04T03:04:05Z');

describe('tsbuild history', () => {
  it('prints Docker columns, truncated', async () => {
    const built = await buildImage(t.store, 'app:1');
    const c = capture();
    expect(await run({ root: t.root, image: 'app:1', now }, c.io)).toBe(0);
    expect(c.out()).toBe(
      [
        'IMAGE          CREATED      CREATED BY                                      SIZE      COMMENT',
        `${built.configDigest.slice(7, 19)}   2 days ago   COPY app/run.sh /app/run.sh # a long line th…   7B        buildkit.dockerfile.v0`,
        '<missing>      2 days ago   ENV A=1                                         0B        buildkit.dockerfile.v0',
        '<missing>      2 days ago   /bin/sh -c #(nop) ADD file:0123456789abcdef …   8B        ',
        '',
      ].join('\n'),
    );
  });

  it('shows a layer adding one 2-byte file as 2B, not the 2.05kB of its tar', async () => {
    const imported = await importImage(t.store, 'two', { 'x/y': 'hi' });
    const c = capture();
    expect(await run({ root: t.root, image: 'two', now }, c.io)).toBe(0);
    expect(c.out()).toBe(
      [
        'IMAGE          CREATED      CREATED BY   SIZE      COMMENT',
        `${imported.configDigest.slice(7, 19)}   2 days ago                2B        Imported from -`,
        '',
      ].join('\n'),
    );
  });

  it('prints full text with --no-trunc and IDs with -q', async () => {
    const built = await buildImage(t.store, 'app:1');
    const c = capture();
    expect(await run({ root: t.root, image: 'app:1', noTrunc: true, now }, c.io)).toBe(0);
    expect(c.out()).toContain(`${built.configDigest}   2 days ago`);
    expect(c.out()).toContain('COPY app/run.sh /app/run.sh # a long line that Docker truncates at 45 characters   ');
    const q = capture();
    expect(await run({ root: t.root, image: 'app:1', quiet: true }, q.io)).toBe(0);
    expect(q.out()).toBe(`${built.configDigest.slice(7, 19)}\n<missing>\n<missing>\n`);
  });

  it('fails with a message a user can act on', async () => {
    const c = capture();
    expect(await run({ root: t.root, image: 'foo' }, c.io)).toBe(1);
    expect(c.err()).toBe('Error: No such image: foo:latest\n');
    expect(c.out()).toBe('');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await buildImage(t.store, 'app:1');
    const result = await runCli(['history', '-q', 'app:1'], { TSBUILD_ROOT: t.root });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toHaveLength(4);
    const missing = await runCli(['history', 'foo'], { TSBUILD_ROOT: t.root });
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Error: No such image: foo:latest\n' });
  });
});
