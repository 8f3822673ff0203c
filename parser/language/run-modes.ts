// The modes of `RUN --network=…` and `RUN --security=…` (BuildKit's). `tsbuild build --network` (docker build's)
// takes the same network modes: the build's network is what a RUN with `--network=default`, or none, runs in.
// Without imports, on purpose: the CLI's start-up path (cli/option-choices.ts) reads this file alone, without
// loading the parser.

export const NETWORK_MODES = ['default', 'none', 'host'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export const SECURITY_MODES = ['sandbox', 'insecure'] as const;
