// ADD <url> in real builds against a file served on loopback whose bytes and validators the test changes, as
// BuildKit's HTTP source keys it: by the downloaded content. An unchanged file is a cache hit after a
// conditional request answered 304 (no body sent); a changed file re-runs the ADD and every step after it; the
// same bytes under a new ETag stay cached; a server without validators is downloaded and its digest decides;
// with --checksum a cached build asks nothing. `tsbuild plan` says CACHED after a 304 and PENDING once the
// file changed. Errors (404, unreachable, checksum mismatch) name the Dockerfile line.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run as plan } from '../../cli/commands/plan/run.js';
import { exportFilesystem } from '../../executor/index.js';
import type { Store } from '../../image/index.js';
import { type FileServer, startFileServer } from '../executor/http-file-server.js';
import {
  buildIn,
  cachedSteps,
  freshDir,
  isolationUnavailable,
  removeFreshDirs,
  storeWithBusybox,
  writeContext,
} from './helpers.js';

/** `tsbuild plan CONTEXT` against the test store. */
async function planOf(context: string, root: string, json: boolean): Promise<string> {
  let out = '';
  let err = '';
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      err += t;
    },
    readStdin: async () => '',
    env: { TSBUILD_ROOT: root },
  };
  const code = await plan({ context, buildArgs: [], json }, io);
  if (code !== 0) throw new Error(`plan failed (${code}): ${err}`);
  return out;
}

function lineOf(error: Error | null): number | undefined {
  return (error as { details?: { line?: number } } | null)?.details?.line;
}

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

describe.skipIf(isolationUnavailable() !== undefined)('ADD <url>', () => {
  let server: FileServer;
  let store: Store;
  beforeAll(async () => {
    server = await startFileServer();
    store = await storeWithBusybox();
  });
  afterAll(async () => {
    await server.close();
    await removeFreshDirs();
  });
  beforeEach(() => {
    server.requests.length = 0;
  });

  /** A context holding `dockerfile`; `build()` builds it and exports the result's filesystem. */
  async function contextWith(dockerfile: string) {
    const ctx = await freshDir('c');
    await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
    const build = async () => {
      server.requests.length = 0;
      const run = await buildIn(store, ctx);
      let out: string | null = null;
      if (run.result !== null) {
        out = await freshDir('o');
        await exportFilesystem(store, run.result.fs, { type: 'local', dest: out });
      }
      return { ...run, out: out as string, requests: server.requests.map((r) => `${r.status} ${r.bodyBytes}`) };
    };
    return { ctx, build };
  }

  it('is cached after a 304, re-runs with the steps after it once the file changes, stays cached for the same bytes', async () => {
    server.files.set('/app/data.txt', { body: 'one\n', etag: '"v1"', lastModified: 1_700_000_000 });
    const url = `${server.base}/app/data.txt`;
    const add = `ADD ${url} /data/`;
    const runStep = 'RUN cat /data/data.txt > /copy';
    const { ctx, build } = await contextWith(`FROM busybox\n${add}\n${runStep}\n`);

    const first = await build();
    expect(first.error).toBeNull();
    expect(cachedSteps(first.log)).toEqual([]);
    expect(first.requests).toEqual(['200 4']);
    expect(await readFile(path.join(first.out, 'data/data.txt'), 'utf8')).toBe('one\n');
    const st = await stat(path.join(first.out, 'data/data.txt'));
    expect([st.mode & 0o7777, st.uid, st.gid, st.mtimeMs / 1000]).toEqual([0o600, 0, 0, 1_700_000_000]);

    // Unchanged: one conditional request, answered 304 without a body; both steps cached.
    const second = await build();
    expect(cachedSteps(second.log)).toEqual([`[2/3] ${add}`, `[3/3] ${runStep}`]);
    expect(server.requests.map((r) => [r.ifNoneMatch, r.status, r.bodyBytes])).toEqual([['"v1"', 304, 0]]);
    // `tsbuild plan` asks the same way and says CACHED.
    server.requests.length = 0;
    const cachedPlan = await planOf(ctx, store.root, false);
    expect(cachedPlan).toContain(`${add}  CACHED\n`);
    expect(cachedPlan).toContain(`${runStep}  CACHED\n`);
    expect(server.requests.map((r) => `${r.status} ${r.bodyBytes}`)).toEqual(['304 0']);

    // Changed: plan cannot know the new content without downloading it, and says so.
    server.files.set('/app/data.txt', { body: 'two!\n', etag: '"v2"', lastModified: 1_700_000_100 });
    const pending = `PENDING (keyed by the content of ${url})`;
    const changedPlan = await planOf(ctx, store.root, false);
    expect(changedPlan).toContain(`${add}  ${pending}\n`);
    expect(changedPlan).toContain(`${runStep}  ${pending}\n`);
    const json = JSON.parse(await planOf(ctx, store.root, true));
    const steps = json.stages[0].steps as { keyPending: boolean; status: string; reason: string; inputs: unknown }[];
    expect(steps.map((s) => [s.keyPending, s.status, s.reason])).toEqual([
      [true, 'pending', `keyed by the content of ${url}`],
      [true, 'pending', `keyed by the content of ${url}`],
    ]);
    expect(steps[0].inputs).toEqual([{ type: 'url', url }]);

    // The build downloads it: the ADD and the RUN after it run, and the image has the new bytes.
    const third = await build();
    expect(cachedSteps(third.log)).toEqual([]);
    expect(third.requests).toEqual(['200 5']);
    expect(await readFile(path.join(third.out, 'copy'), 'utf8')).toBe('two!\n');

    // The same bytes under a new ETag: downloaded again, and still a cache hit.
    server.files.set('/app/data.txt', { body: 'two!\n', etag: '"v3"', lastModified: 1_700_000_100 });
    const fourth = await build();
    expect(fourth.requests).toEqual(['200 5']);
    expect(cachedSteps(fourth.log)).toEqual([`[2/3] ${add}`, `[3/3] ${runStep}`]);
    // And back to 304s with the new ETag.
    const fifth = await build();
    expect(server.requests.map((r) => [r.ifNoneMatch, r.status])).toEqual([['"v3"', 304]]);
    expect(cachedSteps(fifth.log)).toEqual([`[2/3] ${add}`, `[3/3] ${runStep}`]);
  }, 180_000);

  it('downloads from a server without ETag or Last-Modified each time: the content digest decides', async () => {
    server.files.set('/plain/v.txt', { body: 'a\n', etag: null, lastModified: null });
    const add = `ADD ${server.base}/plain/v.txt /v.txt`;
    const runStep = 'RUN cat /v.txt > /seen';
    const { build } = await contextWith(`FROM busybox\n${add}\n${runStep}\n`);
    expect((await build()).error).toBeNull();
    const same = await build();
    expect(same.requests).toEqual(['200 2']);
    expect(server.requests.map((r) => [r.ifNoneMatch, r.ifModifiedSince])).toEqual([[null, null]]);
    expect(cachedSteps(same.log)).toEqual([`[2/3] ${add}`, `[3/3] ${runStep}`]);
    server.files.set('/plain/v.txt', { body: 'b\n', etag: null, lastModified: null });
    const changed = await build();
    expect(cachedSteps(changed.log)).toEqual([]);
    expect(await readFile(path.join(changed.out, 'seen'), 'utf8')).toBe('b\n');
    // Without Last-Modified the file is dated 1970-01-01, as BuildKit dates it (not by the build's clock).
    expect((await stat(path.join(changed.out, 'v.txt'))).mtimeMs).toBe(0);
  }, 180_000);

  it('with --checksum: a cached build sends no request at all; a step that runs verifies the body', async () => {
    server.files.set('/pinned/p.txt', { body: 'pinned\n', etag: '"p"', lastModified: 1_700_000_000 });
    const add = `ADD --checksum=${sha('pinned\n')} ${server.base}/pinned/p.txt /p.txt`;
    const { ctx, build } = await contextWith(`FROM busybox\n${add}\nRUN cat /p.txt > /seen\n`);
    const first = await build();
    expect(first.error).toBeNull();
    expect(first.requests).toEqual(['200 7']);
    expect(await readFile(path.join(first.out, 'seen'), 'utf8')).toBe('pinned\n');
    const second = await build();
    expect(cachedSteps(second.log)).toEqual([`[2/3] ${add}`, '[3/3] RUN cat /p.txt > /seen']);
    expect(second.requests).toEqual([]);
    // Its key is final: plan knows it is cached without asking either.
    const planned = await planOf(ctx, store.root, false);
    expect(planned).toContain(`${add}  CACHED\n`);
    expect(server.requests).toEqual([]);

    // Another file with the same name and checksum at another URL is the same step (BuildKit keys no URL).
    server.files.set('/mirror/p.txt', { body: 'pinned\n', etag: null, lastModified: null });
    const mirror = `ADD --checksum=${sha('pinned\n')} ${server.base}/mirror/p.txt /p.txt`;
    const mirrored = await (await contextWith(`FROM busybox\n${mirror}\nRUN cat /p.txt > /seen\n`)).build();
    expect(cachedSteps(mirrored.log)).toEqual([`[2/3] ${mirror}`, '[3/3] RUN cat /p.txt > /seen']);
    expect(mirrored.requests).toEqual([]);

    // A body that does not match fails the step at its line.
    server.files.set('/pinned/p.txt', { body: 'tampered\n', etag: '"t"', lastModified: 1_700_000_000 });
    const bad = `ADD --checksum=${sha('pinned\n')} ${server.base}/pinned/p.txt /other.txt`;
    const failed = await (await contextWith(`FROM busybox\nRUN true\n${bad}\n`)).build();
    expect(failed.error?.message).toBe(`digest mismatch ${sha('tampered\n')}: ${sha('pinned\n')}`);
    expect(lineOf(failed.error)).toBe(3);
  }, 180_000);

  it('errors a user can act on name the Dockerfile line: a 404, an unreachable host', async () => {
    const missing = await (await contextWith(`FROM busybox\nRUN true\nADD ${server.base}/nothing /n\n`)).build();
    expect(missing.error?.message).toBe(`invalid response status 404 for ${server.base}/nothing`);
    expect(lineOf(missing.error)).toBe(3);

    const gone = await startFileServer();
    await gone.close();
    const port = new URL(gone.base).port;
    const unreachable = await (await contextWith(`FROM busybox\nADD http://127.0.0.1:${port}/f /f\n`)).build();
    expect(unreachable.error?.message).toBe(
      `failed to load http://127.0.0.1:${port}/f: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(lineOf(unreachable.error)).toBe(2);
  }, 180_000);
});
