// The two builders the build benchmark times: tsbuild and, when a daemon is reachable, Debian's docker 20.10 with
// BuildKit. Both build the same context from the same busybox base tar, and both are reset for a cold build the same
// way: the images built are removed, then the whole build cache (`builder prune -af`). What a store keeps between
// builds whatever they are (the base image, tsbuild's mount-point layer and /etc files for RUN steps, docker's daemon
// state) stays. `--cold fresh` gives tsbuild a new store per cold run instead, the base image imported again.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Output of one timed build: wall-clock seconds and what the process printed (trace lines included). */
export interface BuildResult {
  seconds: number;
  output: string;
}

export interface Builder {
  /** 'tsbuild', 'docker', or a tsbuild variant such as 'tsbuild --runtime crun'. */
  readonly name: string;
  /** Removes the images built and the whole build cache, leaving the base image `base` (not timed). */
  reset(): void;
  /**
   * Builds CONTEXT (its own Dockerfile) as TAG and times it; throws when the build fails. `flags` are extra
   * tsbuild options (docker has no equivalent to pass).
   */
  build(context: string, tag: string, env?: NodeJS.ProcessEnv, flags?: readonly string[]): BuildResult;
  /** Frees what the builder holds once the benchmark is over. */
  dispose(): void;
}

/** Runs a command to completion; a failure stops the benchmark, since its numbers would mean nothing. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): BuildResult {
  const t0 = performance.now();
  const r = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    const tail = output.split('\n').slice(-15).join('\n');
    throw new Error(`${command} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${tail}`);
  }
  return { seconds, output };
}

/** How tsbuild is reset for a cold build: as docker is (`prune`), or with a new store (`fresh`). */
export type ColdReset = 'prune' | 'fresh';

/**
 * Waits `seconds` (a disk settling after a cold reset that deleted tens of thousands of files: ext4 scans recently
 * deleted inodes when it allocates new ones for up to a minute after, which would slow the next build's writes).
 */
export function sleepSeconds(seconds: number): void {
  if (seconds > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
}

export class TsbuildBuilder implements Builder {
  private readonly store: string;
  private readonly tags = new Set<string>();

  constructor(
    private readonly cli: string,
    private readonly baseTar: string,
    workDir: string,
    readonly name = 'tsbuild',
    /** Flags of every build (e.g. `--runtime crun`), before the scenario's own. */
    private readonly flags: readonly string[] = [],
    private readonly coldReset: ColdReset = 'prune',
  ) {
    this.store = path.join(workDir, 'store');
  }

  private env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { ...process.env, TSBUILD_ROOT: this.store, ...extra };
  }

  reset(): void {
    if (this.coldReset === 'prune' && existsSync(this.store)) {
      const tsbuild = (args: string[]) => run(process.execPath, [this.cli, ...args], this.env());
      if (this.tags.size > 0) tsbuild(['rmi', ...this.tags]);
      this.tags.clear();
      // Docker's prune keeps nothing it could remove: no grace period for recent data either.
      tsbuild(['builder', 'prune', '-af', '--keep-recent', '0']);
      return;
    }
    rmSync(this.store, { recursive: true, force: true });
    mkdirSync(this.store, { recursive: true });
    this.tags.clear();
    run(process.execPath, [this.cli, 'import', this.baseTar, 'base'], this.env());
  }

  build(context: string, tag: string, env: NodeJS.ProcessEnv = {}, flags: readonly string[] = []): BuildResult {
    this.tags.add(tag);
    const args = [this.cli, 'build', '--progress', 'plain', ...this.flags, ...flags, '-t', tag, context];
    return run(process.execPath, args, this.env(env));
  }

  dispose(): void {
    rmSync(this.store, { recursive: true, force: true });
  }
}

const DOCKER = '/usr/bin/docker';
const dockerEnv = (): NodeJS.ProcessEnv => ({ ...process.env, DOCKER_BUILDKIT: '1' });

/**
 * Debian's own docker client, only: the newer `docker` earlier on PATH has no buildx plugin and refuses
 * DOCKER_BUILDKIT=1 (NOTES.md). Returns why docker cannot be measured, or undefined when it can.
 */
export function dockerUnavailable(): string | undefined {
  if (!existsSync(DOCKER)) return `${DOCKER} not installed`;
  const info = spawnSync(DOCKER, ['info'], { env: dockerEnv(), encoding: 'utf8' });
  return info.status === 0 ? undefined : `\`docker info\` failed (is dockerd running?)`;
}

export class DockerBuilder implements Builder {
  readonly name = 'docker';
  private readonly tags = new Set<string>();

  constructor(baseTar: string) {
    run(DOCKER, ['import', baseTar, 'base'], dockerEnv());
  }

  reset(): void {
    for (const tag of this.tags) spawnSync(DOCKER, ['rmi', '-f', tag], { env: dockerEnv() });
    run(DOCKER, ['builder', 'prune', '-af'], dockerEnv());
  }

  build(context: string, tag: string): BuildResult {
    this.tags.add(tag);
    // RUN steps on the host network, as tsbuild runs them by default: no veth and bridge set-up per step in
    // docker's figures, and no dependence on the docker0 bridge being there.
    return run(DOCKER, ['build', '--network', 'host', '--progress', 'plain', '-t', tag, context], dockerEnv());
  }

  dispose(): void {
    this.reset();
  }
}
