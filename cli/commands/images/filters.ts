// `tsbuild images --filter KEY=VALUE` as the daemon's image list reads its filters: dangling=true|false,
// reference=PATTERN (reference.FamiliarMatch: path.Match on the familiar reference or on its name),
// before=IMAGE and since=IMAGE (created strictly before / after it), until=TIME|DURATION, and label=KEY[=VALUE]
// / label!=… (the containerd image store's checks on the config's labels). Errors read as docker's.
import { familiarName, familiarString, parseDockerRef, type Store } from '../../../image/index.js';
import { parseGoDuration } from '../prune/units.js';
import type { CatalogEntry } from './catalog.js';

export class FilterError extends Error {}

const accepted = new Set(['dangling', 'label', 'label!', 'before', 'since', 'reference', 'until']);

/** `--filter` values (filters.ParseFlag): the name lower-cased, both sides trimmed, repeats merged. */
export function parseFilterArgs(args: readonly string[]): Map<string, string[]> {
  const filters = new Map<string, string[]>();
  for (const arg of args) {
    if (arg === '') continue;
    const eq = arg.indexOf('=');
    if (eq < 0) {
      throw new FilterError(
        `invalid argument "${arg}" for "-f, --filter" flag: bad format of filter (expected name=value)`,
      );
    }
    const name = arg.slice(0, eq).trim().toLowerCase();
    const values = filters.get(name) ?? [];
    const value = arg.slice(eq + 1).trim();
    if (!values.includes(value)) values.push(value);
    filters.set(name, values);
  }
  for (const name of filters.keys()) if (!accepted.has(name)) throw new FilterError(`invalid filter '${name}'`);
  return filters;
}

/** Go's path.Match as a regular expression; throws `syntax error in pattern` as path.ErrBadPattern. */
export function pathMatcher(pattern: string): RegExp {
  const bad = () => new FilterError('syntax error in pattern');
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) throw bad();
      source += `\\${pattern[++i]}`;
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let empty = true;
      for (; j < pattern.length && (pattern[j] !== ']' || empty); j++) {
        empty = false;
        const d = pattern[j] === '\\' ? pattern[++j] : pattern[j];
        if (d === undefined || d === '/') throw bad();
        cls += d === '-' && pattern[j - 1] !== '[' && pattern[j + 1] !== ']' ? '-' : `\\${d}`;
      }
      if (j >= pattern.length || empty) throw bad();
      source += `(?![/])[${cls}]`;
      i = j;
    } else source += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su');
}

/** reference.FamiliarMatch: the pattern against the familiar reference, else against its name. */
export function familiarMatch(pattern: RegExp, ref: string): boolean {
  try {
    const parsed = parseDockerRef(ref);
    return pattern.test(familiarString(parsed)) || pattern.test(familiarName(parsed));
  } catch {
    return pattern.test(ref);
  }
}

function boolFilter(filters: Map<string, string[]>, name: string): boolean | undefined {
  const values = filters.get(name);
  if (values === undefined || values.length === 0) return undefined;
  const invalid = new FilterError(`invalid filter '${name}=${values.join(',')}'`);
  if (values.length > 1) throw invalid;
  const value = values[0]!.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid;
}

const createdMs = (entry: CatalogEntry) => Date.parse(entry.image?.config.created ?? '') || Number.NEGATIVE_INFINITY;

/** timetypes.GetTimestamp: a duration before `now`, a Unix time, or a date / RFC 3339 time (local without a zone). */
export function untilTime(value: string, now: number): number {
  if (value !== '0') {
    try {
      return now - parseGoDuration(value);
    } catch {
      // Not a duration.
    }
  }
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) return new Date(Number(date[1]), Number(date[2]) - 1, Number(date[3])).getTime();
  const zoned = /[zZ+]/.test(value) || value.split('-').length - 1 === 3;
  const time = Date.parse(zoned || !value.includes('T') ? value : value.replace(/(T\d{2})$/, '$1:00'));
  if (Number.isNaN(time)) throw new FilterError(`failed to parse value as time or duration: "${value}"`);
  return time;
}

interface LabelCheck {
  key: string;
  value?: string;
  negate: boolean;
}

function labelChecks(filters: Map<string, string[]>): LabelCheck[] {
  const checks: LabelCheck[] = [];
  for (const name of ['label', 'label!']) {
    for (const item of filters.get(name) ?? []) {
      const eq = item.indexOf('=');
      let key = eq < 0 ? item : item.slice(0, eq);
      let negate = name === 'label!';
      if (key.endsWith('!')) {
        key = key.slice(0, -1);
        negate = !negate;
      }
      checks.push({ key, negate, ...(eq >= 0 && { value: item.slice(eq + 1) }) });
    }
  }
  return checks;
}

function labelsMatch(checks: readonly LabelCheck[], labels: Readonly<Record<string, string>>): boolean {
  return checks.every((check) => {
    const exists = Object.hasOwn(labels, check.key);
    if (check.value === undefined) return exists !== check.negate;
    if (!exists) return false;
    return (labels[check.key] === check.value) !== check.negate;
  });
}

/** The test an entry must pass; resolves before= and since= images in the store first. */
export async function entryFilter(
  store: Store,
  filters: Map<string, string[]>,
  now: number,
): Promise<(entry: CatalogEntry) => boolean> {
  const dangling = boolFilter(filters, 'dangling');
  const createdOf = async (name: string) => Date.parse((await store.resolve(name)).config.created ?? '') || 0;
  const before = await Promise.all((filters.get('before') ?? []).map(createdOf));
  const since = await Promise.all((filters.get('since') ?? []).map(createdOf));
  const until = (filters.get('until') ?? []).map((value) => untilTime(value, now));
  const references = (filters.get('reference') ?? []).map(pathMatcher);
  const checks = labelChecks(filters);
  return (entry) => {
    if (dangling !== undefined && dangling !== (entry.ref === undefined)) return false;
    if (references.length > 0 && (entry.ref === undefined || !references.some((p) => familiarMatch(p, entry.ref!)))) {
      return false;
    }
    const created = createdMs(entry);
    if (before.some((time) => !(created < time)) || since.some((time) => !(created > time))) return false;
    if (until.some((time) => !(created < time))) return false;
    return checks.length === 0 || labelsMatch(checks, entry.image?.config.config?.Labels ?? {});
  };
}
