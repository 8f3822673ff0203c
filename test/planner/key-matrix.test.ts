// Runs the cache-key edit matrix (key-matrix.data.ts): plan, apply the edit, plan again, and
// compare exactly which steps' keys changed.

import { chmod, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysOf, planDir, type Scenario, withContext, writeFiles } from './helpers/scenario.js';
import { KEY_MATRICES, type KeyEdit } from './key-matrix.data.js';

function expandLabels(patterns: readonly string[], labels: readonly string[]): string[] {
  const out = new Set<string>();
  for (const pattern of patterns) {
    const [stage, steps] = pattern.split('.');
    const range = /^(\d+)-(\d+)$/.exec(steps);
    for (const label of labels) {
      const [s, i] = label.split('.');
      if (s !== stage) continue;
      const n = Number(i);
      if (steps === '*' || (range !== null && n >= Number(range[1]) && n <= Number(range[2])) || steps === i)
        out.add(label);
    }
  }
  return [...out].sort();
}

function edited(base: Scenario, edit: KeyEdit): Scenario {
  let dockerfile = edit.dockerfile ?? base.dockerfile;
  for (const [from, to] of edit.replace ?? []) {
    if (!dockerfile.includes(from)) throw new Error(`edit "${edit.name}": ${JSON.stringify(from)} not in Dockerfile`);
    dockerfile = dockerfile.replaceAll(from, to);
  }
  return {
    ...base,
    dockerfile,
    buildArgs: edit.buildArgs ?? base.buildArgs,
    target: edit.target,
    images: edit.images ?? base.images,
    run: edit.run ?? base.run,
  };
}

async function applyFiles(dir: string, edit: KeyEdit): Promise<void> {
  for (const [path, spec] of Object.entries(edit.files ?? {})) {
    if (spec === null) await rm(join(dir, path));
    else await writeFiles(dir, { [path]: spec });
  }
  for (const [path, mode] of Object.entries(edit.chmod ?? {})) await chmod(join(dir, path), mode);
  for (const path of edit.touch ?? []) await utimes(join(dir, path), 1_800_000_000, 1_800_000_000);
}

describe.each(KEY_MATRICES)('cache keys: edit matrix, $name', ({ scenario, edits }) => {
  for (const edit of edits) {
    it(edit.name, async () => {
      await withContext(scenario.files, async (dir) => {
        const before = keysOf(await planDir(dir, scenario));
        await applyFiles(dir, edit);
        const afterRaw = keysOf(await planDir(dir, edited(scenario, edit)));
        const after = new Map<string, string | null>();
        for (const [label, key] of afterRaw) {
          const [stage, i] = label.split('.');
          after.set(`${edit.renamed?.[stage] ?? stage}.${i}`, key);
        }
        const compared = [...before.keys()].filter((label) => after.has(label));
        const changed = compared.filter((label) => before.get(label) !== after.get(label)).sort();
        expect(changed).toEqual(expandLabels(edit.changed, compared));
      });
    });
  }
});

it('the matrix has at least 30 edits', () => {
  expect(KEY_MATRICES.reduce((n, m) => n + m.edits.length, 0)).toBeGreaterThanOrEqual(30);
});
