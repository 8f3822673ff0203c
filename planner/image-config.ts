// Images as the planner sees them: platforms, the config fields it reads and writes, and the resolver that
// reads a base image's config.

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** OCI image config fields the planner reads and writes (a subset of `config` in an OCI image config). */
export interface ImageConfig {
  readonly Env?: readonly string[];
  readonly Cmd?: readonly string[] | null;
  readonly Entrypoint?: readonly string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Shell?: readonly string[];
  readonly Labels?: Readonly<Record<string, string>>;
  readonly ExposedPorts?: Readonly<Record<string, object>>;
  readonly Volumes?: Readonly<Record<string, object>>;
  readonly StopSignal?: string;
  /** Docker image spec: the arguments are escaped already (read on Windows only); BuildKit's CMD sets it. */
  readonly ArgsEscaped?: boolean;
  readonly OnBuild?: readonly string[] | null;
  readonly Healthcheck?: HealthcheckConfig;
}

export interface HealthcheckConfig {
  readonly Test: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
  readonly Retries?: number;
}

/** The image config fields an instruction sets. */
export type ConfigChange = { readonly [K in keyof ImageConfig]?: ImageConfig[K] } & { readonly Author?: string };

/** What a base image resolver knows about an image. */
export interface ResolvedImage {
  /** Normalised reference, e.g. `docker.io/library/busybox:latest`. */
  readonly ref: string;
  /** Manifest digest when known: pins the base in the cache key. */
  readonly digest?: string;
  readonly platform?: Platform;
  readonly config: ImageConfig;
  /** True when the image has no layers (treated like `scratch`). */
  readonly empty?: boolean;
}

/** Reads base image configs; the image store implements it, tests use an in-memory one. */
export interface BaseImageResolver {
  resolve(ref: string, platform: Platform): Promise<ResolvedImage | null>;
}
