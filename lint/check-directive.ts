// BuildKit's check configuration string, as written in `# check=skip=A,B;experimental=C;error=true`,
// in a `# check=` comment above one instruction, or in the BUILDKIT_DOCKERFILE_CHECK build argument.

import { parseGoBool } from '../parser/index.js';

export interface CheckConfig {
  readonly skip: ReadonlySet<string>;
  readonly skipAll: boolean;
  readonly experimental: ReadonlySet<string>;
  readonly experimentalAll: boolean;
  /** `error=true`: any reported BuildKit check fails the build. */
  readonly error: boolean;
}

export const EMPTY_CHECK_CONFIG: CheckConfig = {
  skip: new Set(),
  skipAll: false,
  experimental: new Set(),
  experimentalAll: false,
  error: false,
};

export type CheckParse =
  | { readonly config: CheckConfig; readonly error: null }
  | { readonly config: null; readonly error: string };

function ruleList(value: string): { all: boolean; names: Set<string> } {
  const trimmed = value.trim();
  if (trimmed === 'all') return { all: true, names: new Set() };
  return { all: false, names: new Set(trimmed.split(',').map((name) => name.trim())) };
}

/**
 * Parses a check configuration. Text after the first whitespace is a comment (`skip=all // why`), as
 * BuildKit reads both the directive and the per-instruction comment. Error texts are BuildKit's.
 */
export function parseCheckConfig(text: string): CheckParse {
  const value = text.trim().split(/\s/, 1)[0] ?? '';
  if (value === '') return { config: EMPTY_CHECK_CONFIG, error: null };
  let skip = new Set<string>();
  let skipAll = false;
  let experimental = new Set<string>();
  let experimentalAll = false;
  let error = false;
  // BuildKit splits into at most three parts; a fourth `;` stays inside the third part's value.
  const parts = value.split(';');
  const limited = parts.length > 3 ? [parts[0], parts[1], parts.slice(2).join(';')] : parts;
  for (const part of limited) {
    const eq = part.indexOf('=');
    if (eq < 0) return { config: null, error: `invalid check option "${part}"` };
    const key = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1);
    if (key === 'skip') {
      const list = ruleList(raw);
      skipAll = list.all;
      skip = list.names;
    } else if (key === 'experimental') {
      const list = ruleList(raw);
      experimentalAll = list.all;
      experimental = list.names;
    } else if (key === 'error') {
      const parsed = parseGoBool(raw.trim());
      if (parsed === null) {
        return {
          config: null,
          error: `failed to parse check option "${part}": strconv.ParseBool: parsing "${raw.trim()}": invalid syntax`,
        };
      }
      error = parsed;
    } else {
      return { config: null, error: `invalid check option "${key}"` };
    }
  }
  return { config: { skip, skipAll, experimental, experimentalAll, error }, error: null };
}

/** Whether a BuildKit rule runs under a configuration. */
export function checkEnabled(config: CheckConfig, rule: string, experimental: boolean): boolean {
  if (experimental) return config.experimentalAll || config.experimental.has(rule);
  return !config.skipAll && !config.skip.has(rule);
}

/** The per-instruction form: a comment whose text (after `#`) is `check=…`; null when it is not one. */
export function checkComment(commentText: string): string | null {
  const match = /^\s*check\s*=(.*)$/i.exec(commentText);
  return match ? match[1] : null;
}
