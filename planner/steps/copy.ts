// COPY and ADD: sources from the context, another stage, an image, a URL or a heredoc; the
// destination resolved against WORKDIR; owner, mode and flags. The key covers exactly the selected
// source files' checksums (CACHE.md section 3), never the environment. A COPY --from=<stage> is keyed,
// as in BuildKit, by the content of what it selects in the stage's result, which only the executor can
// read: the planned key leaves the stage out and is pending (executor/build/copy-content.ts). An ADD <url> is
// keyed, as BuildKit's HTTP source, by the file's name and content (and Last-Modified, its mtime): with
// --checksum the key holds that checksum and is final; without, the content is only known once the server
// was asked, so the key is pending and the executor completes it (executor/build/url-content.ts).

import { type AddInstruction, type CopyFilesInstruction, chmodProblem, type Word } from '../../parser/index.js';
import type { GitCheckout } from '../build-sources.js';
import type { Canonical } from '../cache-key.js';
import { sha256 } from '../cache-key.js';
import { PlanError } from '../errors.js';
import { downloadName, type GitRef, GitRefError, isHttpSource, parseGitRef } from '../git-ref.js';
import { type GitFlags, GitSourceError, resolveGitSource } from '../git-source.js';
import { resolveDest } from '../paths.js';
import type { StepContext } from '../stage-state.js';
import type { StepInput, StepOperation } from '../types.js';
import {
  boolFlag,
  checkedArgument,
  contextChecksum,
  expand,
  expandWordNode,
  flag,
  flags,
  type StepDraft,
  sourceNotFound,
  stringFlag,
} from './common.js';
import { heredocData } from './run.js';

type CopyLike = AddInstruction | CopyFilesInstruction;

export async function planCopy(ctx: StepContext, instr: CopyLike): Promise<StepDraft> {
  const add = instr.kind === 'add';
  const destination = checkedArgument(instr.destination, instr);
  const chown = stringFlag(ctx, instr, 'chown');
  const chmod = stringFlag(ctx, instr, 'chmod');
  if (chmod !== null) checkChmod(chmod, instr);
  const excludes = flags(instr, 'exclude').map((f) => expand(ctx, f.value ?? '', f.valueRange ?? f.range));
  const parents = boolFlag(instr, 'parents');
  // BuildKit ignores --link when --chmod is given (no merge op then).
  const link = boolFlag(instr, 'link') && chmod === null;
  const checksum = stringFlag(ctx, instr, 'checksum');
  const keepGitFlag = flag(instr, 'keep-git-dir');
  const keepGitDir = boolFlag(instr, 'keep-git-dir');
  const unpackFlag = flag(instr, 'unpack');
  const unpack = unpackFlag === null ? null : boolFlag(instr, 'unpack');
  const from = await copySource(ctx, instr);

  const inline: { name: string; content: string }[] = [];
  const paths: string[] = [];
  for (const word of instr.sources) {
    const doc = heredocFor(instr, word);
    if (doc !== null) {
      const data = heredocData(doc);
      inline.push({ name: doc.name, content: doc.expand ? expandContent(ctx, data, word) : data });
    } else paths.push(expandWordNode(ctx, word));
  }
  const kinds = paths.map((p) => sourceKind(p, instr));
  if (!add && kinds.some((k) => k.kind === 'git')) {
    throw new PlanError('copy-git', "source can't be a git ref for COPY", instr.range);
  }
  if (!add && kinds.some((k) => k.kind === 'http')) {
    throw new PlanError('copy-url', "source can't be a URL for COPY", instr.range);
  }
  if (checksum !== null && paths.length + inline.length !== 1) {
    throw new PlanError('checksum-sources', "checksum can't be specified for multiple sources", instr.range);
  }
  if (checksum !== null && kinds.filter((k) => k.kind !== 'path').length !== 1) {
    throw new PlanError('checksum-non-http', 'checksum requires HTTP(S) or Git sources', instr.range);
  }
  const rawDest = expandWordNode(ctx, destination);
  const dest = resolveDest(ctx.state.config.WorkingDir || '/', rawDest);

  const gitFlags: GitFlags = { keepGitDir: keepGitFlag === null ? null : keepGitDir, checksum };
  const selected = await selectInputs(ctx, instr, from, kinds, inline, { excludes, parents }, gitFlags);
  const { inputs, sourceKeys, git, downloads } = selected;
  const operation: StepOperation = {
    type: 'copy',
    add,
    sources: paths,
    dest,
    from: from.operation,
    chown,
    chmod,
    link,
    parents,
    excludes,
    checksum,
    keepGitDir,
    unpack,
    inline,
    epoch: ctx.epoch,
    ...(git.length === 0 ? {} : { git }),
  };
  const definition: { [key: string]: Canonical } = {
    op: add ? 'add' : 'copy',
    dest,
    chown,
    chmod,
    link,
    parents,
    excludes,
    checksum,
    keepGitDir,
    unpack,
    epoch: ctx.epoch,
    sources: sourceKeys,
  };
  return {
    args: [...paths, ...inline.map((d) => `<<${d.name}`), dest],
    historyArgs: [...paths, ...inline.map((d) => `<<${d.name}`), rawDest],
    inputs,
    operation,
    layer: { definition, link },
    ...(from.ref?.type === 'stage' || (downloads && checksum === null) ? { keyedByContent: true } : {}),
  };
}

/** BuildKit's dispatcher refuses a --chmod that is neither octal nor symbolic (not a parse error). */
function checkChmod(chmod: string, instr: CopyLike): void {
  const problem = chmodProblem(chmod);
  if (problem !== null) throw new PlanError('invalid-chmod', problem, flag(instr, 'chmod')?.range ?? instr.range);
}

type SourceKind =
  | { readonly kind: 'git'; readonly source: string; readonly ref: GitRef }
  | { readonly kind: 'http' | 'path'; readonly source: string };

/** BuildKit's order: a git repository first (`…/repo.git`, `git@…`), then an HTTP(S) download, else a path. */
function sourceKind(source: string, instr: CopyLike): SourceKind {
  let ref: GitRef | null;
  try {
    ref = parseGitRef(source);
  } catch (error) {
    if (error instanceof GitRefError) throw new PlanError('git-url', error.message, instr.range);
    throw error;
  }
  // `github.com/org/repo` is a repository only as a build context; in ADD it is a path.
  if (ref !== null && !ref.indistinguishableFromLocal) return { kind: 'git', source, ref };
  return { kind: isHttpSource(source) ? 'http' : 'path', source };
}

function heredocFor(instr: CopyLike, word: Word) {
  const match = /^<<-?(["']?)([^"']+)\1$/.exec(word.value);
  if (match === null) return null;
  return instr.heredocs.find((h) => h.name === match[2]) ?? null;
}

function expandContent(ctx: StepContext, data: string, word: Word): string {
  // Heredoc bodies expand variables and backslash escapes; quotes in the body are literal.
  return expand(ctx, data, word.range, true);
}

interface FromSource {
  readonly operation: Extract<StepOperation, { type: 'copy' }>['from'];
  readonly ref: Awaited<ReturnType<StepContext['source']>> | null;
}

async function copySource(ctx: StepContext, instr: CopyLike): Promise<FromSource> {
  const f = instr.kind === 'copy' ? flag(instr, 'from') : null;
  const value = f?.value ?? '';
  // An empty --from (`--from=`) is no --from in BuildKit (dispatchState looks a source up only for a non-empty one).
  if (f === null || value === '') return { operation: { type: 'context' }, ref: null };
  if (value.includes('$')) {
    throw new PlanError(
      'copy-from-variable',
      'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
      f.range,
    );
  }
  const ref = await ctx.source(value, f.range, true);
  if (ref.type === 'context') return { operation: { type: 'context', name: ref.name }, ref };
  return ref.type === 'stage'
    ? { operation: { type: 'stage', index: ref.index }, ref }
    : { operation: { type: 'image', ref: ref.ref }, ref };
}

async function selectInputs(
  ctx: StepContext,
  instr: CopyLike,
  from: FromSource,
  kinds: readonly SourceKind[],
  inline: readonly { name: string; content: string }[],
  options: { excludes: readonly string[]; parents: boolean },
  gitFlags: GitFlags,
): Promise<{ inputs: StepInput[]; sourceKeys: Canonical[]; git: GitCheckout[]; downloads: boolean }> {
  let downloads = false;
  const inputs: StepInput[] = [];
  const sourceKeys: Canonical[] = [];
  const git: GitCheckout[] = [];
  const paths = kinds.map((k) => k.source);
  for (const doc of inline) {
    const digest = sha256(doc.content);
    inputs.push({ type: 'inline', name: doc.name, digest });
    sourceKeys.push({ inline: doc.name, digest });
  }
  const ref = from.ref;
  if (ref !== null && ref.type !== 'context') {
    if (ref.type === 'stage') inputs.push({ type: 'stage', index: ref.index, name: ref.name, paths, key: ref.fsKey });
    else inputs.push({ type: 'image', ref: ref.ref, paths });
    // How the stage was built is left out: the executor adds the content the copy selects (keyPending).
    sourceKeys.push(ref.type === 'stage' ? { stage: 'content', paths } : { image: ref.ref, digest: ref.digest, paths });
    return { inputs, sourceKeys, git, downloads };
  }
  for (const item of kinds) {
    const source = item.source;
    if (item.kind === 'git') {
      const planned = await resolveGitSource(source, item.ref, gitFlags, ctx.git).catch((error: unknown) => {
        if (error instanceof GitSourceError) throw new PlanError('git-source', error.message, instr.range);
        throw error;
      });
      inputs.push(planned.input);
      sourceKeys.push(planned.key);
      git.push(planned.checkout);
      continue;
    }
    if (item.kind === 'http') {
      // Not the URL (a mirror of the same file is a hit, as in BuildKit): the file's name here, its content (the
      // --checksum, or what the executor completes the key with) and its Last-Modified there.
      inputs.push({ type: 'url', url: source });
      sourceKeys.push({ download: downloadName(source) });
      downloads = true;
      continue;
    }
    // A named context (`COPY --from=NAME` of a `--build-context NAME=DIR`) is read as the build context is.
    const named = ref?.type === 'context' ? { name: ref.name, source: ref.source } : undefined;
    const selection = await contextChecksum(ctx, source, options, instr.range, named);
    if (!selection.ok) throw sourceNotFound(selection.missing, instr.range, named);
    const name = named === undefined ? {} : { name: named.name };
    inputs.push({ type: 'context', ...name, source, digest: selection.digest, files: selection.files });
    sourceKeys.push({ source, digest: selection.digest });
  }
  return { inputs, sourceKeys, git, downloads };
}
