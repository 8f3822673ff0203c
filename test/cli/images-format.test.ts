// `tsbuild images --format/--digests/--no-trunc/--filter`: docker's formatter on a real store.

import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/images/run.js';
import { type ImageConfig, OciMediaType } from '../../image/index.js';
import { buildImage, capture, distBuilt, importImage, runCli, storePerTestInUtc } from './image-helpers.js';

const store = storePerTestInUtc();

const now = Date.parse('2020-01-02T05:04:05Z');

async function images(opts: Parameters<typeof run>[0]) {
  const c = capture();
  const code = await run({ root: store().root, now, ...opts }, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** An image created at `created` with `labels`, tagged `name`. */
async function labelled(name: string, created: string, labels: Record<string, string>) {
  const built = await buildImage(store().store, undefined, name);
  const image = await store().store.resolve(built.manifestDigest);
  const config: ImageConfig = { ...image.config, created, config: { ...image.config.config, Labels: labels } };
  const descriptor = await store().store.putConfig(config);
  const manifest = await store().store.putManifest({ ...image.manifest, config: descriptor });
  await store().store.tag(name, manifest.digest);
  return { id: descriptor.digest, manifest: manifest.digest };
}

describe('tsbuild images --format', () => {
  it('applies a template to each row, one line each (docker docs: {{.ID}}: {{.Repository}})', async () => {
    const built = await buildImage(store().store, 'alpine:3');
    await store().store.tag('localhost:5000/team/app:v1', built.manifestDigest);
    const id = built.configDigest.slice(7, 19);
    expect(await images({ format: '{{.ID}}: {{.Repository}}' })).toEqual({
      code: 0,
      out: `${id}: alpine\n${id}: localhost:5000/team/app\n`,
      err: '',
    });
    expect((await images({ format: '{{.Repository}}:{{.Tag}}' })).out).toBe('alpine:3\nlocalhost:5000/team/app:v1\n');
  });

  it('prints a table with a header row for `table`, columns at \\t', async () => {
    const built = await buildImage(store().store, 'alpine:3');
    const id = built.configDigest.slice(7, 19);
    expect((await images({ format: 'table {{.ID}}\\t{{.Repository}}\\t{{.Tag}}' })).out).toBe(
      ['IMAGE ID       REPOSITORY   TAG', `${id}   alpine       3`, ''].join('\n'),
    );
    // The default format is the same table as before.
    expect((await images({ format: 'table' })).out).toBe((await images({})).out);
    // Header functions leave the column names as they are.
    expect((await images({ format: 'table {{lower .Repository}}\\t{{.CreatedAt}}' })).out).toBe(
      ['REPOSITORY   CREATED AT', 'alpine       2020-01-02 03:04:05 +0000 UTC', ''].join('\n'),
    );
  });

  it('prints one JSON object per row for `json`, as docker does', async () => {
    const built = await buildImage(store().store, 'alpine:3');
    const { out } = await images({ format: 'json' });
    expect(out).toBe(
      `{"Containers":"N/A","CreatedAt":"2020-01-02 03:04:05 +0000 UTC","CreatedSince":"2 hours ago","Digest":"\\u003cnone\\u003e",` +
        `"ID":"${built.configDigest.slice(7, 19)}","Repository":"alpine","SharedSize":"N/A","Size":"15B","Tag":"3",` +
        `"UniqueSize":"N/A","VirtualSize":"15B"}\n`,
    );
  });

  it('shows digests with --digests or {{.Digest}}, full IDs with --no-trunc', async () => {
    const built = await buildImage(store().store, 'alpine:3');
    const id = built.configDigest.slice(7, 19);
    expect((await images({ digests: true })).out).toBe(
      [
        'REPOSITORY   TAG       DIGEST                                                                    IMAGE ID       CREATED       SIZE',
        `alpine       3         ${built.manifestDigest}   ${id}   2 hours ago   15B`,
        '',
      ].join('\n'),
    );
    expect((await images({ format: '{{.Digest}}' })).out).toBe(`${built.manifestDigest}\n`);
    expect((await images({ format: 'table {{.Tag}}', digests: true })).out).toBe(
      `TAG       DIGEST\n3         ${built.manifestDigest}\n`,
    );
    expect((await images({ format: '{{.ID}}', noTrunc: true })).out).toBe(`${built.configDigest}\n`);
    expect((await images({ quiet: true, noTrunc: true })).out).toBe(`${built.configDigest}\n`);
  });

  it('fails on a bad template as docker does, printing nothing else', async () => {
    await buildImage(store().store, 'alpine:3');
    expect(await images({ format: '{{.Foo}}' })).toEqual({
      code: 1,
      out: '',
      err: 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.imageContext\n',
    });
    expect(await images({ format: '{{.ID' })).toEqual({
      code: 1,
      out: '',
      err: 'template parsing error: template: :1: unclosed action\n',
    });
  });
});

describe('tsbuild images --filter', () => {
  it('keeps dangling or tagged images, and the references that match a pattern', async () => {
    await buildImage(store().store, 'alpine:3');
    await buildImage(store().store, 'alpine:edge', 'b');
    await buildImage(store().store, 'localhost:5000/team/app:v1', 'c');
    const untagged = await buildImage(store().store, undefined, 'd');
    const manifestSize = (await stat(store().store.blobPath(untagged.manifestDigest))).size;
    await store().store.keepDangling({
      mediaType: OciMediaType.manifest,
      digest: untagged.manifestDigest,
      size: manifestSize,
    });
    const names = async (opts: Parameters<typeof run>[0]) =>
      (await images({ ...opts, format: '{{.Repository}}:{{.Tag}}' })).out.split('\n').filter(Boolean).sort();
    expect(await names({ filters: ['dangling=true'] })).toEqual(['<none>:<none>']);
    expect(await names({ filters: ['dangling=false'] })).toEqual([
      'alpine:3',
      'alpine:edge',
      'localhost:5000/team/app:v1',
    ]);
    expect(await names({ filters: ['reference=alpine'] })).toEqual(['alpine:3', 'alpine:edge']);
    expect(await names({ filters: ['reference=alpine:e*'] })).toEqual(['alpine:edge']);
    expect(await names({ filters: ['reference=*/team/*'] })).toEqual(['localhost:5000/team/app:v1']);
    expect(await names({ filters: ['reference=alpine:3', 'reference=*/*/app:*'] })).toEqual([
      'alpine:3',
      'localhost:5000/team/app:v1',
    ]);
    // The REPOSITORY[:TAG] operand is a reference filter.
    expect(await names({ reference: 'alpine:3' })).toEqual(['alpine:3']);
  });

  it('keeps images created before or since another one, or until a time', async () => {
    await labelled('old:1', '2019-01-01T00:00:00Z', {});
    await labelled('mid:1', '2019-06-01T00:00:00Z', {});
    await labelled('new:1', '2020-01-01T00:00:00Z', {});
    const names = async (filters: string[]) =>
      (await images({ filters, format: '{{.Repository}}' })).out.split('\n').filter(Boolean);
    expect(await names(['before=mid:1'])).toEqual(['old']);
    expect(await names(['since=mid:1'])).toEqual(['new']);
    expect(await names(['since=old:1', 'before=new:1'])).toEqual(['mid']);
    expect(await names(['until=2019-07-01T00:00:00Z'])).toEqual(['mid', 'old']);
    expect(await names(['until=4000h'])).toEqual(['mid', 'old']);
  });

  it('matches labels as the containerd image store does', async () => {
    await labelled('a:1', '2019-01-01T00:00:00Z', { team: 'x', tier: 'web' });
    await labelled('b:1', '2019-01-02T00:00:00Z', { team: 'y' });
    await labelled('c:1', '2019-01-03T00:00:00Z', {});
    const names = async (filters: string[]) =>
      (await images({ filters, format: '{{.Repository}}' })).out.split('\n').filter(Boolean);
    expect(await names(['label=team'])).toEqual(['b', 'a']);
    expect(await names(['label=team=x'])).toEqual(['a']);
    expect(await names(['label=team', 'label=tier=web'])).toEqual(['a']);
    expect(await names(['label=team!=x'])).toEqual(['b']);
    expect(await names(['label!=team'])).toEqual(['c']);
  });

  it('rejects filters docker rejects, with its messages', async () => {
    await importImage(store().store, 'base');
    expect(await images({ filters: ['dangling'] })).toEqual({
      code: 1,
      out: '',
      err: 'Error: invalid argument "dangling" for "-f, --filter" flag: bad format of filter (expected name=value)\n',
    });
    expect((await images({ filters: ['color=red'] })).err).toBe("Error: invalid filter 'color'\n");
    expect((await images({ filters: ['dangling=maybe'] })).err).toBe("Error: invalid filter 'dangling=maybe'\n");
    expect((await images({ filters: ['reference=[a'] })).err).toBe('Error: syntax error in pattern\n');
    expect((await images({ filters: ['before=nothing:1'] })).err).toBe('Error: No such image: nothing:1\n');
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const built = await buildImage(store().store, 'alpine:3');
    await buildImage(store().store, 'other:1', 'b');
    const result = await runCli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '-f', 'reference=alpine'], {
      TSBUILD_ROOT: store().root,
    });
    expect(result).toEqual({ code: 0, stdout: `alpine:3 ${built.configDigest.slice(7, 19)}\n`, stderr: '' });
  });
});
