// The warnings of a BuildKit lint request (`--call=check`, frontend subrequest `frontend.lint`) as its result.json
// lists them: in the order the Dockerfile frontend emits them (conformance/buildkit/lint/README.md, "How BuildKit
// orders and deduplicates warnings"), each once per detail and start line (dockerui's HandleSubrequest keeps the
// first warning of each), located as BuildKit's parser locates a node: one range per physical line.
import type { ParseResult } from '../parser/index.js';
import { type BuildCheck, type BuildCheckOptions, collectChecks, type ReportedCheck } from './build-checks.js';

export interface LintRequestWarning extends BuildCheck {
  /** The lines of the location, one range each (BuildKit's parser.Node Location). */
  readonly rangeLines: readonly number[];
}

export interface LintRequestOptions extends BuildCheckOptions {
  /**
   * The line of the FROM whose base name or platform the frontend could not expand: it stops there, so only the
   * checks emitted before (parse to stage casing, and FROM checks up to that stage) are reported.
   */
  readonly fromErrorLine?: number;
}

export interface LintRequestResult {
  readonly warnings: readonly LintRequestWarning[];
  /** `error=true` and something was found: the request's buildError (it has no location). */
  readonly violation: string | null;
  /** An error that stops the request before anything is checked (a bad `# check=`, an unknown target). */
  readonly error: string | null;
}

/**
 * The frontend's phases: parsing (1), converting instructions (2), stage names (3), instruction casing (4),
 * FROM defaults (5), FROM expansion (6), base images (7), dispatch (8); within a phase, the rule's rank.
 */
const PHASES: Readonly<Record<string, readonly [number, number]>> = {
  NoEmptyContinuation: [1, 0],
  MaintainerDeprecated: [2, 0],
  StageNameCasing: [2, 1],
  FromAsCasing: [2, 2],
  InvalidDefinitionDescription: [2, 3],
  ReservedStageName: [3, 0],
  DuplicateStageName: [3, 1],
  ConsistentInstructionCasing: [4, 0],
  InvalidDefaultArgInFrom: [5, 0],
  UndefinedArgInFrom: [6, 0],
  RedundantTargetPlatform: [6, 1],
  FromPlatformFlagConstDisallowed: [6, 2],
  InvalidBaseImagePlatform: [7, 0],
};
const DISPATCH: readonly [number, number] = [8, 1];

interface EmissionKey {
  readonly head: readonly number[];
  /** EXPOSE's port word: BuildKit sorts them (byte order, as written) when it parses the instruction. */
  readonly word: string;
  readonly tail: readonly number[];
}

/** Where in the frontend's run a check is emitted: phase, line, then its place in the instruction. */
function emissionKey(reported: ReportedCheck, text: string): EmissionKey {
  const { check, offset } = reported;
  const [phase, rank] = PHASES[check.rule] ?? (check.rule === 'UndefinedVar' ? [8, 0] : DISPATCH);
  if (phase !== 8) return { head: [phase, check.line, rank], word: '', tail: [offset] };
  // Dispatch expands an instruction's words (UndefinedVar) before its own checks, except ARG, which checks each
  // key (SecretsUsedInArgOrEnv) before it evaluates the key's default.
  const keyword = /^\s*(\S+)/.exec(text.slice(lineOffset(text, check.line)))?.[1]?.toUpperCase() ?? '';
  if (keyword === 'ARG') return { head: [8, check.line, offset, rank === 0 ? 1 : 0], word: '', tail: [] };
  if (keyword === 'EXPOSE' && rank !== 0) {
    const word = /^\S*/.exec(text.slice(offset))?.[0] ?? '';
    return { head: [8, check.line, rank], word, tail: [offset] };
  }
  return { head: [8, check.line, rank], word: '', tail: [offset] };
}

function lineOffset(text: string, line: number): number {
  let at = 0;
  for (let l = 1; l < line && at !== -1; l++) at = text.indexOf('\n', at) + 1 || -1;
  return Math.max(at, 0);
}

function compareNumbers(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Go's string order (UTF-8 bytes), which is code point order. */
function byteOrder(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function compareKeys(a: EmissionKey, b: EmissionKey): number {
  const head = compareNumbers(a.head, b.head);
  if (head !== 0) return head;
  if (a.word !== b.word) return byteOrder(a.word, b.word);
  return compareNumbers(a.tail, b.tail);
}

/** The lines BuildKit locates a check at: its instruction's, NoEmptyContinuation's the instruction's last. */
function rangeLines(check: BuildCheck): number[] {
  if (check.rule === 'NoEmptyContinuation') return [check.endLine];
  const lines: number[] = [];
  for (let l = check.line; l <= Math.max(check.line, check.endLine); l++) lines.push(l);
  return lines;
}

/** The lint request's result for the Dockerfile `text`, without building. */
export function lintRequest(text: string, parsed: ParseResult, options: LintRequestOptions): LintRequestResult {
  const collected = collectChecks(text, parsed, options);
  if (collected.error !== null) return { warnings: [], violation: null, error: collected.error };
  const stop = options.fromErrorLine;
  const ordered = collected.reported
    .map((reported, seq) => ({ reported, seq, key: emissionKey(reported, text) }))
    .filter(
      ({ key }) => stop === undefined || (key.head[0] ?? 0) < 6 || (key.head[0] === 6 && (key.head[1] ?? 0) <= stop),
    )
    .sort((a, b) => compareKeys(a.key, b.key) || a.seq - b.seq);
  const seen = new Set<string>();
  const warnings: LintRequestWarning[] = [];
  for (const { reported } of ordered) {
    const lines = rangeLines(reported.check);
    const key = `${reported.check.message}\u0000${lines[0]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    warnings.push({ ...reported.check, rangeLines: lines });
  }
  return { warnings, violation: collected.violation, error: null };
}
