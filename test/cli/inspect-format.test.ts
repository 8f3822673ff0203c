// `tsbuild inspect -f/--format`: docker's TemplateInspector on real stores — Go's struct first, then the JSON
// decoded into maps with missingkey=error; one line per image; exit 64 for a template that does not parse.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../cli/commands/inspect/run.js';
import { buildImage, capture, distBuilt, runCli, type TempStore, tempStore } from './image-helpers.js';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

async function inspect(format: string, images: string[]) {
  const c = capture();
  const code = await run({ root: t.root, images, format }, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('tsbuild inspect -f', () => {
  it('prints one line per image: {{.Id}} (the JSON name) and {{.ID}} (the Go field) alike', async () => {
    const a = await buildImage(t.store, 'a:1');
    const b = await buildImage(t.store, 'b:1', 'b');
    expect(await inspect('{{.Id}}', ['a:1', 'b:1'])).toEqual({
      code: 0,
      out: `${a.configDigest}\n${b.configDigest}\n`,
      err: '',
    });
    expect((await inspect('{{.ID}} {{.Os}}/{{.Architecture}} {{.Size}}', ['a:1'])).out).toBe(
      `${a.configDigest} linux/amd64 15\n`,
    );
  });

  it('reads nested fields, ranges, index, json and docker functions as docker does', async () => {
    const built = await buildImage(t.store, 'alpine:3');
    await t.store.tag('localhost:5000/team/app:v1', built.manifestDigest);
    const image = await t.store.resolve('alpine:3');
    const out = async (format: string) => (await inspect(format, ['alpine:3'])).out;
    expect(await out('{{.Config.WorkingDir}} {{.Config.Cmd}} {{json .Config.Env}}')).toBe(
      '/app [/bin/sh] ["PATH=/usr/bin:/bin","A=1"]\n',
    );
    expect(await out('{{range .Config.Env}}{{println .}}{{end}}')).toBe('PATH=/usr/bin:/bin\nA=1\n\n');
    expect(await out('{{index .RepoTags 1}} {{len .RootFS.Layers}} {{join .RepoTags ","}}')).toBe(
      'localhost:5000/team/app:v1 2 alpine:3,localhost:5000/team/app:v1\n',
    );
    expect(await out('{{json .RootFS}}')).toBe(
      `{"Type":"layers","Layers":${JSON.stringify(image.config.rootfs.diff_ids)}}\n`,
    );
    expect(await out('{{.Created}} {{.Metadata.LastTagTime}}')).toBe(
      '2020-01-02T03:04:05Z 0001-01-01 00:00:00 +0000 UTC\n',
    );
    expect(await out('{{if gt .Size 10}}big{{else}}small{{end}}')).toBe('big\n');
    // `json` is the compact array, one line.
    const compact = await out('json');
    expect(JSON.parse(compact)[0].Id).toBe(built.configDigest);
    expect(compact.split('\n')).toHaveLength(2);
  });

  it('prints <no value> for a missing label, "" through index, and fails on a missing field', async () => {
    await buildImage(t.store, 'a:1');
    expect((await inspect('{{.Config.Labels.foo}}|{{index .Config.Labels "foo"}}|{{.Variant}}', ['a:1'])).out).toBe(
      '<no value>||\n',
    );
    // Neither Go's struct nor the JSON has it: the JSON's missingkey=error is what docker reports.
    expect(await inspect('{{.Foo}}', ['a:1'])).toEqual({
      code: 1,
      out: '\n',
      err: 'template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"\n',
    });
    expect((await inspect('{{.Config.Foo}}', ['a:1'])).err).toBe(
      'template parsing error: template: :1:9: executing "" at <.Config.Foo>: map has no entry for key "Foo"\n',
    );
  });

  it('prints what the config lacks as Go prints nil: [] and map[], null as JSON', async () => {
    await buildImage(t.store, 'a:1');
    expect(
      (
        await inspect('{{.Config.Entrypoint}} {{.Config.Labels}} {{json .Config.Labels}} {{json .Config.Entrypoint}}', [
          'a:1',
        ])
      ).out,
    ).toBe('[] map[] null null\n');
  });

  it('exits 64 for a template that does not parse, before reading anything', async () => {
    expect(await inspect('{{.Id', ['nothing'])).toEqual({
      code: 64,
      out: '',
      err: 'template parsing error: template: :1: unclosed action\n',
    });
    expect((await inspect('{{nosuch .Id}}', ['nothing'])).err).toBe(
      'template parsing error: template: :1: function "nosuch" not defined\n',
    );
  });

  it('prints what it found and reports the missing images', async () => {
    const a = await buildImage(t.store, 'a:1');
    expect(await inspect('{{.Id}}', ['nothing', 'a:1'])).toEqual({
      code: 1,
      out: `${a.configDigest}\n`,
      err: 'Error: No such image: nothing:latest\n',
    });
  });

  it.skipIf(!distBuilt())('runs through the compiled CLI', async () => {
    const a = await buildImage(t.store, 'a:1');
    const env = { TSBUILD_ROOT: t.root };
    expect(await runCli(['inspect', '-f', '{{.Id}}', 'a:1'], env)).toEqual({
      code: 0,
      stdout: `${a.configDigest}\n`,
      stderr: '',
    });
    expect(await runCli(['inspect', '--format={{.Os}}', 'a:1'], env)).toEqual({
      code: 0,
      stdout: 'linux\n',
      stderr: '',
    });
  });
});
