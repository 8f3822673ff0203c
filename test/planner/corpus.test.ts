// Robustness over the corpus of 1,152 real Dockerfiles: every one that parses plans without
// crashing (an unexpected exception), with any context file, base image and git ref available.
// Failures must be PlanErrors: a message for the user, never a stack trace.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from '../../parser/index.js';
import { type BaseImageResolver, type ContextSource, type GitResolver, plan } from '../../planner/index.js';

const corpus = join(resolve(resolve(import.meta.dirname, '../..'), '../shared'), 'corpus/dockerfiles');

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** Every path exists: the digest is derived from the path, so keys stay deterministic. */
const anyContext: ContextSource = {
  async checksum(source) {
    const digest = `sha256:${Buffer.from(source).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    return { ok: true, digest, files: async () => [{ path: source, digest }] };
  },
};

const anyImage: BaseImageResolver = {
  async resolve(ref) {
    return { ref, config: { Env: ['PATH=/usr/bin:/bin'] } };
  },
};

/** Every git ref exists, at a commit derived from the remote and ref. */
const anyGit: GitResolver = {
  async resolve(remote, ref) {
    const sha = Buffer.from(`${remote}#${ref}`).toString('hex').padEnd(40, '0').slice(0, 40);
    return { ref: ref === '' ? 'refs/heads/main' : ref, sha };
  },
};

it('plans every parseable Dockerfile of the corpus without an unexpected exception', async () => {
  const files = listFiles(corpus);
  expect(files.length).toBeGreaterThan(1000);
  let planned = 0;
  for (const file of files) {
    const { ast, diagnostics } = parse(readFileSync(file, 'utf8'));
    if (diagnostics.some((d) => d.severity === 'error')) continue;
    // plan() returns PlanErrors as diagnostics and rethrows anything else: reaching the next line is the test.
    const result = await plan(ast, {}, { context: anyContext, images: anyImage, git: anyGit });
    if (result.plan !== null) planned++;
    else expect(result.diagnostics.filter((d) => d.severity === 'error')).toHaveLength(1);
  }
  // The rest fail with user-facing errors BuildKit gives too (test files of other builders, templates).
  expect(planned).toBeGreaterThan(files.length * 0.95);
}, 120_000);
