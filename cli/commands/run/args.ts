// `tsbuild run`'s own argument parser. Docker's rule is that options end at the image name and
// every word after it belongs to the container (`run busybox id -u` runs `id -u`); yargs cannot
// stop at the first positional of a sub-command, so the run arguments are parsed here.
import type { RunCliOptions } from './run.js';

export const runUsage = `Usage: tsbuild run [OPTIONS] IMAGE [COMMAND] [ARG...]

Run a command in a new container from an image in the local store.

Options:
  -e, --env K=V|K        set an environment variable (K alone: its value here), repeatable
  -u, --user USER        user[:group] or uid[:gid], resolved in the image's /etc/passwd and /etc/group
  -w, --workdir DIR      working directory inside the container (absolute)
      --entrypoint CMD   overwrite the image's ENTRYPOINT ('' clears it); drops the image's CMD
      --network MODE     host (default) or none
      --add-host H:IP    a line of the container's /etc/hosts (host-gateway: the host), repeatable
      --shm-size SIZE    size of /dev/shm (64m by default)
      --ulimit N=S[:H]   a resource limit, e.g. nofile=1024:2048, repeatable
      --env-file FILE    read variables from FILE (K=V or K lines; # comments), before the -e ones, repeatable
  -v, --volume H:C[:ro]  bind the host path H (absolute) at C in the container, read-only with :ro, repeatable
      --mount SPEC       type=bind,source=H,target=C[,readonly] or type=tmpfs,target=C[,tmpfs-size=B], repeatable
      --tmpfs C[:OPTS]   a tmpfs at C (noexec,nosuid,nodev, then OPTS: size=64m, mode=1777, exec …), repeatable
      --read-only        mount the container's root filesystem read-only
      --cap-add CAP      add a Linux capability (ALL: every one), repeatable
      --cap-drop CAP     drop a Linux capability (ALL: every one), repeatable
      --privileged       every capability, no seccomp filter, /sys writable, FUSE/KVM/TUN/loop devices
      --hostname NAME    container hostname (default: the container id)
      --name NAME        accepted for docker command lines; tsbuild keeps no container to name
  -p, --publish SPEC     accepted with docker's warning: the container uses the host's network, its ports are the host's
      --rm               remove the container when it exits (always the case)
  -i, --interactive      pass standard input to the container
  -t, --tty              allocate a pseudo-TTY (TERM=xterm); with -i it is this terminal, so stdin must be one
      --runtime PATH     OCI runtime (default runc)
      --root DIR         store directory (default $TSBUILD_ROOT)
  -h, --help             print this help
`;

export type ParsedRunArgs =
  | { readonly kind: 'run'; readonly options: RunCliOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/** Options that may be given more than once, their values kept in order. */
const listOptions = [
  'env',
  'envFile',
  'volume',
  'mount',
  'tmpfs',
  'capAdd',
  'capDrop',
  'addHost',
  'ulimit',
  'publish',
] as const;
type ListOption = (typeof listOptions)[number];
type ValueOption =
  | ListOption
  | 'user'
  | 'workdir'
  | 'entrypoint'
  | 'network'
  | 'hostname'
  | 'runtime'
  | 'root'
  | 'shmSize'
  | 'name';

const valueOptions: Readonly<Record<string, ValueOption>> = {
  '-e': 'env',
  '--env': 'env',
  '--env-file': 'envFile',
  '-v': 'volume',
  '--volume': 'volume',
  '--mount': 'mount',
  '--tmpfs': 'tmpfs',
  '--add-host': 'addHost',
  '--ulimit': 'ulimit',
  '--shm-size': 'shmSize',
  '--name': 'name',
  '-p': 'publish',
  '--publish': 'publish',
  '--cap-add': 'capAdd',
  '--cap-drop': 'capDrop',
  '-u': 'user',
  '--user': 'user',
  '-w': 'workdir',
  '--workdir': 'workdir',
  '--entrypoint': 'entrypoint',
  '--network': 'network',
  '--net': 'network',
  '--hostname': 'hostname',
  '--runtime': 'runtime',
  '--root': 'root',
};

/** `argv` is everything after `run`. */
export function parseRunArgs(argv: readonly string[]): ParsedRunArgs {
  const lists = Object.fromEntries(listOptions.map((name) => [name, [] as string[]])) as Record<ListOption, string[]>;
  const single: Partial<Record<Exclude<ValueOption, ListOption>, string>> = {};
  let rm = false;
  let privileged = false;
  let readOnly = false;
  let interactive = false;
  let tty = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    if (word === '-h' || word === '--help') return { kind: 'help' };
    if (word === '-i' || word === '--interactive' || word === '--interactive=true') interactive = true;
    else if (/^-[it]+$/.test(word) || word === '--tty' || word === '--tty=true') {
      // docker's `-it`, `-ti`: both flags in one word.
      if (word.includes('i')) interactive = true;
      if (word.includes('t')) tty = true;
    } else if (word === '-d' || word === '--detach' || word === '--detach=true') {
      return { kind: 'error', message: `${word}: tsbuild run has no detached mode (no daemon keeps the container)` };
    } else if (word === '--rm' || word === '--rm=true') rm = true;
    else if (word === '--rm=false') rm = false;
    else if (word === '--privileged' || word === '--privileged=true') privileged = true;
    else if (word === '--privileged=false') privileged = false;
    else if (word === '--read-only' || word === '--read-only=true') readOnly = true;
    else if (word === '--read-only=false') readOnly = false;
    else {
      const parsed = optionWithValue(word, argv[i + 1]);
      if (parsed === undefined) return { kind: 'error', message: `unknown flag: ${word.split('=')[0]}` };
      if (parsed.value === undefined) return { kind: 'error', message: `flag needs an argument: ${word}` };
      if (parsed.consumedNext) i++;
      const name = parsed.name;
      if (isListOption(name)) lists[name].push(parsed.value);
      else single[name] = parsed.value;
    }
  }
  const image = argv[i];
  if (image === undefined || image === '') {
    return { kind: 'error', message: '"tsbuild run" requires at least 1 argument: IMAGE [COMMAND] [ARG...]' };
  }
  const options = {
    image,
    args: argv.slice(i + 1),
    rm,
    interactive,
    env: lists.env,
    ...(lists.envFile.length > 0 ? { envFiles: lists.envFile } : {}),
    ...(lists.volume.length > 0 ? { volumes: lists.volume } : {}),
    ...(lists.mount.length > 0 ? { mounts: lists.mount } : {}),
    ...(lists.tmpfs.length > 0 ? { tmpfs: lists.tmpfs } : {}),
    ...(lists.capAdd.length > 0 ? { capAdd: lists.capAdd } : {}),
    ...(lists.capDrop.length > 0 ? { capDrop: lists.capDrop } : {}),
    ...(lists.addHost.length > 0 ? { addHosts: lists.addHost } : {}),
    ...(lists.ulimit.length > 0 ? { ulimits: lists.ulimit } : {}),
    ...(lists.publish.length > 0 ? { publish: lists.publish } : {}),
    ...(privileged ? { privileged } : {}),
    ...(readOnly ? { readOnly } : {}),
    ...single,
  };
  return { kind: 'run', options: tty ? { ...options, tty } : options };
}

function isListOption(name: ValueOption): name is ListOption {
  return (listOptions as readonly string[]).includes(name);
}

/** `--name=value`, `--name value`, `-e value` or `-eVALUE`. */
function optionWithValue(
  word: string,
  next: string | undefined,
): { name: ValueOption; value: string | undefined; consumedNext: boolean } | undefined {
  const eq = word.indexOf('=');
  if (word.startsWith('--') && eq > 0) {
    const name = valueOptions[word.slice(0, eq)];
    return name === undefined ? undefined : { name, value: word.slice(eq + 1), consumedNext: false };
  }
  const name = valueOptions[word];
  if (name !== undefined) return { name, value: next, consumedNext: true };
  const short = valueOptions[word.slice(0, 2)];
  if (!word.startsWith('--') && short !== undefined) {
    const rest = word.slice(2);
    return { name: short, value: rest.startsWith('=') ? rest.slice(1) : rest, consumedNext: false };
  }
  return undefined;
}
