// RUN: the argument vector (shell-wrapped, heredocs as BuildKit handles them), environment, user,
// working directory, network, security and mounts, and the build's --add-host, --shm-size and --ulimit. The command
// text is not expanded by the builder.

import { type Heredoc, NETWORK_MODES, type RunInstruction, SECURITY_MODES } from '../../parser/index.js';
import type { Canonical } from '../cache-key.js';
import { PlanError } from '../errors.js';
import { type StepContext, withShell } from '../stage-state.js';
import type { MountOrigin, RunMount, StepInput, StepOperation } from '../types.js';
import { checkFlags, contextChecksum, flag, flags, type StepDraft, sourceNotFound } from './common.js';
import { runDevices } from './run-devices.js';
import { checkMountSyntax, parseMount } from './run-mounts.js';

type RunOperation = Extract<StepOperation, { type: 'run' }>;

/**
 * What BuildKit checks of a RUN while it parses the Dockerfile, nothing expanded: its flags, then its flag hooks in
 * their order (devices, mounts, network, security).
 */
export function checkRunSyntax(run: RunInstruction): void {
  checkFlags(run);
  runDevices(run);
  for (const mount of flags(run, 'mount')) checkMountSyntax(mount);
  choice(run, 'network', NETWORK_MODES);
  choice(run, 'security', SECURITY_MODES);
}

export async function planRun(ctx: StepContext, run: RunInstruction): Promise<StepDraft> {
  const { argv, files } = commandLine(ctx, run);
  // `--network=default` (or none given) is the build's network (`tsbuild build --network`), keyed as that mode.
  const flagged = choice(run, 'network', NETWORK_MODES);
  const network = flagged === 'default' ? ctx.network : flagged;
  const security = choice(run, 'security', SECURITY_MODES);
  const devices = runDevices(run);
  let sshIndex = 0;
  const parsedMounts = flags(run, 'mount').map((f) => {
    const mount = parseMount(ctx, f, sshIndex);
    if (mount.type === 'ssh') sshIndex++;
    return mount;
  });
  const inputs: StepInput[] = [];
  const mountKeys: Canonical[] = [];
  const mounts: RunMount[] = [];
  let keyedByContent = false;
  for (const parsed of parsedMounts) {
    const { input, key, origin } = await mountInput(ctx, parsed, run);
    if (input !== null) inputs.push(input);
    mountKeys.push(key);
    mounts.push({ ...parsed, origin });
    if (origin?.type === 'stage') keyedByContent = true;
  }
  const env = ctx.state.env.toStrings();
  const user = ctx.state.config.User ?? '';
  const workdir = ctx.state.config.WorkingDir || '/';
  const { operation: runOptions, key: runOptionsKey } = buildWideOptions(ctx);
  return {
    args: argv,
    inputs,
    operation: {
      type: 'run',
      argv,
      env,
      proxyEnv: ctx.proxyEnv,
      user,
      workdir,
      network,
      security,
      devices,
      mounts,
      files,
      ...runOptions,
    },
    layer: {
      definition: {
        op: 'run',
        argv,
        env,
        user,
        workdir,
        network,
        security,
        mounts: mountKeys,
        files: files.map((f) => ({ path: f.path, content: f.content, mode: f.mode })),
        // Only when given, so that the keys of every RUN without devices stay as they were.
        ...(devices.length > 0 ? { devices: devices.map((d) => ({ name: d.name, required: d.required })) } : {}),
        ...runOptionsKey,
      },
      link: false,
    },
    ...(keyedByContent ? { keyedByContent } : {}),
  };
}

/**
 * The build's `--add-host`, `--shm-size` and `--ulimit`, each only when given so that the keys of every RUN
 * without them stay as they were. Keyed as BuildKit's ExecOp.CacheMap keys them: a host by its name, never its
 * address (`db:10.0.0.5` and `db:10.0.0.6` share a key); the /dev/shm tmpfs mount BuildKit adds, by its size;
 * every ulimit.
 */
function buildWideOptions(ctx: StepContext): {
  operation: Pick<RunOperation, 'extraHosts' | 'shmSize' | 'ulimits'>;
  key: Record<string, Canonical>;
} {
  const { extraHosts = [], shmSize = 0, ulimits = [] } = ctx.run;
  const operation: Pick<RunOperation, 'extraHosts' | 'shmSize' | 'ulimits'> = {
    ...(extraHosts.length > 0 ? { extraHosts } : {}),
    ...(shmSize > 0 ? { shmSize } : {}),
    ...(ulimits.length > 0 ? { ulimits } : {}),
  };
  const key: Record<string, Canonical> = {
    ...(extraHosts.length > 0 ? { extraHosts: extraHosts.map((h) => h.name) } : {}),
    ...(shmSize > 0 ? { shmSize } : {}),
    ...(ulimits.length > 0 ? { ulimits: ulimits.map((u) => ({ name: u.name, soft: u.soft, hard: u.hard })) } : {}),
  };
  return { operation, key };
}

function choice(run: RunInstruction, name: string, allowed: readonly string[]): string {
  const f = flag(run, name);
  if (f === null) return 'default';
  const value = f.value ?? '';
  // BuildKit's RUN flag hooks: `invalid network mode "x"`, `security "x" is not valid`.
  const message = name === 'network' ? `invalid network mode "${value}"` : `${name} "${value}" is not valid`;
  if (!allowed.includes(value)) throw new PlanError('invalid-flag', message, f.range);
  return value;
}

interface CommandLine {
  argv: string[];
  files: { path: string; content: string; mode: number }[];
}

function commandLine(ctx: StepContext, run: RunInstruction): CommandLine {
  const words = run.command.map((w) => w.value);
  if (run.form === 'exec') return { argv: words, files: [] };
  if (run.heredocs.length === 0) return { argv: withShell(ctx.state, words), files: [] };
  const text = words.join(' ');
  if (run.heredocs.length === 1 && /^[0-9]*<<-?\S+$/.test(text.trim())) {
    const doc = run.heredocs[0];
    const data = heredocData(doc);
    // A single heredoc with a shebang is written to a file and executed (not on Windows).
    if (ctx.state.platform.os !== 'windows' && data.startsWith('#!')) {
      const path = `/dev/pipes/${doc.name}`;
      return { argv: withShell(ctx.state, [path]), files: [{ path, content: data, mode: 0o755 }] };
    }
    return { argv: withShell(ctx.state, [data]), files: [] };
  }
  // Several heredocs, or a command around one: hand the reconstituted text to the shell.
  let script = text;
  for (const doc of run.heredocs) script += `\n${doc.content}${doc.name}`;
  return { argv: withShell(ctx.state, [script]), files: [] };
}

export function heredocData(doc: Heredoc): string {
  return doc.chomp ? doc.content.replace(/^\t+/gm, '') : doc.content;
}

async function mountInput(
  ctx: StepContext,
  mount: RunMount,
  run: RunInstruction,
): Promise<{ input: StepInput | null; key: Canonical; origin: MountOrigin | null }> {
  // A cache mount's id and sharing mode are keyed only as BuildKit keys them (run-mounts.ts, cacheKeyId):
  // the default mount by its id, any other without id or sharing.
  const { id: _id, sharing: _sharing, ...options } = mount.options;
  const keyOptions =
    mount.type !== 'cache'
      ? mount.options
      : typeof mount.cacheKeyId === 'string'
        ? { ...options, id: mount.cacheKeyId, sharing: 'shared' }
        : options;
  const base = { type: mount.type, target: mount.target, readonly: mount.readonly, options: keyOptions };
  const source = mount.source ?? '/';
  const ref = mount.from === null ? null : await ctx.source(mount.from, run.range, false);
  if (ref !== null && ref.type !== 'context') {
    if (ref.type === 'stage') {
      const input: StepInput = { type: 'stage', index: ref.index, name: ref.name, paths: [source], key: ref.fsKey };
      // Keyed by the content of `source` in the stage's result, which the executor adds (content-key.ts):
      // a stage that re-ran with the same output there leaves this key, and the layer, unchanged.
      return {
        input,
        key: { ...base, from: 'stage-content', source },
        origin: { type: 'stage', index: ref.index },
      };
    }
    return {
      input: { type: 'image', ref: ref.ref, paths: [source] },
      key: { ...base, from: { image: ref.ref, digest: ref.digest }, source },
      origin: { type: 'image', ref: ref.ref },
    };
  }
  if (mount.type !== 'bind' && ref === null) return { input: null, key: base, origin: null };
  // A mount of the build context or of a local named context (`from=NAME`): its content is part of the key.
  const named = ref === null ? undefined : { name: ref.name, source: ref.source };
  const selection = await contextChecksum(ctx, source, { excludes: [], parents: false }, run.range, named);
  if (!selection.ok) throw sourceNotFound(selection.missing, run.range, named);
  const name = named === undefined ? {} : { name: named.name };
  const input: StepInput = { type: 'context', ...name, source, digest: selection.digest, files: selection.files };
  const key = { ...base, from: 'context', source, digest: selection.digest };
  return { input, key, origin: { type: 'context', ...name } };
}
