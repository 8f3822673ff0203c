// What `tsbuild build` is given: its options as the command line spells them (BuildCliOptions) and the process
// around it (BuildIo: output streams, environment, stdin, terminal, cancellation).
import { fdWriter, stderrTerminal } from '../../stdio.js';

export interface BuildCliOptions {
  readonly context: string;
  readonly file?: string;
  readonly tags: readonly string[];
  readonly target?: string;
  readonly buildArgs: readonly string[];
  readonly labels: readonly string[];
  /** `--annotation` (repeatable): `[manifest[PLATFORM]:]KEY=VALUE`, on the image manifest. */
  readonly annotations?: readonly string[];
  readonly noCache: boolean;
  /** `--no-cache-filter` (repeatable, each a comma list as BuildKit splits it): stages whose steps run again. */
  readonly noCacheFilter?: readonly string[];
  /**
   * `--call` / `--check`: `build` (the default), `check` (BuildKit's checks without building), `outline`,
   * `targets` or `subrequests.describe`, with buildx's `,format=json` and `,ignorestatus=true`.
   */
  readonly call?: string;
  /** `--debug`: build warnings with their description, URL and Dockerfile excerpt. */
  readonly debug?: boolean;
  readonly progress?: 'auto' | 'tty' | 'plain' | 'quiet';
  readonly quiet: boolean;
  readonly iidfile?: string;
  readonly metadataFile?: string;
  readonly outputs: readonly string[];
  readonly secrets: readonly string[];
  /** `--ssh` values (repeatable). */
  readonly ssh?: readonly string[];
  readonly jobs?: number;
  readonly runtime?: string;
  /** `--allow` values (entitlements: network.host, security.insecure). */
  readonly allow?: readonly string[];
  /** `--network`: default, none or host (the network of RUN steps that name none). */
  readonly network?: string;
  /** `--platform`: the platform to build for (`linux/arm64`; default this machine's). */
  readonly platform?: string;
  /** `--build-context NAME=VALUE` (repeatable): a local directory or `docker-image://REF`. */
  readonly buildContexts?: readonly string[];
  /** `--add-host NAME:IP` (repeatable): a line of RUN steps' /etc/hosts. */
  readonly addHosts?: readonly string[];
  /** `--shm-size`: the size of RUN steps' /dev/shm (`1g`; default 64m). */
  readonly shmSize?: string;
  /** `--ulimit NAME=SOFT[:HARD]` (repeatable): a resource limit of RUN steps. */
  readonly ulimits?: readonly string[];
  /** `--cache-to` / `--cache-from` (repeatable). */
  readonly cacheTo?: readonly string[];
  readonly cacheFrom?: readonly string[];
  /** `--push`: push the image to each `-t` name (as `--output type=image,push=true`). */
  readonly push?: boolean;
  /** `--pull`: re-resolve every FROM tag against its registry (images the store lacks are always pulled). */
  readonly pull?: boolean;
  /** `--load` (buildx's): keep and name the image in the store even when the outputs are only files or cache. */
  readonly load?: boolean;
  /** `--provenance` / `--sbom` values (buildx's): only `false` is taken, tsbuild makes no attestations. */
  readonly provenance?: readonly string[];
  readonly sbom?: readonly string[];
  /** Store directory (default `$TSBUILD_ROOT`, `/var/lib/tsbuild` for root). */
  readonly root?: string;
}

export interface BuildIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input, for a context tar (`CONTEXT` `-`) or a Dockerfile (`-f -`); default process.stdin. */
  readonly stdin?: AsyncIterable<Uint8Array>;
  /** The terminal behind stderr, if any: `--progress auto` draws the live display on a TTY. */
  readonly stderrTerminal?: { readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number };
  /** Cancels the build; default: SIGINT, SIGTERM and SIGHUP do (the build cleans up, then exits 128 + N). */
  readonly signal?: AbortSignal;
}

// Nothing here touches process.stdin/stdout/stderr until it is needed: creating those streams costs start-up
// time (cli/stdio.ts), and stdin is read only for a `-` context or `-f -`.
export const processIo: BuildIo = {
  stdout: fdWriter(1),
  stderr: fdWriter(2),
  env: process.env,
  get stdin() {
    return process.stdin;
  },
  get stderrTerminal() {
    return stderrTerminal();
  },
};
