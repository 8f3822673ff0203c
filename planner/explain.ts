// Why a step's key differs from the one it had in an earlier plan: the first input that changed
// (files, stages, arguments, environment, user, working directory, base), or its parent. This is
// the "reason for the miss" `tsbuild plan` shows once the store keeps the plan of the last build.

import type { ListedInput, ListedPlan, ListedStage, ListedStep } from './listed-plan.js';

export interface StepExplanation {
  readonly stage: string;
  readonly index: number;
  readonly line: number;
  /** `unchanged`, or why the key changed. */
  readonly reason: string;
}

/** Both plans with their files listed (`listPlan`); the recorded one is stored so. */
export function explainChanges(previous: ListedPlan, current: ListedPlan): StepExplanation[] {
  const out: StepExplanation[] = [];
  for (const stage of current.stages) {
    const before = previous.stages.find((s) => label(s) === label(stage));
    stage.steps.forEach((step, i) => {
      if (step.cacheKey === null) return;
      const old = before?.steps[i];
      out.push({ stage: label(stage), index: i, line: step.line, reason: explainStep(old, step, before, stage) });
    });
  }
  return out;
}

function label(stage: ListedStage): string {
  return stage.name ?? `stage-${stage.index}`;
}

function explainStep(
  old: ListedStep | undefined,
  step: ListedStep,
  before: ListedStage | undefined,
  stage: ListedStage,
): string {
  if (old === undefined || old.kind !== step.kind) return 'new step';
  if (old.cacheKey === step.cacheKey) return 'unchanged';
  if (old.instruction !== step.instruction || !same(old.args, step.args))
    return `arguments changed: ${list(old.args)} → ${list(step.args)}`;
  const files = fileChanges(old.inputs, step.inputs);
  if (files !== null) return files;
  if (step.operation.type === 'run' && old.operation.type === 'run') {
    const env = listChanges(old.operation.env, step.operation.env);
    if (env !== null) return `environment changed: ${env}`;
    if (old.operation.user !== step.operation.user)
      return `user changed: ${old.operation.user || 'root'} → ${step.operation.user || 'root'}`;
    if (old.operation.workdir !== step.operation.workdir)
      return `working directory changed: ${old.operation.workdir} → ${step.operation.workdir}`;
  }
  if (!same(old.operation, step.operation)) return 'options changed';
  if (old.parentKey !== step.parentKey) {
    const first = stage.steps.findIndex((s) => s.cacheKey !== null);
    const isFirst = stage.steps.indexOf(step) <= first;
    if (isFirst && before !== undefined && !same(before.base, stage.base)) return 'base image changed';
    return isFirst ? 'base changed' : 'a previous step changed';
  }
  return 'image config changed by a previous step';
}

function fileChanges(old: readonly ListedInput[], current: readonly ListedInput[]): string | null {
  const digests = (inputs: readonly ListedInput[]) => {
    const map = new Map<string, string>();
    for (const i of inputs) {
      if (i.type === 'context') for (const f of i.files) map.set(f.path, f.digest);
      if (i.type === 'stage') map.set(`stage ${i.name}`, i.key);
      if (i.type === 'inline') map.set(`heredoc ${i.name}`, i.digest);
      // A repository's ref that moved to another commit.
      if (i.type === 'git') map.set(`git ${i.remote}#${i.ref}${i.subdir === '/' ? '' : `:${i.subdir}`}`, i.commit);
    }
    return map;
  };
  const before = digests(old);
  const after = digests(current);
  const changed: string[] = [];
  for (const [path, digest] of after) {
    if (!before.has(path)) changed.push(`${path} (added)`);
    else if (before.get(path) !== digest) changed.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) changed.push(`${path} (removed)`);
  if (changed.length > 0) return `inputs changed: ${changed.join(', ')}`;
  // Directory modes and entries that select no file still change the checksum.
  const sums = (inputs: readonly ListedInput[]) => inputs.map((i) => (i.type === 'context' ? i.digest : ''));
  return same(sums(old), sums(current)) ? null : 'inputs changed: directory entries or modes';
}

function listChanges(old: readonly string[], current: readonly string[]): string | null {
  const changes: string[] = [];
  for (const item of current) if (!old.includes(item)) changes.push(item);
  for (const item of old) {
    const key = item.slice(0, item.indexOf('='));
    if (!current.some((c) => c.startsWith(`${key}=`))) changes.push(`-${key}`);
  }
  return changes.length > 0 ? changes.join(', ') : null;
}

function list(values: readonly string[]): string {
  return JSON.stringify(values);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
