// What one stage tells an outline (BuildKit's `outlineCapture`): the ARGs it can see with their values and
// descriptions, which of them it uses, and the secrets and SSH agents its RUN steps mount. A stage starts from
// a copy of the global ARGs (or of its parent stage's capture, taken before anything was dispatched), then adds
// the args its FROM line used and what its instructions declare and mount.

/** First and last line (1-based) of the instruction something was declared by. */
export interface OutlineLocation {
  readonly startLine: number;
  readonly endLine: number;
}

export interface OutlineArg {
  readonly name: string;
  readonly description: string;
  /** The --build-arg, else the expanded default; '' when it has neither. */
  readonly value: string;
  readonly location: OutlineLocation;
}

/** A secret (`RUN --mount=type=secret`) or an SSH agent (`type=ssh`) the build uses. */
export interface OutlineMount {
  readonly name: string;
  readonly required: boolean;
  readonly location: OutlineLocation;
}

export interface ArgInfo extends OutlineArg {
  /** Names the default referenced: using this arg uses them too. */
  readonly deps: readonly string[];
}

export class Capture {
  readonly allArgs = new Map<string, ArgInfo>();
  readonly usedArgs = new Set<string>();
  /** By id, the first mount of each. */
  readonly secrets = new Map<string, OutlineMount>();
  readonly ssh = new Map<string, OutlineMount>();

  clone(): Capture {
    const copy = new Capture();
    for (const [k, v] of this.allArgs) copy.allArgs.set(k, v);
    for (const k of this.usedArgs) copy.usedArgs.add(k);
    for (const [k, v] of this.secrets) copy.secrets.set(k, v);
    for (const [k, v] of this.ssh) copy.ssh.set(k, v);
    return copy;
  }

  /** Marks `names` used, and what their defaults referenced (a cycle of redefinitions ends, unlike BuildKit's). */
  markUsed(names: Iterable<string>, seen = new Set<string>()): void {
    for (const name of [...names]) {
      if (seen.has(name)) continue;
      seen.add(name);
      const info = this.allArgs.get(name);
      if (info !== undefined) this.markUsed(info.deps, seen);
      this.usedArgs.add(name);
    }
  }
}

/** How stages are linked for an outline: the stage a stage is built on, and the stages it reads from. */
export interface StageLinks {
  readonly base: number | null;
  readonly sources: readonly number[];
}

export interface CollectedOutline {
  readonly args: readonly OutlineArg[];
  readonly secrets: readonly OutlineMount[];
  readonly ssh: readonly OutlineMount[];
}

function take(mounts: ReadonlyMap<string, OutlineMount>, seen: Set<string>, out: OutlineMount[]): void {
  for (const [name, mount] of mounts) {
    if (seen.has(name)) continue;
    seen.add(name);
    out.push(mount);
  }
}

/**
 * The args, secrets and SSH agents of `target`, then of its parent and the stages it reads from, depth first:
 * each name once (the first found), sorted by line. BuildKit walks its maps in random order, so of two args of
 * one name in different stages either may be listed, and two declared on one line come in either order; here
 * the order is the Dockerfile's.
 */
export function collectOutline(
  captures: ReadonlyMap<number, Capture>,
  links: (index: number) => StageLinks,
  target: number,
): CollectedOutline {
  const args: OutlineArg[] = [];
  const secrets: OutlineMount[] = [];
  const ssh: OutlineMount[] = [];
  const seen = { args: new Set<string>(), secrets: new Set<string>(), ssh: new Set<string>() };
  const visit = (index: number): void => {
    const capture = captures.get(index);
    if (capture === undefined) return;
    capture.markUsed(capture.usedArgs);
    for (const name of capture.usedArgs) {
      const info = capture.allArgs.get(name);
      if (info === undefined || seen.args.has(name)) continue;
      seen.args.add(name);
      args.push({ name: info.name, description: info.description, value: info.value, location: info.location });
    }
    take(capture.secrets, seen.secrets, secrets);
    take(capture.ssh, seen.ssh, ssh);
    const { base, sources } = links(index);
    if (base !== null) visit(base);
    for (const source of sources) visit(source);
  };
  visit(target);
  const byLine = (a: { location: OutlineLocation }, b: { location: OutlineLocation }) =>
    a.location.startLine - b.location.startLine;
  return { args: args.sort(byLine), secrets: secrets.sort(byLine), ssh: ssh.sort(byLine) };
}
