// The cache-key edit matrix as data: a base scenario, and edits each with the exact set of steps
// whose keys must change. Labels are `<stage>.<step index>`; `build.2-7` is a range, `app.*` every
// step of the stage. Steps are: build: 0 ARG VERSION, 1 WORKDIR, 2 COPY go.mod, 3 ENV, 4 RUN echo,
// 5 COPY src, 6 RUN make, 7 LABEL; tools: 0 RUN; app: 0 COPY --from=build, 1 COPY --from=tools,
// 2 COPY config.json, 3 USER, 4 EXPOSE, 5 CMD. The app's steps are pending (PlanStep.keyPending): a COPY
// --from=<stage> is keyed by the content it copies, which the build reads (executor/build/copy-content.ts), so
// their planned keys do not change with how `build` or `tools` were built, only with their own definitions.

import type { FileSpec, Scenario } from './helpers/scenario.js';
import { RUN_OPTION_EDITS, RUN_OPTIONS_SCENARIO } from './key-matrix-run-options.data.js';

export const BASE_DOCKERFILE = `ARG BASE=busybox
FROM \${BASE} AS build
ARG VERSION
WORKDIR /src
COPY go.mod ./
ENV CGO=0
RUN echo build
COPY src/ ./src/
RUN make
LABEL stage=build

FROM busybox AS tools
RUN echo tools > /bin/tool

FROM alpine AS app
COPY --from=build /src/out /app/out
COPY --from=tools /bin/tool /bin/tool
COPY config.json /etc/app/
USER app
EXPOSE 8080
CMD ["/app/out"]
`;

const busybox = {
  digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
  config: { Env: ['PATH=/bin'] },
};
const alpine = {
  digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
  config: { Env: ['PATH=/usr/bin:/bin'] },
};

export const BASE_SCENARIO: Scenario = {
  dockerfile: BASE_DOCKERFILE,
  files: {
    '.dockerignore': { content: '*.log\nsecret/\n' },
    'go.mod': { content: 'module x\n' },
    'src/main.go': { content: 'package main\n' },
    'src/util/u.go': { content: 'package util\n' },
    'src/extra.txt': { content: 'extra\n' },
    'config.json': { content: '{}\n' },
    'README.md': { content: 'readme\n' },
    'debug.log': { content: 'log 1\n' },
    'secret/key': { content: 'k1\n' },
  },
  images: { busybox, alpine },
};

export interface KeyEdit {
  readonly name: string;
  /** Text replacements applied to the Dockerfile, in order (each must match). */
  readonly replace?: readonly (readonly [string, string])[];
  readonly dockerfile?: string;
  /** Files written (or, with null, deleted) after the first plan. */
  readonly files?: Readonly<Record<string, FileSpec | null>>;
  readonly chmod?: Readonly<Record<string, number>>;
  /** Files whose mtime (and so ctime) is changed, content untouched. */
  readonly touch?: readonly string[];
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly images?: Scenario['images'];
  /** The build's `--add-host`, `--shm-size` and `--ulimit` in the second plan (default: the scenario's). */
  readonly run?: Scenario['run'];
  /** New stage name → base stage name, for edits that rename stages. */
  readonly renamed?: Readonly<Record<string, string>>;
  readonly changed: readonly string[];
}

const ALL_AFTER_GO_MOD = ['build.2-7'];

export const KEY_EDITS: readonly KeyEdit[] = [
  { name: 'nothing changes: two plans of the same input give the same keys', changed: [] },
  { name: 'edit an ignored file', files: { 'debug.log': { content: 'log 2\n' } }, changed: [] },
  { name: 'add an ignored file', files: { 'trace.log': { content: 'new\n' } }, changed: [] },
  { name: 'edit a file in an ignored directory', files: { 'secret/key': { content: 'k2\n' } }, changed: [] },
  { name: 'touch only the mtime of a copied file', touch: ['go.mod', 'src/main.go'], changed: [] },
  { name: 'edit a context file no COPY selects', files: { 'README.md': { content: 'changed\n' } }, changed: [] },
  { name: 'change one copied file', files: { 'go.mod': { content: 'module y\n' } }, changed: ALL_AFTER_GO_MOD },
  { name: 'chmod a copied file', chmod: { 'go.mod': 0o755 }, changed: ALL_AFTER_GO_MOD },
  {
    name: 'change a file inside a copied directory',
    files: { 'src/util/u.go': { content: 'package util2\n' } },
    changed: ['build.5-7'],
  },
  {
    name: 'add a file to a copied directory',
    files: { 'src/new.go': { content: 'package main\n' } },
    changed: ['build.5-7'],
  },
  { name: 'delete a file from a copied directory', files: { 'src/extra.txt': null }, changed: ['build.5-7'] },
  {
    name: 'change the file only the last stage copies',
    files: { 'config.json': { content: '{"a":1}\n' } },
    changed: ['app.2-5'],
  },
  { name: 'a --build-arg that no ARG declares', buildArgs: { UNUSED: '1' }, changed: [] },
  { name: 'a proxy --build-arg not declared by ARG', buildArgs: { http_proxy: 'http://proxy:3128' }, changed: [] },
  {
    name: 'a --build-arg an in-scope ARG declares: first RUN after it and everything after, COPY before that RUN kept',
    buildArgs: { VERSION: '2' },
    changed: ['build.4-7'],
  },
  { name: 'global ARG used in FROM, via --build-arg', buildArgs: { BASE: 'alpine' }, changed: ['build.1-7'] },
  {
    name: 'global ARG default changed',
    replace: [['ARG BASE=busybox', 'ARG BASE=alpine']],
    changed: ['build.1-7'],
  },
  {
    name: 'keyword case',
    replace: [
      ['RUN make', 'run make'],
      ['COPY go.mod', 'copy go.mod'],
      ['FROM busybox AS tools', 'from busybox as tools'],
      ['LABEL', 'Label'],
    ],
    changed: [],
  },
  {
    name: 'comments and blank lines',
    replace: [
      ['WORKDIR /src\n', '# where the sources go\n\nWORKDIR /src\n'],
      ['RUN make\n', 'RUN make\n# done\n'],
    ],
    changed: [],
  },
  {
    name: 'a line continuation inside RUN',
    replace: [['RUN echo tools > /bin/tool', 'RUN echo tools \\\n  > /bin/tool']],
    changed: ['tools.0'],
  },
  {
    name: 'extra spaces after the keyword',
    replace: [
      ['RUN make', 'RUN    make'],
      ['USER app', 'USER   app'],
    ],
    changed: [],
  },
  {
    name: 'reorder two independent stages',
    dockerfile: BASE_DOCKERFILE.replace('FROM busybox AS tools\nRUN echo tools > /bin/tool\n\n', '').replace(
      'ARG BASE=busybox\n',
      'ARG BASE=busybox\nFROM busybox AS tools\nRUN echo tools > /bin/tool\n\n',
    ),
    changed: [],
  },
  {
    name: 'rename a stage and its references',
    replace: [
      ['AS tools', 'AS toolbox'],
      ['--from=tools', '--from=toolbox'],
    ],
    renamed: { toolbox: 'tools' },
    changed: [],
  },
  { name: 'change a LABEL', replace: [['stage=build', 'stage=compile']], changed: ['build.7'] },
  { name: 'change EXPOSE: later config steps only', replace: [['EXPOSE 8080', 'EXPOSE 9090']], changed: ['app.4-5'] },
  { name: 'change CMD', replace: [['CMD ["/app/out"]', 'CMD ["/app/out", "-v"]']], changed: ['app.5'] },
  { name: 'change USER', replace: [['USER app', 'USER nobody']], changed: ['app.3-5'] },
  {
    name: 'change an ENV: the ENV, every later RUN and all after; the COPY before kept',
    replace: [['CGO=0', 'CGO=1']],
    changed: ['build.3-7'],
  },
  { name: 'change a RUN command', replace: [['RUN make', 'RUN make all']], changed: ['build.6-7'] },
  {
    name: 'the same RUN made privileged (--security=insecure)',
    replace: [['RUN make', 'RUN --security=insecure make']],
    changed: ['build.6-7'],
  },
  {
    name: 'the same RUN without a network',
    replace: [['RUN make', 'RUN --network=none make']],
    changed: ['build.6-7'],
  },
  {
    name: 'change the RUN of an independent stage',
    replace: [['echo tools', 'echo tools2']],
    changed: ['tools.0'],
  },
  { name: 'change WORKDIR', replace: [['WORKDIR /src', 'WORKDIR /code']], changed: ['build.1-7'] },
  {
    name: 'add --chown to a COPY',
    replace: [['COPY config.json', 'COPY --chown=1000:1000 config.json']],
    changed: ['app.2-5'],
  },
  { name: 'add --chmod to a COPY', replace: [['COPY go.mod', 'COPY --chmod=0640 go.mod']], changed: ALL_AFTER_GO_MOD },
  { name: 'COPY --link', replace: [['COPY config.json', 'COPY --link config.json']], changed: ['app.2-5'] },
  { name: 'change the destination of a COPY', replace: [['/etc/app/', '/etc/app2/']], changed: ['app.2-5'] },
  {
    name: 'new base image digest',
    images: {
      busybox,
      alpine: { ...alpine, digest: 'sha256:3333333333333333333333333333333333333333333333333333333333333333' },
    },
    changed: ['app.*'],
  },
  {
    name: 'base image config changes under the same digest: its ENV reaches RUN and config steps, not file ops',
    images: { busybox: { ...busybox, config: { Env: ['PATH=/bin', 'A=1'] } }, alpine },
    changed: ['build.3-7', 'tools.0'],
  },
  {
    name: 'SOURCE_DATE_EPOCH changes file-op timestamps, not RUN',
    buildArgs: { SOURCE_DATE_EPOCH: '1700000000' },
    changed: ['build.1-7', 'app.*'],
  },
  {
    name: 'append a config-only step to a stage another stage copies from',
    replace: [['LABEL stage=build\n', 'LABEL stage=build\nENV DONE=1\n']],
    changed: [],
  },
  {
    name: 'edit .dockerignore to drop a file under a copied directory',
    files: { '.dockerignore': { content: '*.log\nsecret/\nsrc/extra.txt\n' } },
    changed: ['build.5-7'],
  },
  {
    name: 'edit .dockerignore for files no COPY selects',
    files: { '.dockerignore': { content: '*.log\nsecret/\nREADME.md\n' } },
    changed: [],
  },
  { name: 'build --target does not change the keys of the stages it keeps', target: 'build', changed: [] },
];

/** Wildcards and --exclude: only the files a COPY selects count. Steps: 0 COPY docs, 1 COPY *.go, 2 RUN. */
export const SELECTION_SCENARIO: Scenario = {
  dockerfile: 'FROM busybox AS s\nCOPY --exclude=*.md docs/ /docs/\nCOPY *.go /src/\nRUN build\n',
  files: {
    'docs/a.txt': { content: 'a\n' },
    'docs/readme.md': { content: 'readme\n' },
    'main.go': { content: 'package main\n' },
    'util.go': { content: 'package main\n' },
    'notes.txt': { content: 'notes\n' },
  },
  images: { busybox },
};

export const SELECTION_EDITS: readonly KeyEdit[] = [
  { name: 'edit a file that --exclude leaves out', files: { 'docs/readme.md': { content: 'new\n' } }, changed: [] },
  { name: 'add a file that --exclude leaves out', files: { 'docs/b.md': { content: 'b\n' } }, changed: [] },
  { name: 'edit a file the excluding COPY keeps', files: { 'docs/a.txt': { content: 'b\n' } }, changed: ['s.*'] },
  { name: 'edit a file the wildcard does not match', files: { 'notes.txt': { content: 'x\n' } }, changed: [] },
  { name: 'edit a file the wildcard matches', files: { 'util.go': { content: 'package util\n' } }, changed: ['s.1-2'] },
  { name: 'add a file the wildcard matches', files: { 'extra.go': { content: 'package main\n' } }, changed: ['s.1-2'] },
  { name: 'chmod a file the wildcard matches', chmod: { 'main.go': 0o600 }, changed: ['s.1-2'] },
  { name: 'touch a file the wildcard matches', touch: ['main.go'], changed: [] },
];

/**
 * Cache mount ids and sharing modes, keyed as BuildKit's ExecOp.CacheMap keys them: only a default mount (id
 * from an absolute target, sharing shared) keeps its id in the key. Steps: 0 WORKDIR, 1 RUN default cache,
 * 2 RUN cache with id=x, 3 RUN cache with a relative target (its default id is not the target: left out), 4 RUN.
 */
export const CACHE_MOUNT_SCENARIO: Scenario = {
  dockerfile:
    'FROM busybox AS s\nWORKDIR /w\nRUN --mount=type=cache,target=/c ls\n' +
    'RUN --mount=type=cache,target=/d,id=x ls\nRUN --mount=type=cache,target=rel ls\nRUN done\n',
  files: {},
  images: { busybox },
};

export const CACHE_MOUNT_EDITS: readonly KeyEdit[] = [
  { name: 'give the default cache mount an id', replace: [['target=/c ', 'target=/c,id=y ']], changed: ['s.1-4'] },
  {
    name: 'give the default cache mount a sharing mode',
    replace: [['target=/c ', 'target=/c,sharing=locked ']],
    changed: ['s.1-4'],
  },
  {
    name: 'give the default cache mount an empty id: still the default',
    replace: [['target=/c ', 'target=/c,id= ']],
    changed: [],
  },
  {
    name: 'give the default cache mount its own target as id',
    replace: [['target=/c ', 'target=/c,id=/c ']],
    changed: [],
  },
  {
    name: 'give the default cache mount the id c (not /c)',
    replace: [['target=/c ', 'target=/c,id=c ']],
    changed: ['s.1-4'],
  },
  {
    name: 'change the target of the default cache mount',
    replace: [['target=/c ', 'target=/c2 ']],
    changed: ['s.1-4'],
  },
  { name: 'change a cache id that is not the default', replace: [['id=x', 'id=z']], changed: [] },
  { name: 'change the sharing mode of a cache with an id', replace: [['id=x', 'id=x,sharing=private']], changed: [] },
  { name: 'give the relative-target cache mount an id', replace: [['target=rel ', 'target=rel,id=q ']], changed: [] },
];

export const KEY_MATRICES: readonly {
  readonly name: string;
  readonly scenario: Scenario;
  readonly edits: readonly KeyEdit[];
}[] = [
  { name: 'multi-stage build', scenario: BASE_SCENARIO, edits: KEY_EDITS },
  { name: 'source selection', scenario: SELECTION_SCENARIO, edits: SELECTION_EDITS },
  { name: 'cache mounts', scenario: CACHE_MOUNT_SCENARIO, edits: CACHE_MOUNT_EDITS },
  { name: 'build-wide RUN options', scenario: RUN_OPTIONS_SCENARIO, edits: RUN_OPTION_EDITS },
];
