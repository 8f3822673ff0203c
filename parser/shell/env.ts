// Turning the accepted environment shapes into one lookup function.
import type { ShellEnv, ShellEnvLookup } from './types.js';

/**
 * BuildKit's reading of a `K=V` list: split at the first `=`; an entry without `=` defines `K` as empty;
 * a later entry for the same key wins.
 */
export function shellEnvFromList(list: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq < 0) env.set(entry, '');
    else env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

function isEnvList(env: ShellEnv): env is readonly string[] {
  return Array.isArray(env);
}

function isEnvMap(env: ShellEnv): env is ReadonlyMap<string, string> {
  return (
    env instanceof Map || (typeof env === 'object' && typeof (env as ReadonlyMap<string, string>).get === 'function')
  );
}

export function toEnvLookup(env: ShellEnv): ShellEnvLookup {
  if (typeof env === 'function') return env;
  if (isEnvList(env)) {
    const map = shellEnvFromList(env);
    return (name) => map.get(name);
  }
  if (isEnvMap(env)) return (name) => env.get(name);
  const record = env as Readonly<Record<string, string>>;
  // Own properties only: `$constructor` must not find Object.prototype.constructor.
  return (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
}
