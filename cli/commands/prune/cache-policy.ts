// `docker builder prune`'s options as one prune policy: `--filter KEY=VALUE` (until / unused-for, type, id,
// description, shared, private, inuse; parent and label are accepted as docker accepts them, and match nothing
// and everything), `--all`, and the space options `--keep-storage` (the older name of `--reserved-space`),
// `--max-used-space` and `--min-free-space`. Errors read as the daemon's and the CLI's.
import type { CacheFilter, CachePrunePolicy } from '../../../executor/index.js';
import { parseGoDuration, parseMemBytes } from './units.js';

export interface CachePruneFlags {
  readonly all?: boolean;
  readonly filters?: readonly string[];
  readonly keepStorage?: string;
  readonly reservedSpace?: string;
  readonly maxUsedSpace?: string;
  readonly minFreeSpace?: string;
}

export class PolicyError extends Error {}

const validKeys = new Set([
  'until',
  'unused-for',
  'id',
  'parent',
  'type',
  'description',
  'inuse',
  'shared',
  'private',
  'label',
  'label!',
]);

function size(flag: string, value: string | undefined): number {
  if (value === undefined) return 0;
  try {
    return parseMemBytes(value);
  } catch (error) {
    throw new PolicyError(`invalid argument "${value}" for "--${flag}" flag: ${(error as Error).message}`);
  }
}

export function cachePrunePolicy(flags: CachePruneFlags): CachePrunePolicy {
  const values = new Map<string, string[]>();
  for (const item of flags.filters ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new PolicyError('bad format of filter (expected name=value)');
    const key = item.slice(0, eq).trim().toLowerCase();
    if (!validKeys.has(key)) throw new PolicyError(`invalid filter '${key}'`);
    values.set(key, [...(values.get(key) ?? []), item.slice(eq + 1).trim()]);
  }
  for (const list of values.values()) if (list.length > 1) throw new PolicyError('filters expect only one value');
  const one = (key: string) => values.get(key)?.[0];
  if (one('until') !== undefined && one('unused-for') !== undefined)
    throw new PolicyError('conflicting filters: "until" and "unused-for"');
  const untilKey = one('unused-for') === undefined ? 'until' : 'unused-for';
  let keepDurationMs: number | undefined;
  const until = one(untilKey);
  if (until !== undefined) {
    try {
      keepDurationMs = parseGoDuration(until);
    } catch (error) {
      throw new PolicyError(`"${untilKey}" filter expects a duration (e.g., '24h'): ${(error as Error).message}`);
    }
  }
  const filter: CacheFilter = {
    ...(one('type') === undefined ? {} : { types: [one('type')!] }),
    ...(one('id') === undefined ? {} : { id: one('id')! }),
    ...(one('description') === undefined ? {} : { description: one('description')! }),
    ...(values.has('shared') ? { shared: true } : {}),
    ...(values.has('private') ? { private: true } : {}),
    // No record has a parent: a parent filter matches none, as an in-use one does.
    ...(values.has('inuse') || values.has('parent') ? { inUse: true } : {}),
  };
  if (filter.id !== undefined) {
    try {
      new RegExp(filter.id);
    } catch (error) {
      throw new PolicyError(`invalid filter 'id': ${(error as Error).message}`);
    }
  }
  return {
    all: flags.all === true,
    ...(keepDurationMs === undefined ? {} : { keepDurationMs }),
    filter,
    reservedSpace: Math.max(size('keep-storage', flags.keepStorage), size('reserved-space', flags.reservedSpace)),
    maxUsedSpace: size('max-used-space', flags.maxUsedSpace),
    minFreeSpace: size('min-free-space', flags.minFreeSpace),
  };
}

/** A policy that removes every record nobody uses: what `--build-cache --all` alone asks. */
export function removesEverything(policy: CachePrunePolicy): boolean {
  const f = policy.filter ?? {};
  return (
    policy.all === true &&
    (policy.keepDurationMs ?? 0) === 0 &&
    Object.keys(f).length === 0 &&
    !policy.reservedSpace &&
    !policy.maxUsedSpace &&
    !policy.minFreeSpace
  );
}
