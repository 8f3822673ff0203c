// The recipe of a RUN layer kept as its snapshot (a layer of big files: layer-commit.ts, image/store/layer-recipe.ts)
// is written beside the next steps and the image commit (fs-step.ts, Store.putLayerRecipeDeferred), tracked as the
// layer's commit: nothing names the layer (a cache record, an image record, a tag) before the recipe is durable, and
// a recipe that cannot be written fails the build as the RUN's error, naming nothing. The recipe's write is gated
// here (vi.mock of layer-recipe.ts) until the image's config blob is being synced, so a stage that waited for the
// recipe would only reach its image commit once the gate gives up.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BuildError } from '../../executor/index.js';
import { Store, type SyncBlobFile } from '../../image/index.js';
import { buildIn, freshDir, isolationUnavailable, removeFreshDirs, storeWithBusybox, writeContext } from './helpers.js';
import { namedDigests } from './store-names.js';

type Mode = 'gate' | 'fail';

const control = vi.hoisted(() => {
  const state = {
    mode: 'gate' as Mode,
    events: [] as string[],
    gaveUp: false,
    configSyncing: Promise.resolve(),
    syncConfig: () => {},
    reset(mode: Mode) {
      state.mode = mode;
      state.events = [];
      state.gaveUp = false;
      state.configSyncing = new Promise((resolve) => {
        state.syncConfig = resolve;
      });
    },
  };
  return state;
});

vi.mock('../../image/store/layer-recipe.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../image/store/layer-recipe.js')>();
  return {
    ...original,
    async writeRecipe(...args: Parameters<typeof original.writeRecipe>) {
      await Promise.race([
        control.configSyncing,
        new Promise<void>((resolve) => setTimeout(resolve, 2000)).then(() => {
          control.gaveUp = true;
        }),
      ]);
      if (control.mode === 'fail') {
        control.events.push('recipe failed');
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      await original.writeRecipe(...args);
      control.events.push('recipe written');
    },
  };
});

afterAll(removeFreshDirs);

const dockerfile = 'FROM busybox\nRUN head -c 262144 /dev/zero > /big\nCMD ["sh"]\n';

describe.skipIf(isolationUnavailable() !== undefined)(
  'the recipe of a RUN layer written beside the image commit',
  () => {
    let store: Store;
    /** What the index and the build cache named when the image's config was synced. */
    let namedAtConfig: Set<string>;
    beforeEach(async () => {
      const root = (await storeWithBusybox()).root;
      namedAtConfig = new Set();
      // The image's config is synced once the stage has settled: its layers are known, the recipe may still be pending.
      const syncBlobFile: SyncBlobFile = async (handle, tempFile) => {
        if ((await readFile(tempFile, 'utf8')).startsWith('{"architecture"')) {
          control.events.push('config syncing');
          namedAtConfig = await namedDigests(store);
          control.syncConfig();
        }
        await handle.sync();
      };
      store = await Store.open(root, { syncBlobFile });
    });

    async function build(tag: string) {
      const ctx = await freshDir('c');
      await writeContext(ctx, [{ path: 'Dockerfile', content: dockerfile }]);
      return buildIn(store, ctx, { tags: [tag] });
    }

    it('commits the image while the recipe is written, and names the layer only once it is', async () => {
      control.reset('gate');
      const before = await namedDigests(store);
      const run = await build('recipe:1');
      expect(run.error).toBeNull();
      expect(control.gaveUp).toBe(false);
      expect(control.events).toEqual(['config syncing', 'recipe written']);
      const layer = run.result!.fs.layers.at(-1)!;
      expect(namedAtConfig.has(layer.digest)).toBe(false);
      expect(await store.isLazyLayer(layer.digest)).toBe(true);
      expect((await store.resolve('recipe:1')).manifest.layers.at(-1)?.digest).toBe(layer.digest);
      const named = await namedDigests(store);
      expect(named.has(layer.digest)).toBe(true);
      for (const digest of before) expect(named.has(digest)).toBe(true);
    });

    it('fails the build as the RUN’s error when the recipe cannot be written, and names nothing of it', async () => {
      control.reset('fail');
      const indexBefore = await readFile(store.paths.indexJson, 'utf8');
      const run = await build('recipe:2');
      expect(control.events).toEqual(['config syncing', 'recipe failed']);
      expect(run.error).toBeInstanceOf(BuildError);
      expect(run.error?.message).toBe('ENOSPC: no space left on device, write');
      expect((run.error as BuildError).details.line).toBe(2);
      expect((run.error as BuildError).details.instruction).toBe('[2/2] RUN head -c 262144 /dev/zero > /big');
      expect(await readFile(store.paths.indexJson, 'utf8')).toBe(indexBefore);
      expect(await readdir(path.join(store.paths.cache, 'build')).catch(() => [])).toEqual([]);
      await expect(store.resolve('recipe:2')).rejects.toThrow();
    });
  },
);
