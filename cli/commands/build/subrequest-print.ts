// The results of `--call=outline`, `--call=targets` and `--call=subrequests.describe` as buildx prints them: the
// JSON BuildKit's frontend returns (subrequests/outline, subrequests/targets, subrequests/describe.go;
// json.MarshalIndent, printed as is with `format=json`), and the tables of their PrintOutline / PrintTargets /
// PrintDescribe (Go's tabwriter).
import type { BuildTarget, Outline, OutlineLocation } from '../../../planner/index.js';
import { type GoJson, goMarshalIndent } from './go-json.js';
import { tabwrite } from './go-tabwriter.js';

/** A pb.Location: source 0 and character 0 are left out (`omitempty`), as Go writes them. */
function location(l: OutlineLocation): GoJson {
  return { ranges: [{ start: { line: l.startLine }, end: { line: l.endLine } }] };
}

const omitEmpty = <T>(value: T): T | undefined => (value === '' || value === false ? undefined : value);

/** BuildKit's outline.Outline as result.json, `source` the Dockerfile's bytes. */
export function outlineJson(o: Outline, source: Uint8Array): string {
  const mounts = (list: Outline['secrets']) =>
    list.length === 0
      ? undefined
      : list.map((m) => ({ name: m.name, required: omitEmpty(m.required), location: location(m.location) }));
  return goMarshalIndent({
    name: omitEmpty(o.name),
    description: omitEmpty(o.description),
    args:
      o.args.length === 0
        ? undefined
        : o.args.map((a) => ({
            name: a.name,
            description: omitEmpty(a.description),
            value: omitEmpty(a.value),
            location: location(a.location),
          })),
    secrets: mounts(o.secrets),
    ssh: mounts(o.ssh),
    sources: [Buffer.from(source).toString('base64')],
  });
}

/** BuildKit's targets.List as result.json. */
export function targetsJson(targets: readonly BuildTarget[], source: Uint8Array): string {
  return goMarshalIndent({
    targets: targets.map((t) => ({
      name: omitEmpty(t.name),
      default: omitEmpty(t.default),
      description: omitEmpty(t.description),
      base: omitEmpty(t.base),
      platform: omitEmpty(t.platform),
      location: location(t.location),
    })),
    sources: [Buffer.from(source).toString('base64')],
  });
}

/** PrintOutline: the target, then tables of build args, secrets and SSH agents, each followed by a blank line. */
export function outlineText(o: Outline): string {
  let out = '';
  if (o.name !== '' || o.description !== '') {
    const description = o.description === '' ? '' : `DESCRIPTION:\t${o.description}\n`;
    out += `${tabwrite(`TARGET:\t${o.name === '' ? '(default)' : o.name}\n${description}`, 1)}\n`;
  }
  if (o.args.length > 0) {
    const rows = o.args.map((a) => `${a.name}\t${a.value}\t${a.description}\n`).join('');
    out += `${tabwrite(`BUILD ARG\tVALUE\tDESCRIPTION\n${rows}`, 3)}\n`;
  }
  for (const [title, list] of [
    ['SECRET', o.secrets],
    ['SSH', o.ssh],
  ] as const) {
    if (list.length === 0) continue;
    const rows = list.map((m) => `${m.name}\t${m.required ? 'true' : ''}\n`).join('');
    out += `${tabwrite(`${title}\tREQUIRED\n${rows}`, 3)}\n`;
  }
  return out;
}

/** PrintTargets: one line a stage, the default one marked. */
export function targetsText(targets: readonly BuildTarget[]): string {
  const rows = targets.map((t) => {
    const name = t.default ? (t.name === '' ? '(default)' : `${t.name} (default)`) : t.name;
    return `${name}\t${t.description}\n`;
  });
  return tabwrite(`TARGET\tDESCRIPTION\n${rows.join('')}`, 1);
}

/** A subrequests.Request as the frontend describes it (`opts` null where Go's slice is nil). */
interface SubrequestDefinition {
  readonly name: string;
  readonly description: string;
  readonly opts: readonly { readonly name: string; readonly description: string }[] | null;
}

/**
 * What dockerui's describe lists for the Dockerfile frontend: outline, targets and describe itself, each version
 * 1.0.0, type rpc, with result.json and result.txt. The lint request is answered but not listed (BuildKit's
 * describe only adds the outline and targets handlers).
 */
const SUBREQUESTS: readonly SubrequestDefinition[] = [
  {
    name: 'frontend.outline',
    description: 'List all parameters current build target supports',
    opts: [{ name: 'target', description: 'Target build stage' }],
  },
  { name: 'frontend.targets', description: 'List all targets current build supports', opts: [] },
  { name: 'frontend.subrequests.describe', description: 'List available subrequest types', opts: null },
];

/** The describe request's result.json: a []subrequests.Request (no omitempty: nil slices are null). */
export function describeJson(): string {
  return goMarshalIndent(
    SUBREQUESTS.map((r) => ({
      name: r.name,
      version: '1.0.0',
      type: 'rpc',
      description: r.description,
      opts: r.opts,
      inputs: null,
      metadata: [
        { name: 'result.json', description: '' },
        { name: 'result.txt', description: '' },
      ],
      refs: null,
    })),
  );
}

/** PrintDescribe: name (without `frontend.`), version and description. */
export function describeText(): string {
  const rows = SUBREQUESTS.map((r) => `${r.name.replace(/^frontend\./, '')}\t1.0.0\t${r.description}\n`);
  return tabwrite(`NAME\tVERSION\tDESCRIPTION\n${rows.join('')}`, 1);
}
