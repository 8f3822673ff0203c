// Reasons for changed keys between two plans of the edit-matrix build.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainChanges, listPlan, type Plan } from '../../planner/index.js';
import { planDir, type Scenario, withContext } from './helpers/scenario.js';
import { BASE_SCENARIO } from './key-matrix.data.js';

async function reasons(change: (dir: string) => Promise<Scenario>): Promise<string[]> {
  return withContext(BASE_SCENARIO.files, async (dir) => {
    const before = await listPlan((await planDir(dir, BASE_SCENARIO)).plan as Plan);
    const after = await listPlan((await planDir(dir, await change(dir))).plan as Plan);
    return explainChanges(before, after)
      .filter((e) => e.reason !== 'unchanged')
      .map((e) => `${e.stage}.${e.index} ${e.reason}`);
  });
}

describe('explainChanges', () => {
  // The app's COPY --from=build is keyed by the content it copies (pending until the build reads it): its
  // planned key, and the steps after it, stay as they were.
  it('names the copied file that changed', async () => {
    const result = await reasons(async (dir) => {
      await writeFile(join(dir, 'src/main.go'), 'package other\n');
      return BASE_SCENARIO;
    });
    expect(result).toEqual([
      'build.5 inputs changed: src/main.go',
      'build.6 a previous step changed',
      'build.7 a previous step changed',
    ]);
  });

  it('names the build argument that reached a RUN', async () => {
    const result = await reasons(async () => ({ ...BASE_SCENARIO, buildArgs: { VERSION: '2' } }));
    expect(result.slice(0, 2)).toEqual(['build.4 environment changed: VERSION=2', 'build.5 a previous step changed']);
  });

  it('names changed arguments and environment', async () => {
    const result = await reasons(async () => ({
      ...BASE_SCENARIO,
      dockerfile: BASE_SCENARIO.dockerfile.replace('CGO=0', 'CGO=1'),
    }));
    expect(result.slice(0, 3)).toEqual([
      'build.3 arguments changed: ["CGO=0"] → ["CGO=1"]',
      'build.4 environment changed: CGO=1',
      'build.5 a previous step changed',
    ]);
  });

  it('names a changed base image', async () => {
    const result = await reasons(async () => ({
      ...BASE_SCENARIO,
      dockerfile: BASE_SCENARIO.dockerfile.replace('FROM alpine', 'FROM busybox'),
    }));
    expect(result).toEqual([
      'app.0 base image changed',
      ...[1, 2, 3, 4, 5].map((i) => `app.${i} a previous step changed`),
    ]);
  });

  it('a config change reaches later config steps only', async () => {
    const result = await reasons(async () => ({
      ...BASE_SCENARIO,
      dockerfile: BASE_SCENARIO.dockerfile.replace('EXPOSE 8080', 'EXPOSE 80'),
    }));
    expect(result).toEqual([
      'app.4 arguments changed: ["8080/tcp"] → ["80/tcp"]',
      'app.5 image config changed by a previous step',
    ]);
  });
});
