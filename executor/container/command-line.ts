// The argv of a container, as `docker run` composes it from the image config and the command line:
// ENTRYPOINT followed by CMD. Run arguments replace CMD; `--entrypoint` replaces ENTRYPOINT and also
// drops the image's CMD (moby's config merge), and `--entrypoint ''` clears it. A shell-form
// ENTRYPOINT is stored as `/bin/sh -c "…"`, so whatever follows it only fills `$0`, `$1` … of that
// shell: it ignores CMD and run arguments without any special case here.
import type { ContainerConfig } from '../../image/index.js';
import { ContainerError } from './errors.js';

export interface CommandOverrides {
  /** `--entrypoint`: one program (never split on spaces, as in Docker); '' clears the image's. */
  readonly entrypoint?: string;
  /** Arguments after the image name; when there are any they replace CMD. */
  readonly args?: readonly string[];
}

export function containerArgv(config: ContainerConfig, overrides: CommandOverrides = {}): string[] {
  const entrypoint =
    overrides.entrypoint === undefined
      ? (config.Entrypoint ?? [])
      : overrides.entrypoint === ''
        ? []
        : [overrides.entrypoint];
  const args = overrides.args ?? [];
  const cmd = args.length > 0 ? args : overrides.entrypoint === undefined ? (config.Cmd ?? []) : [];
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new ContainerError('no command specified', 125);
  return argv;
}
