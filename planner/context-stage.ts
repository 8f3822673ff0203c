// `FROM name` where `name` is a local named context (`--build-context name=DIR`): BuildKit makes the stage's
// filesystem the directory itself (llb.Local as the base) with an empty image config. tsbuild plans that as
// one step on scratch that copies the directory's selected content (its `.dockerignore` applied) to `/`,
// keyed by that content like any COPY from a context, so the executor's COPY machinery does the work.

import type { Range } from '../parser/index.js';
import type { ContextSource } from './build-sources.js';
import { PlanError } from './errors.js';
import type { StepDraft } from './steps/index.js';
import type { StepOperation } from './types.js';

export async function contextBaseStep(name: string, source: ContextSource, range: Range): Promise<StepDraft> {
  let selection: Awaited<ReturnType<ContextSource['checksum']>>;
  try {
    selection = await source.checksum('/', { excludes: [], parents: false });
  } catch (error) {
    const reason = (error as Error).message;
    throw new PlanError(
      'context-unreadable',
      `cannot read the build context ${JSON.stringify(name)}: ${reason}`,
      range,
    );
  }
  if (!selection.ok) throw new PlanError('source-not-found', `build context ${JSON.stringify(name)}: not found`, range);
  const operation: StepOperation = {
    type: 'copy',
    add: false,
    sources: ['/'],
    dest: '/',
    from: { type: 'context', name },
    chown: null,
    chmod: null,
    link: false,
    parents: false,
    excludes: [],
    checksum: null,
    keepGitDir: false,
    unpack: null,
    inline: [],
    epoch: null,
  };
  return {
    args: [name],
    inputs: [{ type: 'context', name, source: '/', digest: selection.digest, files: selection.files }],
    operation,
    layer: { definition: { op: 'local-context', digest: selection.digest }, link: false },
  };
}
