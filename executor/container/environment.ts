// The environment of a container as `docker run` builds it: PATH (Docker's default unless the
// image sets one), HOSTNAME and, with a terminal (`-t`), TERM=xterm first, then the image's Env with `-e` values replacing same-named
// entries in place and new ones appended, and HOME from the user's passwd entry when nobody set it.
// `-e NAME` without `=` takes NAME from the caller's environment and is skipped when it is unset.
import { ContainerError } from './errors.js';

export const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface EnvInputs {
  readonly imageEnv: readonly string[];
  /** `-e` values in command-line order. */
  readonly overrides: readonly string[];
  /** Where `-e NAME` looks its value up. */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  /** The user's home directory; used only when no HOME is set. */
  readonly home: string;
  /** `-t`: the container has a terminal, so TERM=xterm unless the image or `-e` sets TERM (moby's default). */
  readonly tty?: boolean;
}

function keyOf(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}

/** Replaces entries with the same name in place and appends the rest (moby's ReplaceOrAppendEnvValues). */
export function replaceOrAppend(base: readonly string[], changes: readonly string[]): string[] {
  const out = [...base];
  for (const entry of changes) {
    const at = out.findIndex((e) => keyOf(e) === keyOf(entry));
    if (at < 0) out.push(entry);
    else out[at] = entry;
  }
  return out;
}

/** `-e` values as `NAME=value`; a bare NAME is read from `hostEnv` (dropped when unset there). */
export function expandEnvOverrides(
  overrides: readonly string[],
  hostEnv: Readonly<Record<string, string | undefined>>,
): string[] {
  const out: string[] = [];
  for (const entry of overrides) {
    if (keyOf(entry) === '') throw new ContainerError(`invalid environment variable: ${entry}`, 125);
    if (entry.includes('=')) out.push(entry);
    else if (hostEnv[entry] !== undefined) out.push(`${entry}=${hostEnv[entry]}`);
  }
  return out;
}

export function containerEnv(inputs: EnvInputs): string[] {
  const config = replaceOrAppend(inputs.imageEnv, expandEnvOverrides(inputs.overrides, inputs.hostEnv));
  const daemonEnv = [defaultPathEnv, `HOSTNAME=${inputs.hostname}`, ...(inputs.tty === true ? ['TERM=xterm'] : [])];
  const env = replaceOrAppend(daemonEnv, config);
  return env.some((e) => keyOf(e) === 'HOME') ? env : [...env, `HOME=${inputs.home || '/'}`];
}
