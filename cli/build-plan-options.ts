// Options `build` and `plan` share (docker build's and buildx's): what the planner needs to plan as the build will.
import type { Argv } from 'yargs';
import { collect } from './operands.js';
import { networkModes } from './option-choices.js';

/** `--platform` of build and plan: the platforms to build for (buildx's list: one image each, in one index). */
const platformOption = {
  type: 'string',
  describe:
    "platforms to build for, os/arch[/variant][,…] (default: this machine's; RUN in a foreign stage needs an emulator)",
} as const;

/** `--network` of build and plan (docker build's): the network of RUN steps that name none. */
const networkOption = {
  choices: networkModes,
  describe: "network of RUN steps without --network: default (the host's), none or host",
};

/** `--build-context NAME=VALUE` of build and plan (docker buildx's): a named context. */
const buildContextOption = {
  type: 'string',
  describe:
    'NAME=DIR | NAME=docker-image://REF | NAME=GIT-URL | NAME=HTTPS-URL: what FROM NAME, COPY --from=NAME and mounts from=NAME use (repeatable)',
} as const;

/** `--add-host`, `--shm-size` and `--ulimit` of build and plan (docker build's): what every RUN step gets. */
const addHostOption = {
  type: 'string',
  describe: "NAME:IP (or NAME=IP): a line of RUN steps' /etc/hosts; IP host-gateway is the host (repeatable)",
} as const;
const shmSizeOption = {
  type: 'string',
  describe: "size of RUN steps' /dev/shm, e.g. 1g (default 64m)",
} as const;
const ulimitOption = {
  type: 'string',
  describe: 'NAME=SOFT[:HARD]: a resource limit of RUN steps, e.g. nofile=1024:2048 (repeatable)',
} as const;

/** Declares the shared options on a command (after its own: their place in --help). */
export function withBuildPlanOptions<T>(y: Argv<T>) {
  return y
    .option('network', networkOption)
    .option('platform', platformOption)
    .option('build-context', buildContextOption)
    .option('add-host', addHostOption)
    .option('shm-size', shmSizeOption)
    .option('ulimit', ulimitOption);
}

type SharedArgs = Awaited<ReturnType<typeof withBuildPlanOptions>['argv']>;

/** The shared options' values, as the runners of build and plan take them. */
export function buildPlanValues(a: SharedArgs) {
  return {
    network: a.network,
    platform: a.platform,
    buildContexts: collect(a['build-context']),
    addHosts: collect(a['add-host']),
    shmSize: collect(a['shm-size']).at(-1),
    ulimits: collect(a.ulimit),
  };
}
