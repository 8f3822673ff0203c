// `tsbuild history --format / -H=false`: docker's history context on a real image.
import { unlink } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/history/run.js';
import { buildImage, capture, distBuilt, runCli, storePerTestInUtc } from './image-helpers.js';

const store = storePerTestInUtc();

const now = Date.parse('2020-01-30T03:04:05Z');

async function history(opts: { format?: string; human?: boolean; noTrunc?: boolean }) {
  const c = capture();
  const code = await run({ root: store().root, image: 'app:1', now, ...opts }, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('tsbuild history --format', () => {
  it('applies a template to each row (docker docs: {{.ID}}: {{.CreatedSince}})', async () => {
    const built = await buildImage(store().store, 'app:1');
    expect(await history({ format: '{{.ID}}: {{.CreatedSince}}' })).toEqual({
      code: 0,
      out: `${built.configDigest.slice(7, 19)}: 4 weeks ago\n<missing>: 4 weeks ago\n<missing>: 4 weeks ago\n`,
      err: '',
    });
    expect((await history({ format: '{{.Size}}|{{.Comment}}|{{.CreatedBy}}' })).out).toBe(
      [
        '7B|buildkit.dockerfile.v0|COPY app/run.sh /app/run.sh # a long line th…',
        '0B|buildkit.dockerfile.v0|ENV A=1',
        '8B||/bin/sh -c #(nop) ADD file:0123456789abcdef …',
        '',
      ].join('\n'),
    );
  });

  it('prints tables and JSON as docker does', async () => {
    await buildImage(store().store, 'app:1');
    expect((await history({ format: 'table {{.CreatedBy}}\\t{{.Size}}', noTrunc: true })).out).toBe(
      [
        // The widest cell (80 characters) and tabwriter's padding of 3.
        `${'CREATED BY'.padEnd(83)}SIZE`,
        `${'COPY app/run.sh /app/run.sh # a long line that Docker truncates at 45 characters'.padEnd(83)}7B`,
        `${'ENV A=1'.padEnd(83)}0B`,
        `${'/bin/sh -c #(nop) ADD file:0123456789abcdef in / '.padEnd(83)}8B`,
        '',
      ].join('\n'),
    );
    const json = (await history({ format: 'json' })).out.split('\n');
    expect(json[1]).toBe(
      '{"Comment":"buildkit.dockerfile.v0","CreatedAt":"2020-01-02T03:04:05Z","CreatedBy":"ENV A=1",' +
        '"CreatedSince":"4 weeks ago","ID":"\\u003cmissing\\u003e","Size":"0B"}',
    );
  });

  it('prints bytes and RFC 3339 times with -H=false', async () => {
    const built = await buildImage(store().store, 'app:1');
    expect((await history({ human: false })).out.split('\n').slice(0, 2)).toEqual([
      'IMAGE          CREATED AT             CREATED BY                                      SIZE      COMMENT',
      `${built.configDigest.slice(7, 19)}   2020-01-02T03:04:05Z   COPY app/run.sh /app/run.sh # a long line th…   7         buildkit.dockerfile.v0`,
    ]);
  });

  it('reads no layer for output without sizes (-q, {{.ID}})', async () => {
    const built = await buildImage(store().store, 'app:1');
    for (const layer of (await store().store.resolve('app:1')).manifest.layers)
      await unlink(store().store.blobPath(layer.digest));
    const id = built.configDigest.slice(7, 19);
    expect((await history({ format: '{{.ID}} {{.CreatedBy}}' })).out.split('\n')[0]).toBe(
      `${id} COPY app/run.sh /app/run.sh # a long line th…`,
    );
    const c = capture();
    expect(await run({ root: store().root, image: 'app:1', quiet: true }, c.io)).toBe(0);
    expect(c.out()).toBe(`${id}\n<missing>\n<missing>\n`);
  });

  it('fails on a bad template as docker does', async () => {
    await buildImage(store().store, 'app:1');
    expect(await history({ format: '{{.Repository}}' })).toEqual({
      code: 1,
      out: '',
      err: 'template parsing error: template: :1:2: executing "" at <.Repository>: can\'t evaluate field Repository in type *image.historyContext\n',
    });
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    await buildImage(store().store, 'app:1');
    const result = await runCli(['history', '--format', '{{.Size}}', 'app:1'], { TSBUILD_ROOT: store().root });
    expect(result).toEqual({ code: 0, stdout: '7B\n0B\n8B\n', stderr: '' });
  });
});
